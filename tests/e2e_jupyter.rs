//! End to end with the real JupyterHub, Jupyter Server and Tornado behind an emulated
//! TLS-terminating front end (tests/e2e/jupyter_xsrf.py; requests to loopback with the public
//! `Host`, `X-Forwarded-Proto: https`, `X-Forwarded-For`, as Cloud Run's front end sends them).
//!
//! Installed from PyPI into cached venvs under target/e2e-venv (tests/e2e/venv.sh):
//! * `jupyter-newest`: jupyterhub 6.1.1, jupyter-server 2.21.1, tornado 6.5.7 (the versions
//!   ProxyTrust generates for by default);
//! * `jupyterhub-4.1.1` and `jupyterhub-4.1.3`: those Hubs with the same jupyter-server 2.13.0
//!   and tornado 6.4, so only JupyterHub differs;
//! * `tornado-6.2`: tornado 6.2.
//!
//! configurable-http-proxy 5.1.0 (the version in the official JupyterHub image's lock file) comes
//! from npm into target/e2e-node; the Hub starts it itself, and single-user servers are real
//! `jupyterhub-singleuser` processes reached through it (OAuth included).
//!
//! What is shown, failure first:
//! * JupyterHub 6.1.1: without the generated config and env, a login whose page and POST pass
//!   through two front-end addresses fails (`XSRF error on login form: HTTP 403: Forbidden (XSRF
//!   cookie does not match POST argument)`) and the login cookie is not Secure; with them it logs
//!   in through both, the cookie is Secure. Then a cookie-authenticated Hub API POST and
//!   single-user POST without `_xsrf` are refused, with `X-XSRFToken` accepted, and the
//!   generated client code (token, no `_xsrf`) starts the server and creates a notebook.
//! * JupyterHub 4.1.1 vs 4.1.3 with the generated `c.Spawner.args` that turns the single-user XSRF
//!   check off: 4.1.1 still refuses the cookie POST (`Not accepting cookie auth on POST ...`),
//!   4.1.3 accepts it. Tokens work on both.
//! * Jupyter Server 2.21.1: without the generated config the login cookie is not Secure and the
//!   server logs the front end's address; with it, Secure and the client's address. Cookie POST
//!   without `_xsrf` refused, token POST (generated client code) accepted.
//! * Tornado: without xheaders the app sees `http` and the front end's address; with the
//!   generated settings `https`, the client's address, a Secure `__Host-xsrf` cookie the
//!   snippet's JavaScript finds, and the API token path. The 6.5.7 snippet breaks on Tornado 6.2
//!   (`get_signed_cookie`), the 6.2.0 snippet works there.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use proxytrust::engine::{self, Generated, diagnose::diagnose, inputs::RawInputs};
use serde_json::Value;

const HUB_URL: &str = "https://hub-abc123-uc.a.run.app";
const LAB_URL: &str = "https://lab-abc123-uc.a.run.app";
const APP_URL: &str = "https://app-abc123-uc.a.run.app";

fn newest_venv() -> PathBuf {
    common::venv(
        "jupyter-newest",
        &[
            "jupyterhub==6.1.1",
            "jupyter-server==2.21.1",
            "tornado==6.5.7",
        ],
    )
}

fn hub_venv(version: &str) -> PathBuf {
    common::venv(
        &format!("jupyterhub-{version}"),
        &[
            &format!("jupyterhub=={version}"),
            "jupyter-server==2.13.0",
            "tornado==6.4",
        ],
    )
}

/// Where cached node packages go: beside the venvs.
fn node_root() -> PathBuf {
    std::env::var_os("E2E_VENV_ROOT")
        .map(PathBuf::from)
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| common::repo_root().join("target"))
        .join("e2e-node")
}

