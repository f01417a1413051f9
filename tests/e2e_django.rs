//! End to end with the real Django (PyPI `django==5.2.19` and `django==3.2.25`, each in a cached
//! venv under target/e2e-venv): a minimal project with Django's LoginView behind an emulated
//! Cloud Run front end (the public Host passed on, `X-Forwarded-Proto: https` set, no
//! `X-Forwarded-Host`; shared/knowledge/platforms.md §1.4). The browser posts the login form
//! from the public origin. The harness is tests/e2e/django_login.py.
//!
//! * Django 5.2 without ProxyTrust's settings: 403, logged as `Forbidden (Origin checking failed
//!   - https://… does not match any trusted origins.): /accounts/login/`.
//! * Django 5.2 with the settings fragment and env that `engine::generate` writes (the snippet
//!   block appended to settings.py as is): the login passes for the run.app URL and the custom
//!   domain, the session works, both cookies are Secure, an unlisted Host gets 400.
//! * The version split: Django 3.2 has no Origin check (the same login passes without
//!   settings), and its generated CSRF_TRUSTED_ORIGINS are host names; those host names in
//!   Django 5.2 raise system check 4_0.E001.
//! * USE_X_FORWARDED_HOST: behind a front end that rewrites Host and sends X-Forwarded-Host,
//!   the default settings give 400; the `x-forwarded-host` choice makes the login pass.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use proxytrust::engine::{self, diagnose::diagnose, inputs::RawInputs};

const RUN_APP: &str = "https://svc-abc123-uc.a.run.app";
const CUSTOM: &str = "https://app.example.org";

fn django(version: &str) -> PathBuf {
    match version {
        "5.2" => common::venv("django-5.2", &["django==5.2.19"]),
        _ => common::venv("django-3.2", &["django==3.2.25"]),
    }
}

/// What ProxyTrust generates for Django on `platform`: the snippet block (as written to the
/// file a user saves) and the container's variables, secrets filled in by the caller's CSPRNG.
fn generated(
    version: &str,
    platform: &str,
    opts: &[(&str, &str)],
) -> (String, BTreeMap<String, String>) {
    let mut raw = RawInputs {
        urls: vec![RUN_APP.to_owned(), CUSTOM.to_owned()],
        platform: platform.into(),
        app: "django".into(),
        app_version: version.into(),
        ..RawInputs::default()
    };
    if platform == "cloud-run" {
        raw.options.insert("service".into(), "svc".into());
        raw.options.insert("region".into(), "us-central1".into());
    }
    for (k, v) in opts {
        raw.options.insert((*k).into(), (*v).into());
    }
    proxytrust::secrets::fill_missing(&mut raw).expect("csprng");
    let g = engine::generate(&raw);
    assert!(!g.has_errors(), "{:?}", g.diagnostics);
    let snippet = g.block("snippet").expect("snippet block");
    assert_eq!(snippet.language, "python");
    (snippet.content.clone(), common::container_env(&raw, &g))
}

fn harness(
    django_version: &str,
    dir: &Path,
    name: &str,
    settings: Option<&(String, BTreeMap<String, String>)>,
    front_end: &str,
) -> serde_json::Value {
    let work = dir.join(name);
    std::fs::create_dir_all(&work).expect("mkdir");
    let mut cmd = Command::new(django(django_version));
    cmd.arg(common::repo_root().join("tests/e2e/django_login.py"))
        .arg("--work-dir")
        .arg(work.join("project"))
        .arg("--origin")
        .arg(RUN_APP)
        .arg("--origin")
        .arg(CUSTOM)
        .arg("--front-end")
        .arg(front_end);
    if let Some((snippet, env)) = settings {
        let s = work.join("proxytrust_settings.py");
        std::fs::write(&s, snippet).expect("write snippet");
        let e = work.join("env.json");
        std::fs::write(&e, serde_json::to_string(env).expect("json")).expect("write env");
        cmd.arg("--snippet").arg(s).arg("--env-json").arg(e);
    }
    let out = cmd.output().expect("run the harness");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "harness output is not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn results(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["results"].as_array().expect("results")
}

