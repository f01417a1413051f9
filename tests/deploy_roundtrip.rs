//! The deploy script, run by the real bash with a stand-in `gcloud` that records its argv, gives
//! exactly the intended argv; gcloud's own parsing algorithm (tests/common) turns the env flag
//! back into exactly the intended variables; secrets reach `gcloud secrets create` byte for byte
//! on stdin; and the YAML env file reads back (PyYAML, YAML 1.1 like gcloud) to the same map.
//! shellcheck reports nothing on any generated script.

mod common;

use std::collections::BTreeMap;

use proptest::prelude::*;
use proxytrust::engine::{self, Generated};

use common::*;

/// The variables the container should get from the env flag: every non-secret variable of the
/// JSON `env` list except the platform-injected `PORT` (inline secrets come from `secrets`).
fn intended_env(
    g: &Generated,
    secrets: &BTreeMap<String, String>,
    inline: bool,
) -> BTreeMap<String, String> {
    g.env
        .iter()
        .filter(|e| e.name != "PORT")
        .filter_map(|e| {
            if e.secret {
                inline.then(|| {
                    (
                        e.name.clone(),
                        secrets.get(&e.name).cloned().unwrap_or_default(),
                    )
                })
            } else {
                Some((e.name.clone(), e.value.clone()))
            }
        })
        .collect()
}

fn flag_value<'a>(argv: &'a [String], flag: &str) -> Option<&'a str> {
    argv.iter().find_map(|a| a.strip_prefix(flag))
}

/// Checks one set of inputs end to end; returns a description of the first mismatch.
fn check_round_trip(
    raw: &proxytrust::engine::inputs::RawInputs,
    inline: bool,
) -> Result<(), String> {
    let g = engine::generate(raw);
    let deploy = g.block("deploy").ok_or("no deploy block")?;
    // The script reads secret values from NAME_VALUE shell variables.
    let shell_vars: Vec<(String, String)> = raw
        .secrets
        .iter()
        .map(|(k, v)| (format!("{k}_VALUE"), v.clone()))
        .collect();
    let env: Vec<(&str, &str)> = shell_vars
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (calls, out) = run_with_stand_in(&deploy.content, &env);
    if !out.status.success() {
        return Err(format!(
            "script failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            deploy.content
        ));
    }
    let deploy_call = calls
        .iter()
        .find(|c| c.argv.starts_with(&["run".into(), "deploy".into()]))
        .ok_or("no gcloud run deploy call")?;
    // 1. argv: exactly what the engine meant (its Lit words).
    let intended_argv: Vec<String> = engine::deploy_command(raw)[1..].to_vec();
    if deploy_call.argv != intended_argv {
        return Err(format!(
            "argv changed by the shell:\n got  {:?}\n want {intended_argv:?}",
            deploy_call.argv
        ));
    }
    // 2. gcloud's algorithm on the env flag gives exactly the intended variables.
    let want = intended_env(&g, &raw.secrets, inline);
    let got = match flag_value(&deploy_call.argv, "--update-env-vars=")
        .or_else(|| flag_value(&deploy_call.argv, "--set-env-vars="))
    {
        Some(v) => gcloud_dict(v)?,
        None => BTreeMap::new(),
    };
    if got != want {
        return Err(format!("env differs:\n got  {got:?}\n want {want:?}"));
    }
    // 3. Secrets reach `gcloud secrets create` exactly, and --set-secrets names them.
    if !inline {
        let refs = flag_value(&deploy_call.argv, "--set-secrets=")
            .map(gcloud_dict)
            .transpose()?
            .unwrap_or_default();
        for (name, value) in &raw.secrets {
            let Some(reference) = refs.get(name) else {
                continue;
            };
            let secret = reference.split(':').next().unwrap_or_default();
            let create = calls
                .iter()
                .find(|c| c.argv.len() > 2 && c.argv[..3] == ["secrets", "create", secret])
                .ok_or(format!("secret {secret} not created"))?;
            if create.stdin.as_deref() != Some(value.as_bytes()) {
                return Err(format!("secret {name} stdin differs: {:?}", create.stdin));
            }
        }
    }
    Ok(())
}

