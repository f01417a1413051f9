//! End to end with the real CVAT SDK (PyPI `cvat-sdk==2.24.0` and `cvat-sdk==2.48.0`, cached
//! venvs under target/e2e-venv) against a stand-in for CVAT's authentication API on real Django
//! (tests/e2e/cvat_stand_in.py, with CVAT's proxy settings), behind TLS-terminating front ends on
//! loopback (tests/e2e/cvat_sdk_login.py). The generated snippet and verify script run
//! unmodified: the public host resolves to the chosen front end.
//!
//! * SDK 2.24.0 with the snippet ProxyTrust writes for 2.24 (password login): through a proxy
//!   that drops Set-Cookie it fails with the write-up's `AssertionError` at `assert "sessionid"
//!   in self.api_client.cookies` (recognised by `diagnose`); through a proxy that passes the
//!   cookies it logs in.
//! * SDK 2.48.0 with the snippet ProxyTrust writes for 2.48 (personal access token): logs in
//!   through the cookie-dropping proxy too.
//! * The verify script shows whether the login response carries sessionid and csrftoken, and
//!   whether a session request passes Django's Origin check (403 `CSRF Failed` when the server
//!   sees X-Forwarded-Proto: http).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use proxytrust::engine::{self, diagnose::diagnose, inputs::RawInputs};

const URL: &str = "https://cvat.example.org";
const USER: &str = "alice";
const PASSWORD: &str = "a-long-password-for-e2e-1";
const TOKEN: &str = "pat-0123456789abcdef0123456789abcdef";

/// The snippet and verify blocks and the server env ProxyTrust writes for CVAT `version`.
fn generated(version: &str, dir: &Path) -> (String, String, BTreeMap<String, String>) {
    let mut raw = RawInputs {
        urls: vec![URL.to_owned()],
        platform: "cloud-run".into(),
        app: "cvat".into(),
        app_version: version.into(),
        ..RawInputs::default()
    };
    raw.options.insert("service".into(), "cvat".into());
    raw.options.insert("region".into(), "us-central1".into());
    proxytrust::secrets::fill_missing(&mut raw).expect("csprng");
    let g = engine::generate(&raw);
    assert!(!g.has_errors(), "{:?}", g.diagnostics);
    let snippet = g.block("snippet").expect("snippet");
    assert_eq!(snippet.language, "python");
    let snippet_path = dir.join(format!("cvat_client-{version}.py"));
    std::fs::write(&snippet_path, &snippet.content).expect("write snippet");
    let verify_path = dir.join(format!("verify-{version}.sh"));
    std::fs::write(&verify_path, &g.block("verify").expect("verify").content)
        .expect("write verify");
    (
        snippet_path.display().to_string(),
        verify_path.display().to_string(),
        common::container_env(&raw, &g),
    )
}