fn check_ids(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn django_5_login_fails_without_the_generated_settings_and_passes_with_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = generated("", "cloud-run", &[]);
    assert_eq!(
        settings.1["DJANGO_CSRF_TRUSTED_ORIGINS"],
        format!("{RUN_APP},{CUSTOM}")
    );

    // 1. Without: the 403 from the write-up, with Django's exact reason, for both origins.
    let without = harness("5.2", dir.path(), "without", None, "cloud-run");
    assert_eq!(without["django_version"], "5.2.19", "{without:#}");
    for r in results(&without) {
        assert_eq!(r["get_status"], 200, "{r:#}");
        assert_eq!(r["post_status"], 403, "{r:#}");
        let want = format!(
            "Forbidden (Origin checking failed - {} does not match any trusted origins.): /accounts/login/",
            r["origin"].as_str().unwrap_or_default()
        );
        assert_eq!(r["csrf_log"], serde_json::json!([want]), "{r:#}");
        assert_eq!(r["private_status"], 302, "not logged in: {r:#}");
        // ProxyTrust recognises the line as Django's and takes the origin from it.
        let found = diagnose(&want, &RawInputs::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].signature, "django-origin-checking-failed");
        assert_eq!(found[0].app, "django");
    }
    let ids = check_ids(&without);
    assert!(ids.contains(&"security.W012".to_owned()), "{ids:?}");
    assert!(ids.contains(&"security.W016".to_owned()), "{ids:?}");

    // 2. With the generated fragment and env: both origins log in, the session works.
    let with = harness("5.2", dir.path(), "with", Some(&settings), "cloud-run");
    assert_eq!(
        with["settings"]["SECURE_PROXY_SSL_HEADER"],
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    );
    assert_eq!(with["settings"]["SECRET_KEY_from_env"], true, "{with:#}");
    assert_eq!(
        with["settings"]["ALLOWED_HOSTS"],
        serde_json::json!(["svc-abc123-uc.a.run.app", "app.example.org"])
    );
    for r in results(&with) {
        assert_eq!(r["post_status"], 302, "{r:#}");
        assert_eq!(r["location"], "/private/", "{r:#}");
        assert_eq!(r["private_status"], 200, "{r:#}");
        assert_eq!(r["private_body"], "hello alice", "{r:#}");
        assert_eq!(r["csrf_log"], serde_json::json!([]), "{r:#}");
        let cookies = r["cookies"].as_array().expect("cookies");
        for name in ["csrftoken", "sessionid"] {
            let c = cookies
                .iter()
                .find(|c| c["name"] == name)
                .unwrap_or_else(|| panic!("no {name} cookie: {r:#}"));
            assert_eq!(c["secure"], true, "{c}");
        }
    }
    let ids = check_ids(&with);
    for gone in ["security.W012", "security.W016", "4_0.E001"] {
        assert!(!ids.contains(&gone.to_owned()), "{gone}: {ids:?}");
    }
    // ALLOWED_HOSTS now comes from the env: a Host nobody listed gets 400, with Django's message.
    assert_eq!(with["unlisted_host_status"], 400, "{with:#}");
    let log = with["unlisted_host_log"].to_string();
    assert!(
        log.contains("Invalid HTTP_HOST header: 'not-listed.example'."),
        "{log}"
    );
    let line = with["unlisted_host_log"][0].as_str().unwrap_or_default();
    let found = diagnose(line, &RawInputs::default());
    assert_eq!(
        found.first().map(|d| d.signature),
        Some("django-disallowed-host")
    );
}

