//! End to end with the real libraries behind Open WebUI 0.12.4's OIDC sign-in: authlib 1.7.2,
//! itsdangerous 2.2.0, httpx 0.28.1, PyJWT 2.13.0 (Open WebUI 0.12.4's pins) and Starlette
//! 1.10.0 (what pip resolves for its `fastapi==0.136.3` -> `starlette>=0.46.0`), in a cached
//! venv under target/e2e-venv. The full `open-webui` package (over 100 MB, torch and more) is not
//! installed; tests/e2e/open_webui_oauth.py rebuilds its OAuth path from the 0.12.4 wheel's code.
//!
//! Two instances, a fake identity provider on loopback, and a browser played by hand: sign-in
//! starts on instance A, the provider's redirect lands on instance B.
//! * Keys made per container (what happens without WEBUI_SECRET_KEY): B raises authlib's
//!   `MismatchingStateError`, `mismatching_state: CSRF Warning! State not equal in request and
//!   response.`, before any token request.
//! * The WEBUI_SECRET_KEY ProxyTrust writes (read back by bash from the generated .env block):
//!   B passes the state check and completes the token exchange with the registered
//!   redirect_uri.
//! * The session cookie ProxyTrust configures is `SameSite=lax` and `Secure`. That a `strict`
//!   cookie is not sent on the cross-site redirect back from the provider is a browser rule
//!   (RFC 6265bis), not something a Python client can show, so it is not faked here.

mod common;

use std::process::Command;

use proxytrust::engine::{self, inputs::RawInputs};

const ORIGIN: &str = "https://webui-abc123-uc.a.run.app";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn harness(dotenv: &std::path::Path, idp_port: u16, keys: &str) -> serde_json::Value {
    let py = common::venv(
        "open-webui-oauth",
        &[
            "authlib==1.7.2",
            "starlette==1.10.0",
            "itsdangerous==2.2.0",
            "httpx==0.28.1",
            "pyjwt==2.13.0",
        ],
    );
    let out = Command::new(py)
        .arg(common::repo_root().join("tests/e2e/open_webui_oauth.py"))
        .arg("--dotenv")
        .arg(dotenv)
        .arg("--idp-port")
        .arg(idp_port.to_string())
        .arg("--keys")
        .arg(keys)
        .output()
        .expect("run the harness");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "harness output is not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn a_shared_generated_key_turns_mismatching_state_into_a_completed_sign_in() {
    let idp_port = free_port();
    let mut raw = RawInputs {
        urls: vec![ORIGIN.to_owned()],
        platform: "cloud-run".into(),
        app: "open-webui".into(),
        ..RawInputs::default()
    };
    for (k, v) in [
        ("service", "webui"),
        ("region", "us-central1"),
        ("max_instances", "3"),
        (
            "openid_provider_url",
            &format!("http://127.0.0.1:{idp_port}/.well-known/openid-configuration"),
        ),
        ("oauth_client_id", "open-webui"),
        ("database", "postgres"),
        ("redis", "yes"),
        ("shared_data", "yes"),
    ] {
        raw.options.insert(k.into(), v.to_owned());
    }
    // The caller's CSPRNG makes the key (as the GUI's Generate button and --generate-secrets do);
    // the other secrets are typed by the user.
    let shape = engine::generate(&raw)
        .env
        .iter()
        .find(|e| e.name == "WEBUI_SECRET_KEY")
        .and_then(|e| e.generate);
    let key = proxytrust::secrets::generate_for(shape).expect("csprng");
    raw.secrets.insert("WEBUI_SECRET_KEY".into(), key.clone());
    raw.secrets.insert(
        "OAUTH_CLIENT_SECRET".into(),
        "client-secret-from-idp".into(),
    );
    raw.secrets.insert(
        "DATABASE_URL".into(),
        "postgresql://owui:pw@10.0.0.3:5432/owui".into(),
    );
    raw.secrets
        .insert("REDIS_URL".into(), "redis://10.0.0.4:6379/0".into());

    let g = engine::generate(&raw);
    assert!(!g.has_errors(), "{:?}", g.diagnostics);
    assert_eq!(key.len(), 64, "32 random bytes as hex");
    let dotenv = g.block("dotenv").expect("dotenv block");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("open-webui.env");
    std::fs::write(&path, &dotenv.content).expect("write .env");

    // 1. Without a shared key (each container makes its own): the failure from the issue.
    let per_container = harness(&path, idp_port, "per-container");
    assert_eq!(per_container["same_key"], false, "{per_container:#}");
    assert_eq!(per_container["login_status"], 302, "{per_container:#}");
    assert_eq!(per_container["callback_status"], 400, "{per_container:#}");
    assert_eq!(
        per_container["callback"]["error_class"], "MismatchingStateError",
        "{per_container:#}"
    );
    assert_eq!(
        per_container["callback"]["error"],
        "mismatching_state: CSRF Warning! State not equal in request and response.",
        "{per_container:#}"
    );
    // It fails on the state check, before the provider is asked for a token.
    assert_eq!(
        per_container["token_requests"].as_array().map(Vec::len),
        Some(0),
        "{per_container:#}"
    );
    // The message is one `proxytrust diagnose` recognises as Open WebUI's.
    let error = per_container["callback"]["error"]
        .as_str()
        .expect("error text");
    let found = engine::diagnose::diagnose(error, &RawInputs::default());
    assert_eq!(
        found.first().map(|d| d.app),
        Some("open-webui"),
        "{found:?}"
    );

    // 2. With the generated WEBUI_SECRET_KEY on both instances: past the state check, token
    //    exchange done with the registered redirect URI.
    let shared = harness(&path, idp_port, "shared");
    assert_eq!(shared["same_key"], true, "{shared:#}");
    assert_eq!(shared["webui_secret_key_length"], 64, "{shared:#}");
    assert_eq!(shared["callback_status"], 200, "{shared:#}");
    assert_eq!(shared["callback"]["ok"], true, "{shared:#}");
    assert_eq!(shared["callback"]["access_token"], "fake-access-token");
    let redirect_uri = format!("{ORIGIN}/oauth/oidc/callback");
    assert_eq!(
        shared["authorize_params"]["redirect_uri"], redirect_uri,
        "{shared:#}"
    );
    let token_requests = shared["token_requests"].as_array().expect("token requests");
    assert_eq!(token_requests.len(), 1, "{shared:#}");
    assert_eq!(token_requests[0]["form"]["redirect_uri"], redirect_uri);
    assert_eq!(token_requests[0]["form"]["code"], "fake-code");
    assert!(
        shared["location"]
            .as_str()
            .is_some_and(|l| l.contains(&format!("127.0.0.1:{idp_port}/authorize?")))
    );

    // 3. The session cookie as configured: owui-session, SameSite=lax, Secure.
    let cookies = shared["set_cookie"].as_array().expect("cookies");
    let session = cookies
        .iter()
        .find(|c| c["name"] == "owui-session")
        .unwrap_or_else(|| panic!("no owui-session cookie: {shared:#}"));
    assert_eq!(session["samesite"], "lax", "{session}");
    assert_eq!(session["secure"], true, "{session}");

    // 4. The generated key is long enough for PyJWT; the older start.sh key (16 characters)
    //    gets the warning ProxyTrust's signature recognises.
    assert_eq!(shared["jwt_warnings_with_key"], serde_json::json!([]));
    let warning = shared["jwt_warnings_start_sh_key"][0]
        .as_str()
        .expect("a PyJWT warning for a 16-character key");
    assert!(warning.starts_with("InsecureKeyLengthWarning: The HMAC key is 16 bytes long"));
    let found = engine::diagnose::diagnose(warning, &RawInputs::default());
    assert_eq!(
        found.first().map(|d| d.signature),
        Some("pyjwt-insecure-key-length")
    );

    // 5. Versions actually used.
    assert_eq!(shared["versions"]["authlib"], "1.7.2");
    assert_eq!(shared["versions"]["pyjwt"], "2.13.0");
}