/// Values that break naive quoting: quotes, `$`, backticks, backslashes, commas, `^`, `|`, `=`,
/// newlines, unicode, and every candidate gcloud delimiter.
fn nasty() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "'", "\"", "$", "$(id)", "`id`", "\\", ",", "^", "^|^", "|", ";", "~", "!", "#", "%", "*",
        "+", "=", "\n", "\t", " ", "é", "日本", "🙂", "a", "Z", "0", "${HOME}", "'\"'\"'", "&",
        "<", ">", "{", "}", ":", "@", "--", "\r",
    ]);
    prop::collection::vec(atoms, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn nasty_extra_values_survive_bash_and_gcloud(
        a in nasty(), b in nasty(), c in nasty(), secret in nasty(), password in nasty(),
        inline in any::<bool>(), set_flag in any::<bool>(),
    ) {
        let mut opts = vec![
            ("service", "labelstudio"), ("region", "us-central1"),
            ("admin_email", "admin@example.com"),
        ];
        if inline { opts.push(("secrets", "inline")); }
        if set_flag { opts.push(("env_flag", "set")); }
        let raw = with_extras(
            ls_cloud_run(&["https://labelstudio-abc123-uc.a.run.app", "https://ls.example.com"], &opts),
            &[("EXTRA_A", &a), ("EXTRA_B", &b), ("EXTRA_C", &c)],
        );
        let mut raw = raw;
        raw.secrets.insert("SECRET_KEY".into(), format!("k{secret}"));
        raw.secrets.insert("LABEL_STUDIO_PASSWORD".into(), format!("p{password}"));
        if let Err(e) = check_round_trip(&raw, inline) {
            prop_assert!(false, "{}", e);
        }
        // The extra values are in the env flag exactly as typed.
        let g = engine::generate(&raw);
        let deploy = &g.block("deploy").expect("deploy").content;
        let (calls, _) = run_with_stand_in(deploy, &[
            ("SECRET_KEY_VALUE", "x"), ("LABEL_STUDIO_PASSWORD_VALUE", "y"),
        ]);
        let call = calls.iter().find(|c| c.argv.starts_with(&["run".into(), "deploy".into()])).expect("deploy call");
        let flag = flag_value(&call.argv, "--update-env-vars=")
            .or_else(|| flag_value(&call.argv, "--set-env-vars=")).expect("env flag");
        let got = gcloud_dict(flag).expect("gcloud parses it");
        prop_assert_eq!(got.get("EXTRA_A").map(String::as_str), Some(a.as_str()));
        prop_assert_eq!(got.get("EXTRA_B").map(String::as_str), Some(b.as_str()));
        prop_assert_eq!(got.get("EXTRA_C").map(String::as_str), Some(c.as_str()));
    }
}

#[test]
fn the_write_up_command_is_rejected_by_gcloud_and_ours_is_not() {
    // The seed write-up's --update-env-vars value after bash removed the double quotes.
    let seed = "DISABLE_SIGNUP_WITHOUT_LINK=0,USERNAME=your-email,PASSWORD=your-password,\
                CSRF_TRUSTED_ORIGINS=https://your-service-name.a.run.app,USE_X_FORWARDED_HOST=true,\
                USE_X_FORWARDED_PORT=true,SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https";
    assert_eq!(
        gcloud_dict(seed),
        Err("Bad syntax for dict arg: [https]".to_owned())
    );
    // The verified alternate-delimiter example (shared/knowledge/verified.md).
    let v = gcloud_dict("^|^A=1|SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https|P=it's $x")
        .expect("parses");
    assert_eq!(v["SECURE_PROXY_SSL_HEADER"], "HTTP_X_FORWARDED_PROTO,https");
    assert_eq!(v["P"], "it's $x");
    assert_eq!(gcloud_dict("A=1,,B=2"), Err("Invalid flag value []".into()));
}

#[test]
fn fixed_cases_round_trip_and_generated_secret_key_is_used() {
    let raw = ls_cloud_run(
        &[
            "https://labelstudio-abc123-uc.a.run.app",
            "https://ls.example.com",
        ],
        &[
            ("service", "labelstudio"),
            ("region", "us-central1"),
            ("admin_email", "admin@example.com"),
        ],
    );
    let mut with_secrets = raw.clone();
    with_secrets
        .secrets
        .insert("SECRET_KEY".into(), "key,with|commas^and'quotes".into());
    with_secrets
        .secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "pa ss\nword".into());
    check_round_trip(&with_secrets, false).expect("round trip");

    // Without SECRET_KEY_VALUE the script generates one (openssl) and still creates the secret;
    // without the password it stops before deploying.
    let g = engine::generate(&raw);
    let deploy = &g.block("deploy").expect("deploy").content;
    let (calls, out) = run_with_stand_in(deploy, &[("LABEL_STUDIO_PASSWORD_VALUE", "pw")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let create = calls
        .iter()
        .find(|c| c.argv[..3] == ["secrets", "create", "labelstudio-secret-key"])
        .expect("secret key created");
    let key = create.stdin.clone().expect("stdin");
    assert!(key.len() >= 60, "generated key too short: {}", key.len());
    assert!(!key.contains(&b'\n'));
    let (calls, out) = run_with_stand_in(deploy, &[]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("export LABEL_STUDIO_PASSWORD_VALUE first")
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.argv.starts_with(&["run".into(), "deploy".into()]))
    );
}