#[test]
fn the_django_version_decides_the_trusted_origins_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = generated("3.2.25", "cloud-run", &[]);
    assert_eq!(
        old.1["DJANGO_CSRF_TRUSTED_ORIGINS"],
        "svc-abc123-uc.a.run.app,app.example.org"
    );

    // Django 3.2 has no Origin check: the login passes behind the front end without settings.
    let without = harness("3.2", dir.path(), "without-3.2", None, "cloud-run");
    assert_eq!(without["django_version"], "3.2.25", "{without:#}");
    for r in results(&without) {
        assert_eq!(r["post_status"], 302, "{r:#}");
        assert_eq!(r["private_status"], 200, "{r:#}");
    }

    // With the 3.2 settings (request now https, so the strict Referer check runs): still passes,
    // cookies Secure, host names as trusted origins.
    let with = harness("3.2", dir.path(), "with-3.2", Some(&old), "cloud-run");
    assert_eq!(
        with["settings"]["CSRF_TRUSTED_ORIGINS"],
        serde_json::json!(["svc-abc123-uc.a.run.app", "app.example.org"])
    );
    for r in results(&with) {
        assert_eq!(r["post_status"], 302, "{r:#}");
        assert_eq!(r["private_status"], 200, "{r:#}");
        assert_eq!(r["csrf_log"], serde_json::json!([]), "{r:#}");
    }

    // The same 3.2 values in Django 5.2: system check 4_0.E001 for each, a message ProxyTrust
    // recognises.
    let crossed = harness(
        "5.2",
        dir.path(),
        "3.2-values-in-5.2",
        Some(&old),
        "cloud-run",
    );
    let e001: Vec<&serde_json::Value> = crossed["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["id"] == "4_0.E001")
        .collect();
    assert_eq!(e001.len(), 2, "{crossed:#}");
    let msg = e001[0]["msg"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("As of Django 4.0, the values in the CSRF_TRUSTED_ORIGINS setting must start with a scheme"),
        "{msg}"
    );
    let found = diagnose(msg, &RawInputs::default());
    assert_eq!(
        found.first().map(|d| d.signature),
        Some("django-csrf-trusted-origins-scheme")
    );
    // The 5.2 form raises nothing (checked in the other test: no 4_0.E001).
}

#[test]
fn use_x_forwarded_host_follows_the_front_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A front end that sends its upstream's address as Host and the public host in
    // X-Forwarded-Host. ProxyTrust's default (the Host header) does not fit it: 400.
    let default = generated("", "vm", &[]);
    let report = harness(
        "5.2",
        dir.path(),
        "rewrite-default",
        Some(&default),
        "rewrite-host",
    );
    for r in results(&report) {
        assert_eq!(r["get_status"], 400, "{r:#}");
    }
    // The x-forwarded-host choice: USE_X_FORWARDED_HOST = True, and the login passes.
    let xfh = generated("", "vm", &[("forwarded_host", "x-forwarded-host")]);
    assert!(xfh.0.contains("USE_X_FORWARDED_HOST = True"));
    let report = harness("5.2", dir.path(), "rewrite-xfh", Some(&xfh), "rewrite-host");
    assert_eq!(report["settings"]["USE_X_FORWARDED_HOST"], true);
    for r in results(&report) {
        assert_eq!(r["post_status"], 302, "{r:#}");
        assert_eq!(r["private_status"], 200, "{r:#}");
    }
}

#[test]
fn the_verify_script_passes_shellcheck() {
    for (version, platform) in [("", "cloud-run"), ("3.2.25", "cloud-run"), ("", "vm")] {
        let mut raw = RawInputs {
            urls: vec![RUN_APP.to_owned(), CUSTOM.to_owned()],
            platform: platform.into(),
            app: "django".into(),
            app_version: version.into(),
            ..RawInputs::default()
        };
        raw.options.insert("service".into(), "svc".into());
        raw.options.insert("region".into(), "us-central1".into());
        if platform != "cloud-run" {
            raw.options.clear();
        }
        let g = engine::generate(&raw);
        let verify = g.block("verify").expect("verify");
        let report = common::shellcheck_report(&verify.content);
        assert!(report.trim().is_empty(), "{report}");
    }
}