#[test]
fn the_verify_script_passes_shellcheck_and_checks_what_the_harness_saw() {
    let mut raw = RawInputs {
        urls: vec![ORIGIN.to_owned(), "https://chat.example.org".to_owned()],
        platform: "cloud-run".into(),
        app: "open-webui".into(),
        ..RawInputs::default()
    };
    for (k, v) in [
        ("service", "webui"),
        ("region", "us-central1"),
        (
            "openid_provider_url",
            "https://idp.example.com/.well-known/openid-configuration",
        ),
        ("oauth_client_id", "open-webui"),
    ] {
        raw.options.insert(k.into(), v.into());
    }
    let platforms = proxytrust::engine::platforms::PLATFORMS
        .iter()
        .map(|p| p.id());
    let cases = platforms.flat_map(|p| ["", "0.5.20", "0.6.5"].map(move |v| (p, v)));
    for (platform, version) in cases {
        raw.platform = platform.into();
        raw.app_version = version.into();
        let g = engine::generate(&raw);
        let verify = g.block("verify").expect("verify block");
        let report = common::shellcheck_report(&verify.content);
        assert!(report.trim().is_empty(), "{platform} {version}: {report}");
        let out = Command::new("bash")
            .arg("-n")
            .arg("-c")
            .arg(&verify.content)
            .output()
            .expect("bash -n");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // authlib encodes redirect_uri with %3A and %2F (seen in the harness's Location).
        assert!(verify.content.contains("s/:/%3A/g"), "{}", verify.content);
        assert!(verify.content.contains("/health"));
    }
}