/// configurable-http-proxy 5.1.0 from npm (installed once; tests in this file share it).
fn chp() -> PathBuf {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = node_root().join("chp-5.1.0");
    let bin = dir.join("node_modules/.bin/configurable-http-proxy");
    let stamp = dir.join(".e2e-stamp");
    if !(bin.exists() && stamp.exists()) {
        std::fs::create_dir_all(&dir).expect("mkdir e2e-node");
        let out = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                ".",
                "configurable-http-proxy@5.1.0",
            ])
            .current_dir(&dir)
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("npm (node and npm are needed for JupyterHub's proxy)");
        assert!(
            out.status.success(),
            "npm install configurable-http-proxy failed"
        );
        std::fs::write(&stamp, "configurable-http-proxy@5.1.0\n").expect("stamp");
    }
    bin
}

/// Runs the engine with generated secrets (as --generate-secrets does) and writes the snippet and
/// the dotenv block into `dir`.
fn generate_into(
    mut raw: RawInputs,
    dir: &Path,
    snippet_name: &str,
) -> (Generated, PathBuf, PathBuf) {
    for e in engine::generate(&raw).env.iter().filter(|e| e.secret) {
        let value = proxytrust::secrets::generate_for(e.generate).expect("csprng");
        raw.secrets.insert(e.name.clone(), value);
    }
    let g = engine::generate(&raw);
    let snippet = dir.join(snippet_name);
    let dotenv = dir.join(format!("{}.env", raw.app));
    std::fs::write(&snippet, &g.block("snippet").expect("snippet").content).expect("write snippet");
    std::fs::write(&dotenv, &g.block("dotenv").expect("dotenv").content).expect("write dotenv");
    (g, snippet, dotenv)
}

fn inputs(app: &str, url: &str, version: &str, opts: &[(&str, &str)]) -> RawInputs {
    let mut raw = RawInputs {
        urls: vec![url.to_owned()],
        platform: "cloud-run".into(),
        app: app.into(),
        app_version: version.into(),
        ..RawInputs::default()
    };
    raw.options.insert(
        "service".into(),
        url[8..].split('-').next().unwrap_or("svc").into(),
    );
    raw.options.insert("region".into(), "us-central1".into());
    for (k, v) in opts {
        raw.options.insert((*k).into(), (*v).into());
    }
    raw
}

