//! End to end with the real Label Studio (PyPI `label-studio==1.23.2`, installed by the harness
//! into a cached venv under target/e2e-venv): a browser login through an emulated Cloud Run
//! front end (`Host: <public host>`, `X-Forwarded-Proto: https`, `Origin`/`Referer` of the public
//! origin) fails with 403 without the generated env, and passes with it, for the run.app URL and
//! a custom domain together. The generated verify.sh, run with bash and curl against the same
//! server through a TLS-terminating front end, reports the 403 with its fix without the env and
//! the passing check with it. The harness is tests/e2e/label_studio_login.py.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use proxytrust::engine;

const ORIGINS: [&str; 2] = [
    "https://labelstudio-abc123-uc.a.run.app",
    "https://ls.example.com",
];

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Runs the harness; returns its JSON report.
fn login(
    env: &BTreeMap<String, String>,
    flags_user: Option<(&str, &str)>,
    verify_script: &str,
) -> serde_json::Value {
    let py = common::venv("label-studio", &["label-studio==1.23.2"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let env_file = dir.path().join("env.json");
    std::fs::write(&env_file, serde_json::to_string(env).expect("json")).expect("write env");
    let mut cmd = Command::new(py);
    cmd.arg(common::repo_root().join("tests/e2e/label_studio_login.py"))
        .arg("--port")
        .arg(free_port().to_string())
        .arg("--env-json")
        .arg(&env_file)
        .arg("--data-dir")
        .arg(dir.path().join("data"));
    for o in ORIGINS {
        cmd.arg("--origin").arg(o);
    }
    if let Some((u, p)) = flags_user {
        cmd.arg("--username").arg(u).arg("--password").arg(p);
    }
    let verify = dir.path().join("verify.sh");
    std::fs::write(&verify, verify_script).expect("write verify.sh");
    cmd.arg("--verify-script").arg(&verify);
    let out = cmd.output().expect("run the harness");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "harness output is not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn login_fails_without_the_generated_env_and_passes_with_it() {
    let mut raw = common::ls_cloud_run(
        &ORIGINS,
        &[
            ("service", "labelstudio"),
            ("region", "us-central1"),
            ("admin_email", "admin@example.com"),
        ],
    );
    proxytrust::secrets::fill_missing(&mut raw).expect("csprng");
    let g = engine::generate(&raw);
    assert!(!g.has_errors(), "{:?}", g.diagnostics);
    // What the deploy gives the container: literals as listed, secrets with their values. The
    // harness chooses the port itself.
    let generated = common::container_env(&raw, &g);
    let verify = g.block("verify").expect("verify block").content.clone();
    let verify2 = verify.clone();
    assert_eq!(
        generated["CSRF_TRUSTED_ORIGINS"],
        "https://labelstudio-abc123-uc.a.run.app,https://ls.example.com"
    );
    let password = generated["LABEL_STUDIO_PASSWORD"].clone();

    // Both servers start at once (each takes about a minute of migrations).
    let empty = BTreeMap::new();
    let without = std::thread::spawn(move || {
        login(
            &empty,
            Some(("admin@example.com", "a-password-1234")),
            &verify2,
        )
    });
    let with = login(&generated, None, &verify);
    let without = without.join().expect("thread");

    // 1. Without the generated env: the failure from the write-up, for both origins.
    assert_eq!(without["server_started"], true, "{without:#}");
    for r in without["results"].as_array().expect("results") {
        assert_eq!(r["post_status"], 403, "{r:#}");
        let log = r["log_excerpt"].to_string();
        assert!(log.contains("Origin checking failed"), "{log}");
    }

    // 2. With it: login passes for the run.app URL and the custom domain, the session works,
    //    and the cookies are Secure.
    assert_eq!(with["server_started"], true, "{with:#}");
    let results = with["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(r["post_status"], 302, "{r:#}");
        assert_eq!(r["login_ok"], true, "{r:#}");
        for c in r["cookies"].as_array().expect("cookies") {
            if c["name"] == "csrftoken" || c["name"] == "sessionid" {
                assert_eq!(c["secure"], true, "{c}");
            }
        }
    }
    assert!(!password.is_empty());

    // The verify script, run with bash and curl through a TLS front end: it reports the failure
    // with the exact fix without the env, and the passing check with it, for every origin.
    let out = |v: &serde_json::Value| v["verify"]["output"].as_str().unwrap_or("").to_owned();
    for o in ORIGINS {
        assert!(
            out(&without).contains(&format!(
                "{o}: FAILED, HTTP 403: add exactly {o} to CSRF_TRUSTED_ORIGINS"
            )),
            "{without:#}"
        );
        assert!(
            out(&with).contains(&format!("{o}: CSRF check passed (HTTP 200)")),
            "{with:#}"
        );
    }
    assert!(!out(&with).contains("FAILED"), "{with:#}");
}