fn harness(
    sdk: &str,
    server_version: &str,
    dir: &Path,
    env: &BTreeMap<String, String>,
    cases: &[(&str, &str, &str)],
) -> serde_json::Value {
    let py = common::venv(&format!("cvat-sdk-{sdk}"), &[&format!("cvat-sdk=={sdk}.0")]);
    let server_py = common::venv("django-5.2", &["django==5.2.19"]);
    let work = dir.join(format!("run-{sdk}"));
    let env_file = dir.join(format!("server-env-{sdk}.json"));
    std::fs::write(&env_file, serde_json::to_string(env).expect("json")).expect("write env");
    let mut cmd = Command::new(py);
    cmd.arg(common::repo_root().join("tests/e2e/cvat_sdk_login.py"))
        .arg("--work-dir")
        .arg(&work)
        .arg("--server-python")
        .arg(server_py)
        .arg("--server-version")
        .arg(server_version)
        .arg("--public-url")
        .arg(URL)
        .arg("--user")
        .arg(USER)
        .arg("--password")
        .arg(PASSWORD)
        .arg("--access-token")
        .arg(TOKEN)
        .arg("--server-env-json")
        .arg(&env_file);
    for (name, mode, file) in cases {
        cmd.arg("--case").arg(name).arg(mode).arg(file);
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

fn case<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}: {report:#}"))
}

fn text(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

#[test]
fn sdk_2_24_password_login_needs_the_cookies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (snippet, verify, env) = generated("2.24.0", dir.path());
    assert_eq!(env["ALLOWED_HOSTS"], "cvat.example.org");
    let report = harness(
        "2.24",
        "2.24.0",
        dir.path(),
        &env,
        &[
            ("snippet-drop", "drop-set-cookie", &snippet),
            ("snippet-pass", "pass", &snippet),
            ("verify-drop", "drop-set-cookie", &verify),
            ("verify-pass", "pass", &verify),
            ("verify-proto-http", "proto-http", &verify),
        ],
    );
    assert_eq!(report["sdk_version"], "2.24.0", "{report:#}");

    // 1. The write-up's failure: login answered, the cookies never reached the SDK.
    let c = case(&report, "snippet-drop");
    assert_ne!(c["exit_code"], 0, "{c:#}");
    let stderr = text(&c["stderr"]);
    assert!(
        stderr.contains("assert \"sessionid\" in self.api_client.cookies\n"),
        "{stderr}"
    );
    assert!(stderr.contains("\nAssertionError"), "{stderr}");
    assert!(
        stderr.contains("drops Set-Cookie"),
        "the snippet's hint: {stderr}"
    );
    let found = diagnose(stderr, &RawInputs::default());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].signature, "cvat-sdk-login-cookie-assert");
    assert_eq!(found[0].app, "cvat");

    // 2. The same snippet through a proxy that passes Set-Cookie.
    let c = case(&report, "snippet-pass");
    assert_eq!(c["exit_code"], 0, "{c:#}");
    assert_eq!(
        text(&c["stdout"]).trim(),
        "Logged in to https://cvat.example.org as alice"
    );

    // 3. The verify script says which proxy drops the cookies, and which server sees http.
    let out = text(&case(&report, "verify-drop")["stdout"]).to_owned();
    assert!(
        out.contains("good: https://cvat.example.org/api/server/about answers 200"),
        "{out}"
    );
    assert!(
        out.contains("good: POST /api/auth/login answers 200"),
        "{out}"
    );
    assert!(
        out.contains("BAD: the login response sets no sessionid cookie"),
        "{out}"
    );
    assert!(
        out.contains("BAD: the login response sets no csrftoken cookie"),
        "{out}"
    );
    let out = text(&case(&report, "verify-pass")["stdout"]).to_owned();
    assert!(
        out.contains("good: the login response sets the sessionid cookie"),
        "{out}"
    );
    assert!(
        out.contains("good: the login response sets the csrftoken cookie"),
        "{out}"
    );
    assert!(
        out.contains("good: a session request passes the CSRF Origin check"),
        "{out}"
    );
    assert!(!out.contains("BAD"), "{out}");
    let out = text(&case(&report, "verify-proto-http")["stdout"]).to_owned();
    assert!(
        out.contains(
            "BAD: POST /api/auth/logout answers 403: {\"detail\": \"CSRF Failed: Origin checking failed - https://cvat.example.org does not match any trusted origins.\"}"
        ),
        "{out}"
    );
    let found = diagnose(&out, &RawInputs::default());
    assert_eq!(
        found.first().map(|d| d.signature),
        Some("django-origin-checking-failed")
    );
}

#[test]
fn sdk_2_48_access_token_needs_no_cookies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (snippet, verify, env) = generated("2.48.0", dir.path());
    let report = harness(
        "2.48",
        "2.48.0",
        dir.path(),
        &env,
        &[
            ("snippet-drop", "drop-set-cookie", &snippet),
            ("verify-pass", "pass", &verify),
        ],
    );
    assert_eq!(report["sdk_version"], "2.48.0", "{report:#}");
    let c = case(&report, "snippet-drop");
    assert_eq!(c["exit_code"], 0, "{c:#}");
    assert_eq!(
        text(&c["stdout"]).trim(),
        "Logged in to https://cvat.example.org as alice"
    );
    let out = text(&case(&report, "verify-pass")["stdout"]).to_owned();
    assert!(out.contains("good: the access token works"), "{out}");
    assert!(!out.contains("BAD"), "{out}");
}

#[test]
fn the_verify_scripts_pass_shellcheck() {
    let dir = tempfile::tempdir().expect("tempdir");
    for version in ["2.80.0", "2.47.0", "2.24.0"] {
        let (_, verify, _) = generated(version, dir.path());
        let script = std::fs::read_to_string(verify).expect("read");
        let report = common::shellcheck_report(&script);
        assert!(report.trim().is_empty(), "{version}: {report}");
    }
}