fn harness(py: &Path, args: &[&str]) -> Value {
    let out = Command::new(py)
        .arg(common::repo_root().join("tests/e2e/jupyter_xsrf.py"))
        .args(args)
        .output()
        .expect("run the harness");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "harness output is not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(v.get("error").is_none(), "harness failed: {v:#}");
    v
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The one diagnosis `proxytrust diagnose` gives for a log line: (signature, app).
fn diagnosed(line: &str) -> (&'static str, &'static str) {
    let found = diagnose(line, &RawInputs::default());
    assert!(!found.is_empty(), "not recognised: {line}");
    (found[0].signature, found[0].app)
}

fn lines_with<'a>(v: &'a Value, key: &str, needle: &str) -> Vec<&'a str> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|l| l.contains(needle))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn jupyterhub_login_through_two_front_end_addresses_and_token_vs_cookie() {
    let py = newest_venv();
    let chp = chp();
    let dir = tempfile::tempdir().expect("tempdir");
    let (g, config, dotenv) = generate_into(
        inputs("jupyterhub", HUB_URL, "", &[]),
        dir.path(),
        "jupyterhub_config.py",
    );
    assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);

    // 1. Without the generated config and env: the load-balancer failure at login.
    let bare = harness(
        &py,
        &[
            "hub",
            "--workdir",
            s(&dir.path().join("bare")),
            "--chp",
            s(&chp),
            "--public",
            HUB_URL,
            "--replicas",
            "alternate",
        ],
    );
    assert_eq!(bare["versions"]["jupyterhub"], "6.1.1", "{bare:#}");
    assert_eq!(bare["login"]["get_status"], 200, "{bare:#}");
    assert_ne!(bare["login"]["replica_get"], bare["login"]["replica_post"]);
    assert_eq!(bare["login"]["post_status"], 403, "{bare:#}");
    assert_eq!(
        bare["login"]["message"],
        "Login form invalid or expired. Try again."
    );
    let line = lines_with(&bare, "login_log", "XSRF error on login form");
    assert_eq!(line.len(), 1, "{bare:#}");
    assert!(
        line[0].ends_with(
            "XSRF error on login form: HTTP 403: Forbidden (XSRF cookie does not match POST argument)"
        ),
        "{}",
        line[0]
    );
    assert_eq!(
        diagnosed(line[0]),
        ("jupyterhub-login-form-xsrf", "jupyterhub")
    );
    // The Hub saw the two front-end addresses (configurable-http-proxy appends its peer), not the
    // client's.
    assert_eq!(
        bare["remote_ips_seen"],
        serde_json::json!(["127.0.0.2", "127.0.0.3"]),
        "{bare:#}"
    );
    // Through one address the login works, but the cookie is not Secure (no public_url).
    assert_eq!(bare["login_one_replica"]["post_status"], 302, "{bare:#}");
    assert_eq!(bare["login_cookie"]["secure"], false, "{bare:#}");

    // 2. With the generated jupyterhub_config.py and env: logged in through both addresses.
    let fixed = harness(
        &py,
        &[
            "hub",
            "--workdir",
            s(&dir.path().join("generated")),
            "--chp",
            s(&chp),
            "--public",
            HUB_URL,
            "--replicas",
            "alternate",
            "--config",
            s(&config),
            "--dotenv",
            s(&dotenv),
        ],
    );
    assert_eq!(
        fixed["env_from_dotenv"],
        serde_json::json!(["JPY_COOKIE_SECRET", "JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS"])
    );
    assert_ne!(
        fixed["login"]["replica_get"],
        fixed["login"]["replica_post"]
    );
    assert_eq!(fixed["login"]["post_status"], 302, "{fixed:#}");
    assert_eq!(fixed["login_log"], serde_json::json!([]), "{fixed:#}");
    assert_eq!(fixed["login_cookie"]["secure"], true, "{fixed:#}");

    // 3. Cookie vs token, on the Hub and on the single-user server.
    assert_eq!(fixed["hub_api_cookie_no_xsrf"]["status"], 403, "{fixed:#}");
    assert_eq!(
        fixed["hub_api_cookie_no_xsrf"]["message"],
        "'_xsrf' argument missing from POST"
    );
    assert_eq!(
        fixed["hub_api_cookie_with_xsrf"]["status"], 201,
        "{fixed:#}"
    );
    let spawn = fixed["client_spawn"]["status"].as_u64();
    assert!(matches!(spawn, Some(201 | 202)), "{fixed:#}");
    assert_eq!(fixed["client_spawn"]["generated_base"], HUB_URL);
    assert_eq!(fixed["server_ready"], true, "{fixed:#}");
    let chain = fixed["oauth"]["chain"].as_array().expect("oauth chain");
    assert!(
        chain
            .iter()
            .any(|c| c["path"] == "/hub/api/oauth2/authorize"),
        "{fixed:#}"
    );
    assert_eq!(
        fixed["singleuser_cookie_no_xsrf"]["status"], 403,
        "{fixed:#}"
    );
    assert_eq!(
        fixed["singleuser_cookie_no_xsrf"]["message"],
        "'_xsrf' argument missing from POST"
    );
    assert_eq!(
        fixed["singleuser_cookie_with_xsrf"]["status"], 201,
        "{fixed:#}"
    );
    assert_eq!(fixed["singleuser_client_token"]["status"], 201, "{fixed:#}");
    assert_eq!(fixed["singleuser_client_token"]["body"]["type"], "notebook");
    let refused = lines_with(
        &fixed,
        "singleuser_log",
        "403 POST /user/alice/api/contents",
    );
    assert!(!refused.is_empty(), "{fixed:#}");
    assert_eq!(
        diagnosed(refused[0]),
        ("jupyterhub-xsrf-missing-post", "jupyterhub")
    );
}

