//! Generic rule tests: for every diagnostic with a fix, over a corpus of bad inputs, applying
//! the fix removes that diagnostic and adds no new error.

mod common;

use proxytrust::engine::diagnostics::Severity;
use proxytrust::engine::{self, inputs::RawInputs};

fn corpus() -> Vec<RawInputs> {
    let base = [
        ("service", "labelstudio"),
        ("region", "us-central1"),
        ("admin_email", "a@b.co"),
    ];
    let mut v = Vec::new();
    for url in [
        "ls.example.com",
        " https://ls.example.com ",
        "https://LS.Example.com",
        "https://ls.example.com/",
        "https://ls.example.com/login?x=1#y",
        "https://ls.example.com:443",
        "https://u:p@ls.example.com",
        "http://ls.example.com",
        "wss://ls.example.com",
        "HTTP://Admin@LS.example.com:80/x ",
    ] {
        v.push(common::ls_cloud_run(&[url], &base));
    }
    v.push(common::ls_cloud_run(
        &["https://a.example", "https://A.example/"],
        &base,
    ));
    v.push(common::ls_cloud_run(
        &["https://labelstudio-123456789012.us-central1.run.app"],
        &[],
    ));
    v.push(common::ls_cloud_run(
        &["https://labelstudio-123456789012.us-central1.run.app"],
        &[("service", "other"), ("region", "europe-west1")],
    ));
    v.push(common::ls_cloud_run(
        &["https://labelstudio-abc-uc.a.run.app"],
        &[("service", "Bad_Name")],
    ));
    v.push(common::ls_cloud_run(
        &["https://ls.example.com"],
        &[
            ("service", "ls"),
            ("region", "us-central1"),
            ("max_instances", "3"),
            ("min_instances", "5"),
            ("secrets", "inline"),
            ("env_flag", "bogus"),
        ],
    ));
    v.push(common::with_extras(
        common::ls_cloud_run(&["https://ls.example.com"], &base),
        &[
            ("USE_X_FORWARDED_HOST", "true"),
            ("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,https"),
            ("LABEL_STUDIO_CSRF_COOKIE_SECURE", "true"),
            ("USE_ENFORCE_CSRF_CHECKS", "0"),
            ("PORT", "9000"),
            ("CSRF_TRUSTED_ORIGINS", "https://x"),
            ("DUP", "1"),
            ("DUP", "2"),
            ("PASTED", "abc\0def"),
        ],
    ));
    v.extend(matrix_corpus());
    v
}

/// Every app x platform: the defaults, each option set to each of its choices (or a few typical
/// values), a trailing-slash URL, and variables people copy from blog posts.
fn matrix_corpus() -> Vec<RawInputs> {
    use proxytrust::engine::apps::APPS;
    use proxytrust::engine::inputs::{ExtraVar, OptionKind};
    use proxytrust::engine::platforms::PLATFORMS;
    let mut v = Vec::new();
    for a in APPS {
        for p in PLATFORMS {
            let base = RawInputs {
                urls: vec!["https://app.example.org".into()],
                platform: p.id().into(),
                app: a.id().into(),
                ..RawInputs::default()
            };
            v.push(base.clone());
            let mut slash = base.clone();
            slash.urls = vec![
                "https://App.example.org/".into(),
                "http://app.example.org".into(),
            ];
            v.push(slash);
            let mut copied = base.clone();
            for (n, val) in [
                ("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,https"),
                ("USE_X_FORWARDED_PORT", "true"),
                ("DISABLE_CSRF_PROTECTION", "true"),
                ("WEBUI_SESSION_COOKIE_SAME_SITE", "strict"),
                ("WEBUI_JWT_SECRET_KEY", "x"),
                ("PORT", "9000"),
            ] {
                copied.extra_env.push(ExtraVar {
                    name: n.into(),
                    value: val.into(),
                });
            }
            v.push(copied);
            for spec in a.options().iter().chain(p.options()) {
                let values: Vec<&str> = match spec.kind {
                    OptionKind::Choice(c) => c.iter().map(|(k, _)| *k).collect(),
                    OptionKind::Integer => vec!["0", "1", "3"],
                    OptionKind::Email => vec!["not-an-email", "ops@example.org"],
                    OptionKind::Text => vec!["", "Bad Value!", "x"],
                };
                for val in values {
                    let mut r = base.clone();
                    r.options.insert(spec.key.into(), val.into());
                    v.push(r);
                }
            }
            for ver in a.known_versions() {
                let mut r = base.clone();
                r.app_version = (*ver).into();
                v.push(r);
            }
        }
    }
    v
}

#[test]
fn applying_a_fix_removes_its_diagnostic_and_adds_no_error() {
    let mut checked = 0;
    for raw in corpus() {
        let before = engine::generate(&raw).diagnostics;
        for d in &before {
            for fix in &d.fixes {
                let mut fixed = raw.clone();
                fix.apply(&mut fixed);
                let after = engine::generate(&fixed).diagnostics;
                assert!(
                    !after
                        .iter()
                        .any(|a| a.code == d.code && a.field == d.field && a.message == d.message),
                    "fix {:?} did not remove {} {}: {:?}",
                    fix.title,
                    d.code,
                    d.message,
                    raw
                );
                for a in after.iter().filter(|a| a.severity == Severity::Error) {
                    assert!(
                        // Compared by code and message: removing a list entry renumbers the fields
                        // of the entries after it.
                        before
                            .iter()
                            .any(|b| b.code == a.code && b.message == a.message),
                        "fix {:?} for {} added error {} {}",
                        fix.title,
                        d.code,
                        a.code,
                        a.message
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} fixes checked");
}