#[test]
fn env_file_reads_back_as_strings_with_pyyaml() {
    let tricky = [
        ("N_INT", "8080"),
        ("N_BOOL", "true"),
        ("N_NO", "no"),
        ("N_ON", "on"),
        ("N_NULL", "~"),
        ("N_EMPTY", ""),
        ("N_QUOTE", "it's \"q\""),
        ("N_NL", "a\nb"),
        ("N_HASH", "# not a comment"),
        ("N_COLON", "a: b"),
        ("N_UNI", "é\u{85}\u{2028}x"),
        ("N_BS", "C:\\path\\"),
        ("N_STAR", "*alias"),
        ("N_AMP", "&anchor"),
        ("N_DASH", "- item"),
        ("N_BRACE", "{a: 1}"),
        ("N_OCT", "0o17"),
        ("N_SEXA", "1:20"),
        ("N_FLOAT", "1e3"),
        ("N_TAB", "\tx "),
    ];
    for inline in [false, true] {
        let mut opts = vec![
            ("service", "ls"),
            ("region", "us-central1"),
            ("admin_email", "a@b.co"),
        ];
        if inline {
            opts.push(("secrets", "inline"));
        }
        let mut raw = with_extras(ls_cloud_run(&["https://ls.example.com"], &opts), &tricky);
        raw.secrets.insert("SECRET_KEY".into(), "s'e\"c".into());
        raw.secrets
            .insert("LABEL_STUDIO_PASSWORD".into(), "yes".into());
        let g = engine::generate(&raw);
        let yaml = &g.block("env").expect("env").content;
        let got = yaml_string_map(yaml).expect("PyYAML reads it as strings");
        assert_eq!(
            got,
            intended_env(&g, &raw.secrets, inline),
            "inline={inline}\n{yaml}"
        );
    }
}

#[test]
fn shellcheck_is_clean_on_every_script() {
    let mut cases = vec![
        ls_cloud_run(
            &["https://labelstudio-abc123-uc.a.run.app"],
            &[("service", "labelstudio"), ("region", "us-central1")],
        ),
        ls_cloud_run(
            &[
                "https://labelstudio-abc123-uc.a.run.app",
                "https://ls.example.com",
            ],
            &[
                ("service", "labelstudio"),
                ("region", "us-central1"),
                ("admin_email", "admin@example.com"),
                ("database", "postgres"),
                ("postgres_host", "10.0.0.3"),
            ],
        ),
        ls_cloud_run(
            &["https://ls.example.com"],
            &[("secrets", "inline"), ("env_flag", "set")],
        ),
        ls_cloud_run(
            &["https://ls.example.com"],
            &[("env_flag", "file"), ("admin_email", "a@b.co")],
        ),
    ];
    let nasty = with_extras(
        ls_cloud_run(
            &["https://ls.example.com"],
            &[("service", "ls"), ("region", "us-central1")],
        ),
        &[("X", "$(rm -rf /) `id` ' \" \\ \n ^|^ ,")],
    );
    cases.push(nasty);
    for raw in &cases {
        let g = engine::generate(raw);
        for id in ["deploy", "verify"] {
            let b = g.block(id).expect("block");
            let report = shellcheck_report(&b.content);
            assert!(
                report.is_empty(),
                "shellcheck on {id}:\n{report}\n{}",
                b.content
            );
        }
        // The dotenv is shell too. SC2034 ("appears unused") is excluded: every assignment in an
        // env file is there for the process it is loaded into.
        let dotenv = g.block("dotenv").expect("dotenv");
        let report = shellcheck_report_excluding(
            &format!("#!/usr/bin/env bash\n{}", dotenv.content),
            &["SC2034"],
        );
        assert!(report.is_empty(), "shellcheck on dotenv:\n{report}");
    }
}

#[test]
fn dotenv_reads_back_in_bash() {
    let raw = with_extras(
        ls_cloud_run(
            &["https://ls.example.com"],
            &[("service", "ls"), ("region", "us-central1")],
        ),
        &[("X", "$(id) `id` ' \" \\ \n ^|^ , é")],
    );
    let mut raw = raw;
    raw.secrets.insert("SECRET_KEY".into(), "a'b$c".into());
    let g = engine::generate(&raw);
    let dotenv = &g.block("dotenv").expect("dotenv").content;
    let script = format!(
        "set -a\n{dotenv}\nset +a\nprintf '%s\\0' \"$X\" \"$SECRET_KEY\" \"$CSRF_TRUSTED_ORIGINS\""
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .expect("bash");
    let parts: Vec<&[u8]> = out.stdout.split(|b| *b == 0).collect();
    assert_eq!(parts[0], "$(id) `id` ' \" \\ \n ^|^ , é".as_bytes());
    assert_eq!(parts[1], b"a'b$c");
    assert_eq!(parts[2], b"https://ls.example.com");
}