/// Runs JupyterHub `version` with the generated config that turns the single-user XSRF check off.
fn disable_check_xsrf_on(version: &str) -> (Generated, Value) {
    let py = hub_venv(version);
    let chp = chp();
    let dir = tempfile::tempdir().expect("tempdir");
    let (g, config, dotenv) = generate_into(
        inputs("jupyterhub", HUB_URL, version, &[("disable_xsrf", "yes")]),
        dir.path(),
        "jupyterhub_config.py",
    );
    let snippet = std::fs::read_to_string(&config).expect("snippet");
    assert!(snippet.contains("c.Spawner.args = [\"--ServerApp.disable_check_xsrf=True\"]"));
    let v = harness(
        &py,
        &[
            "hub",
            "--workdir",
            s(&dir.path().join("hub")),
            "--chp",
            s(&chp),
            "--public",
            HUB_URL,
            "--replicas",
            "same",
            "--config",
            s(&config),
            "--dotenv",
            s(&dotenv),
        ],
    );
    assert_eq!(v["versions"]["jupyterhub"], version, "{v:#}");
    assert_eq!(v["versions"]["jupyter-server"], "2.13.0", "{v:#}");
    assert_eq!(v["login"]["post_status"], 302, "{v:#}");
    // No public_url before 5.0: the generated cookie_options make the login cookie Secure.
    assert_eq!(v["login_cookie"]["secure"], true, "{v:#}");
    assert_eq!(v["server_ready"], true, "{v:#}");
    // Tokens work either way: the legitimate path for scripts.
    assert_eq!(v["singleuser_client_token"]["status"], 201, "{v:#}");
    (g, v)
}

#[test]
fn jupyterhub_4_1_1_ignores_disable_check_xsrf() {
    let (g, v) = disable_check_xsrf_on("4.1.1");
    assert!(
        g.diagnostics.iter().any(|d| d.code == "JH002"),
        "{:?}",
        g.diagnostics
    );
    assert_eq!(v["singleuser_cookie_no_xsrf"]["status"], 403, "{v:#}");
    let line = lines_with(&v, "singleuser_log", "Not accepting cookie auth on POST");
    assert_eq!(line.len(), 1, "{v:#}");
    assert!(line[0].ends_with(
        "Not accepting cookie auth on POST /user/alice/api/contents: HTTP 403: Forbidden ('_xsrf' argument missing from POST)"
    ));
    assert_eq!(
        diagnosed(line[0]),
        ("jupyterhub-not-accepting-cookie-auth", "jupyterhub")
    );
    // 4.1.0-4.1.3 also checked navigation GETs (fixed in 4.1.4): the seed's GET message.
    let get = lines_with(&v, "singleuser_log", "'_xsrf' argument missing from GET");
    assert!(!get.is_empty(), "{v:#}");
    assert_eq!(
        diagnosed(get[0]),
        ("jupyterhub-xsrf-missing-non-post", "jupyterhub")
    );
}

#[test]
fn jupyterhub_4_1_3_respects_disable_check_xsrf() {
    let (g, v) = disable_check_xsrf_on("4.1.3");
    assert!(
        !g.diagnostics.iter().any(|d| d.code == "JH002"),
        "{:?}",
        g.diagnostics
    );
    assert!(g.diagnostics.iter().any(|d| d.code == "JH006"));
    assert_eq!(v["singleuser_cookie_no_xsrf"]["status"], 201, "{v:#}");
    assert!(lines_with(&v, "singleuser_log", "Not accepting cookie auth").is_empty());
}

#[test]
fn jupyter_server_behind_the_front_end_token_vs_cookie() {
    let py = newest_venv();
    let dir = tempfile::tempdir().expect("tempdir");
    let (g, config, dotenv) = generate_into(
        inputs("jupyter-server", LAB_URL, "", &[]),
        dir.path(),
        "jupyter_server_config.py",
    );
    assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
    let token = "0123456789abcdef0123456789abcdef";
    let bare = harness(
        &py,
        &[
            "server",
            "--workdir",
            s(&dir.path().join("bare")),
            "--public",
            LAB_URL,
            "--token",
            token,
        ],
    );
    assert_eq!(bare["versions"]["jupyter-server"], "2.21.1", "{bare:#}");
    assert_eq!(bare["login"]["status"], 302, "{bare:#}");
    assert_eq!(bare["login_cookie"]["secure"], false, "{bare:#}");
    assert_eq!(bare["log_client_ips"], serde_json::json!(["127.0.0.2"]));

    let fixed = harness(
        &py,
        &[
            "server",
            "--workdir",
            s(&dir.path().join("generated")),
            "--public",
            LAB_URL,
            "--token",
            "unused",
            "--config",
            s(&config),
            "--dotenv",
            s(&dotenv),
        ],
    );
    assert_eq!(
        fixed["env_from_dotenv"],
        serde_json::json!(["JUPYTER_COOKIE_SECRET", "JUPYTER_TOKEN"])
    );
    assert_eq!(fixed["login"]["status"], 302, "{fixed:#}");
    assert_eq!(fixed["login_cookie"]["secure"], true, "{fixed:#}");
    assert_eq!(fixed["log_client_ips"], serde_json::json!(["203.0.113.7"]));
    assert_eq!(fixed["cookie_no_xsrf"]["status"], 403, "{fixed:#}");
    assert_eq!(
        fixed["cookie_no_xsrf"]["message"],
        "'_xsrf' argument missing from POST"
    );
    assert_eq!(fixed["cookie_with_xsrf"]["status"], 201, "{fixed:#}");
    assert_eq!(fixed["client_token"]["status"], 201, "{fixed:#}");
    assert_eq!(fixed["client_token"]["generated_base"], LAB_URL);
    let refused = lines_with(&fixed, "log_xsrf", "403 POST /api/contents");
    assert_eq!(refused.len(), 1, "{fixed:#}");
    assert_eq!(
        diagnosed(refused[0]),
        ("jupyter-server-xsrf-argument-missing", "jupyter-server")
    );
}

#[test]
fn tornado_xsrf_cookies_and_xheaders_with_the_generated_settings() {
    let py = newest_venv();
    let dir = tempfile::tempdir().expect("tempdir");
    let (g, module, dotenv) = generate_into(
        inputs("tornado", APP_URL, "", &[]),
        dir.path(),
        "proxytrust_tornado.py",
    );
    assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);

    // Without xheaders: the app sees the front end, not the browser.
    let bare = harness(&py, &["tornado", "--public", APP_URL]);
    assert_eq!(bare["versions"]["tornado"], "6.5.7");
    assert_eq!(bare["page"]["protocol"], "http", "{bare:#}");
    assert_eq!(bare["page"]["remote_ip"], "127.0.0.2");
    assert_eq!(
        bare["page"]["full_url"],
        format!("http://{}/", &APP_URL[8..])
    );
    assert_eq!(bare["post_no_token"], 403);
    let line = bare["log"][0].as_str().expect("log line");
    assert_eq!(
        diagnosed(line),
        ("tornado-xsrf-argument-missing", "tornado")
    );

    // With the generated module.
    let fixed = harness(
        &py,
        &[
            "tornado",
            "--public",
            APP_URL,
            "--module",
            s(&module),
            "--dotenv",
            s(&dotenv),
        ],
    );
    assert_eq!(fixed["page"]["protocol"], "https", "{fixed:#}");
    assert_eq!(fixed["page"]["remote_ip"], "203.0.113.7");
    assert_eq!(fixed["page"]["full_url"], format!("{APP_URL}/"));
    assert_eq!(
        fixed["xsrf_cookie"],
        serde_json::json!({"name": "__Host-xsrf", "secure": true, "httponly": false, "samesite": "Lax"})
    );
    assert_eq!(fixed["js_pattern"], "(?:^|; )__Host-xsrf=([^;]*)");
    assert_eq!(fixed["post_no_token"], 403, "{fixed:#}");
    assert_eq!(fixed["post_with_header"], 200, "{fixed:#}");
    assert_eq!(fixed["post_api_token_right"]["status"], 200, "{fixed:#}");
    assert_eq!(fixed["post_api_token_right"]["body"]["user"], "api");
    assert_eq!(fixed["post_api_token_wrong"]["status"], 403, "{fixed:#}");

    // Versions: the 6.5.7 module needs get_signed_cookie (6.3+); the 6.2.0 one works on 6.2.
    let old = common::venv("tornado-6.2", &["tornado==6.2"]);
    let broken = harness(
        &old,
        &[
            "tornado",
            "--public",
            APP_URL,
            "--module",
            s(&module),
            "--dotenv",
            s(&dotenv),
        ],
    );
    assert_eq!(broken["versions"]["tornado"], "6.2");
    assert_eq!(broken["page_status"], 500, "{broken:#}");
    assert!(
        broken["log"]
            .to_string()
            .contains("no attribute 'get_signed_cookie'"),
        "{broken:#}"
    );
    let dir62 = dir.path().join("6.2");
    std::fs::create_dir_all(&dir62).expect("mkdir");
    let (g62, module62, dotenv62) = generate_into(
        inputs("tornado", APP_URL, "6.2.0", &[]),
        &dir62,
        "proxytrust_tornado.py",
    );
    assert!(g62.diagnostics.iter().any(|d| d.code == "TOR002"));
    let works = harness(
        &old,
        &[
            "tornado",
            "--public",
            APP_URL,
            "--module",
            s(&module62),
            "--dotenv",
            s(&dotenv62),
        ],
    );
    assert_eq!(works["page_status"], 200, "{works:#}");
    assert_eq!(works["page"]["protocol"], "https");
    assert_eq!(works["xsrf_cookie"]["name"], "_xsrf");
    assert_eq!(works["xsrf_cookie"]["secure"], true);
    assert_eq!(works["post_no_token"], 403);
    assert_eq!(works["post_with_header"], 200, "{works:#}");
    assert_eq!(works["post_api_token_right"]["status"], 200, "{works:#}");
}

#[test]
fn jupyterhub_anonymous_ip_cidrs_cover_the_addresses_the_proxy_reports() {
    // configurable-http-proxy listens on all interfaces (bind_url http://:8000 -> --ip ''), where
    // Node accepts IPv4 on a dual-stack socket and reports IPv4 peers as ::ffff:a.b.c.d.
    let py = newest_venv();
    let value = |xsrf_ip: &str| {
        engine::generate(&inputs("jupyterhub", HUB_URL, "", &[("xsrf_ip", xsrf_ip)]))
            .env
            .iter()
            .find(|e| e.name == "JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS")
            .map(|e| e.value.clone())
            .expect("the variable is generated")
    };
    let (ignore, private) = (value("ignore"), value("private"));
    let faq_all = "0.0.0.0/0";
    let faq_private = "10.0.0.0/8;172.16.0.0/12;192.168.0.0/16";
    let v = harness(
        &py,
        &[
            "cidrs",
            "--value",
            "",
            "--value",
            faq_all,
            "--value",
            faq_private,
            "--value",
            &ignore,
            "--value",
            &private,
        ],
    );
    assert_eq!(v["jupyterhub"], "6.1.1");
    let same = &v["same_id"];
    // Unset: every address is its own login-form id.
    assert_eq!(same["(unset)"]["loopback"], false, "{v:#}");
    // The FAQ's values miss IPv4-mapped peers...
    assert_eq!(same[faq_all]["loopback"], true, "{v:#}");
    assert_eq!(same[faq_all]["loopback_mapped"], false, "{v:#}");
    assert_eq!(same[faq_private]["private_mapped"], false, "{v:#}");
    // ...the generated ones cover them.
    for k in [
        "loopback",
        "loopback_mapped",
        "private",
        "private_mapped",
        "public",
    ] {
        assert_eq!(same[&ignore][k], true, "{k}: {v:#}");
    }
    assert_eq!(same[&private]["private"], true, "{v:#}");
    assert_eq!(same[&private]["private_mapped"], true, "{v:#}");
    assert_eq!(same[&private]["public"], false, "{v:#}");
}
