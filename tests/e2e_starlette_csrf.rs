//! End to end with starlette-csrf 3.0.0 from PyPI (the version RomM 3.x-4.4.0 locks), Starlette
//! 1.10.0, FastAPI 0.163.2 and python-socketio 5.18.1, in a cached venv under target/e2e-venv.
//! Everything runs in process (httpx's ASGI transport): no ports, about a second.
//!
//! The app has its routers under `/api` and Socket.IO mounted at `/ws` (outside the prefix), as
//! RomM has since 3.4.0. tests/e2e/csrf_exempt_probe.py sends what a browser and an API client
//! send behind an https front end.
//! * The write-up's patterns (shared/seeds/romm-api-csrf-exempt.zh.md): its "current" list
//!   `^/token.*`, `^/ws` blocks `POST /api/token` with `403 CSRF token verification failed`; its
//!   "fix" `^/api/token.*`, `^/api/ws` lets the token through but blocks Socket.IO's polling
//!   POSTs at `/ws/socket.io/`.
//! * The snippet ProxyTrust generates (the `fastapi` module's `csrf.py`, imported as is, with the
//!   secret read back by bash from the generated .env): the token route and the Socket.IO mount
//!   pass, every other unsafe route is still refused without the token and accepted with it, on
//!   a second instance too; a second instance with its own secret refuses the token; WebSockets
//!   work only with the generated HTTP-only subclass (without it: Starlette's AssertionError,
//!   which `diagnose` recognises).
//! * RomM: the exempt lists the engine prints for the official image of 3.3.0, 3.5.1, 3.6.0 and
//!   5.2.0 run in starlette-csrf as RomM 3.x wires it (CustomCSRFMiddleware: non-HTTP scopes
//!   skipped, cookie `romm_csrftoken`): only 3.5.1 blocks the token; and the CSRF block generated
//!   for a custom 3.5.1 build from the write-up's patterns is executed as main.py would and
//!   passes the token and the sockets. RomM itself is not run (its vendored 4.4.1+ middleware,
//!   which also skips Bearer/Basic requests, is not on PyPI).

mod common;

use std::path::Path;
use std::process::Command;

use proxytrust::engine::{self, Generated, inputs::RawInputs};
use serde_json::{Value, json};

const ORIGIN: &str = "https://app-abc123-uc.a.run.app";
const BLOCKED: &str = "CSRF token verification failed";

fn venv_python() -> std::path::PathBuf {
    common::venv(
        "starlette-csrf",
        &[
            "starlette-csrf==3.0.0",
            "starlette==1.10.0",
            "fastapi==0.163.2",
            "itsdangerous==2.2.0",
            "httpx==0.28.1",
            "python-socketio==5.18.1",
        ],
    )
}

fn cloud_run(app: &str, version: &str, opts: &[(&str, &str)]) -> RawInputs {
    let mut raw = RawInputs {
        urls: vec![ORIGIN.to_owned()],
        platform: "cloud-run".into(),
        app: app.into(),
        app_version: version.into(),
        ..RawInputs::default()
    };
    for (k, v) in [("service", "app"), ("region", "us-central1")]
        .iter()
        .chain(opts)
    {
        raw.options.insert((*k).into(), (*v).into());
    }
    raw
}

/// Generates with a secret made by the caller's CSPRNG (as the GUI and `--generate-secrets` do).
fn generate_with_secret(mut raw: RawInputs, name: &str) -> (Generated, String) {
    let shape = engine::generate(&raw)
        .env
        .iter()
        .find(|e| e.name == name)
        .and_then(|e| e.generate);
    assert!(shape.is_some(), "{name} is not a generated secret");
    let secret = proxytrust::secrets::generate_for(shape).expect("csprng");
    raw.secrets.insert(name.into(), secret.clone());
    (engine::generate(&raw), secret)
}

fn write_block(g: &Generated, id: &str, path: &Path) {
    let b = g
        .block(id)
        .unwrap_or_else(|| panic!("no {id} block: {:?}", g.diagnostics));
    std::fs::write(path, &b.content).expect("write block");
}

/// The exempt patterns and the CSRF cookie name the RomM module prints for the official image of
/// `version`.
fn romm_stock(version: &str) -> (Vec<String>, String) {
    let g = engine::generate(&cloud_run("romm", version, &[("db_host", "10.0.0.3")]));
    let snippet = g.block("snippet").expect("snippet").content.clone();
    let list: Vec<String> = snippet
        .lines()
        .filter_map(|l| l.strip_prefix("  ^"))
        .map(|p| format!("^{p}"))
        .collect();
    let cookie = snippet
        .split_once("(cookie ")
        .and_then(|(_, rest)| rest.split_once(','))
        .map(|(c, _)| c.to_owned())
        .unwrap_or_default();
    assert!(!list.is_empty() && !cookie.is_empty(), "{snippet}");
    (list, cookie)
}

fn run(plan: &Value, dir: &Path) -> Value {
    let path = dir.join("plan.json");
    std::fs::write(&path, plan.to_string()).expect("write plan");
    let out = Command::new(venv_python())
        .arg(common::repo_root().join("tests/e2e/csrf_exempt_probe.py"))
        .arg("--plan")
        .arg(&path)
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

fn status(v: &Value) -> i64 {
    v["status"].as_i64().unwrap_or(-1)
}

#[test]
fn generated_exempt_patterns_pass_the_token_route_and_keep_the_rest_protected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();

    // The FastAPI snippet: routers under /api, POST /token exempt, Socket.IO at /ws.
    let fastapi_opts = [
        ("route_prefix", "/api"),
        ("exempt_paths", "/token"),
        ("exempt_mounts", "/ws"),
        ("websockets", "yes"),
    ];
    let (g, secret) =
        generate_with_secret(cloud_run("fastapi", "3.0.0", &fastapi_opts), "CSRF_SECRET");
    assert!(!g.has_errors(), "{:?}", g.diagnostics);
    assert_eq!(secret.len(), 64, "32 random bytes as hex");
    write_block(&g, "snippet", &d.join("csrf_generated.py"));
    write_block(&g, "dotenv", &d.join("fastapi.env"));
    // The same without the WebSocket option (what a user who does not set it gets).
    let (g_nows, _) = generate_with_secret(
        cloud_run("fastapi", "3.0.0", &fastapi_opts[..3]),
        "CSRF_SECRET",
    );
    write_block(&g_nows, "snippet", &d.join("csrf_no_ws.py"));
    write_block(&g_nows, "dotenv", &d.join("fastapi_no_ws.env"));
    // With the session cookie named: API clients without cookies are not checked.
    let (g_sess, _) = generate_with_secret(
        cloud_run(
            "fastapi",
            "3.0.0",
            &[
                ("exempt_paths", "/token"),
                ("exempt_mounts", "/ws"),
                ("session_cookie", "session"),
            ],
        ),
        "CSRF_SECRET",
    );
    write_block(&g_sess, "snippet", &d.join("csrf_session.py"));
    write_block(&g_sess, "dotenv", &d.join("fastapi_session.env"));

    // RomM: a custom 3.5.1 build whose main.py has the write-up's "fix".
    let (g_romm, _) = generate_with_secret(
        cloud_run(
            "romm",
            "3.5.1",
            &[
                ("build", "custom"),
                ("exempt_urls", "^/api/token.* ^/api/ws"),
                ("db_host", "10.0.0.3"),
                ("image", "example.org/romm:fork"),
            ],
        ),
        "ROMM_AUTH_SECRET_KEY",
    );
    assert!(
        g_romm.diagnostics.iter().any(|x| x.code == "RM004"),
        "{:?}",
        g_romm.diagnostics
    );
    write_block(&g_romm, "snippet", &d.join("romm_main_block.py"));
    write_block(&g_romm, "dotenv", &d.join("romm.env"));

    let other_secret = "0".repeat(64);
    let fastapi = |name: &str, snippet: &str, env: &str| {
        json!({
            "name": name, "kind": "fastapi", "prefix": "/api", "mounts": ["/ws"],
            "snippet": d.join(snippet), "dotenv": d.join(env), "secret_env": "CSRF_SECRET",
        })
    };
    let fixed = |name: &str, prefix: &str, mounts: &[&str], patterns: &[String], cookie: &str| {
        json!({
            "name": name, "prefix": prefix, "mounts": mounts, "patterns": patterns,
            "middleware": "http-only", "secret": "harness-secret", "cookie_name": cookie,
        })
    };
    let s = |l: &[&str]| l.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
    let mut other = fastapi("generated-other-secret", "csrf_generated.py", "fastapi.env");
    other["second_secret"] = json!(other_secret);
    let mut session = fastapi(
        "generated-session-cookie",
        "csrf_session.py",
        "fastapi_session.env",
    );
    session["session_cookie"] = json!("session");
    let mut scenarios = vec![
        fixed(
            "writeup-current",
            "/api",
            &["/ws"],
            &s(&["^/token.*", "^/ws"]),
            "csrftoken",
        ),
        fixed(
            "writeup-fix",
            "/api",
            &["/ws"],
            &s(&["^/api/token.*", "^/api/ws"]),
            "csrftoken",
        ),
        fastapi("generated", "csrf_generated.py", "fastapi.env"),
        other,
        fastapi(
            "generated-no-websocket-option",
            "csrf_no_ws.py",
            "fastapi_no_ws.env",
        ),
        session,
    ];
    // RomM's official image: the lists and cookie name the engine prints for each version.
    for (version, prefix, mounts) in [
        ("3.3.0", "", &["/ws"][..]),
        ("3.5.1", "/api", &["/ws"][..]),
        ("3.6.0", "/api", &["/ws"][..]),
        ("5.2.0", "/api", &["/ws", "/netplay"][..]),
    ] {
        let (patterns, cookie) = romm_stock(version);
        scenarios.push(fixed(
            &format!("romm-{version}-stock"),
            prefix,
            mounts,
            &patterns,
            &cookie,
        ));
    }
    scenarios.push(json!({
        "name": "romm-custom-3.5.1", "kind": "romm", "prefix": "/api", "mounts": ["/ws"],
        "snippet": d.join("romm_main_block.py"), "dotenv": d.join("romm.env"),
        "cookie_name": "romm_csrftoken",
    }));
    let plan = json!({ "scenarios": scenarios });
    let out = run(&plan, d);
    let res = &out["results"];
    assert_eq!(out["versions"]["starlette-csrf"], "3.0.0", "{out:#}");

    // 1. The write-up's current patterns: POST /api/token is blocked (the reported failure).
    let w = &res["writeup-current"];
    assert_eq!(status(&w["token"]), 403, "{w:#}");
    assert_eq!(w["token"]["body"], BLOCKED, "{w:#}");
    let found = engine::diagnose::diagnose(BLOCKED, &RawInputs::default());
    assert_eq!(
        found.first().map(|f| (f.signature, f.app)),
        Some(("starlette-csrf-verification-failed", "fastapi")),
        "{found:?}"
    );
    // 2. The write-up's fix: the token passes, but Socket.IO's polling POST at /ws is blocked.
    let w = &res["writeup-fix"];
    assert_eq!(status(&w["token"]), 200, "{w:#}");
    assert_eq!(w["sockets"]["/ws"]["handshake_status"], 200, "{w:#}");
    assert_eq!(w["sockets"]["/ws"]["post_status"], 403, "{w:#}");
    assert_eq!(w["sockets"]["/ws"]["post_body"], BLOCKED, "{w:#}");

    // 3. The generated snippet: token and sockets pass, other unsafe routes stay protected.
    let g = &res["generated"];
    assert_eq!(status(&g["token"]), 200, "{g:#}");
    assert!(
        g["token"]["body"]
            .as_str()
            .is_some_and(|b| b.contains("fake-access-token"))
    );
    assert_eq!(g["sockets"]["/ws"]["post_status"], 200, "{g:#}");
    assert_eq!(g["sockets"]["/ws"]["post_body"], "OK", "{g:#}");
    assert_eq!(status(&g["post_without_token"]), 403, "{g:#}");
    assert_eq!(g["post_without_token"]["body"], BLOCKED);
    assert_eq!(status(&g["post_with_token"]), 200, "{g:#}");
    // starlette-csrf without sensitive_cookies checks Bearer-only clients too (FA010, #1505).
    assert_eq!(status(&g["post_bearer_only"]), 403, "{g:#}");
    // The token works on a second instance with the same (generated, shared) secret.
    assert_eq!(status(&g["second_instance"]), 200, "{g:#}");
    // Cookie flags as configured for an https origin.
    assert_eq!(g["cookie"]["secure"], true, "{g:#}");
    assert_eq!(g["cookie"]["samesite"], "lax", "{g:#}");
    assert_eq!(g["cookie"].get("httponly"), None, "{g:#}");
    // WebSockets pass through the generated subclass.
    assert_eq!(g["websocket"]["ok"], true, "{g:#}");
    assert_eq!(g["websocket"]["received"], "hello");

    // 4. A second instance with its own secret (no shared secret) refuses the token.
    let o = &res["generated-other-secret"];
    assert_eq!(status(&o["post_with_token"]), 200, "{o:#}");
    assert_eq!(status(&o["second_instance"]), 403, "{o:#}");
    assert_eq!(o["second_instance"]["body"], BLOCKED);

    // 5. Without the WebSocket option, starlette-csrf breaks every WebSocket; diagnose reads it.
    let n = &res["generated-no-websocket-option"];
    assert_eq!(n["websocket"]["ok"], false, "{n:#}");
    assert_eq!(n["websocket"]["error_class"], "AssertionError", "{n:#}");
    let tb = n["websocket"]["traceback"].as_str().expect("traceback");
    let found = engine::diagnose::diagnose(tb, &RawInputs::default());
    assert!(
        found
            .iter()
            .any(|f| f.signature == "starlette-csrf-websocket-assertion" && f.app == "fastapi"),
        "{found:?}\n{tb}"
    );
    assert_eq!(status(&n["token"]), 200, "{n:#}");

    // 6. sensitive_cookies={"session"}: Bearer-only clients are not checked.
    let s6 = &res["generated-session-cookie"];
    assert_eq!(status(&s6["post_bearer_only"]), 200, "{s6:#}");
    // A browser request carrying the session cookie is still checked.
    assert_eq!(status(&s6["post_session_without_token"]), 403, "{s6:#}");

    // 7. RomM's official image: only 3.4.0-3.5.x blocks the token endpoint.
    for (name, token, cookie) in [
        ("romm-3.3.0-stock", 200, "csrftoken="),
        ("romm-3.5.1-stock", 403, "romm_csrftoken="),
        ("romm-3.6.0-stock", 200, "romm_csrftoken="),
        ("romm-5.2.0-stock", 200, "romm_csrftoken="),
    ] {
        let r = &res[name];
        assert_eq!(status(&r["token"]), token, "{name}: {r:#}");
        assert_eq!(status(&r["post_without_token"]), 403, "{name}: {r:#}");
        for (mount, sock) in r["sockets"].as_object().expect("sockets") {
            assert_eq!(sock["post_status"], 200, "{name} {mount}: {r:#}");
        }
        assert!(
            r["set_cookie"]
                .as_str()
                .is_some_and(|c| c.starts_with(cookie)),
            "{name}: {r:#}"
        );
    }
    // Issue #1505 on 3.x: a Bearer request without the CSRF pair is refused (RM002).
    assert_eq!(status(&res["romm-3.6.0-stock"]["post_bearer_only"]), 403);

    // 8. The CSRF block generated for a custom 3.5.1 build, executed as main.py would.
    let c = &res["romm-custom-3.5.1"];
    assert_eq!(c["exempt_urls"], json!(["^/api/token.*", "^/ws"]), "{c:#}");
    assert_eq!(status(&c["token"]), 200, "{c:#}");
    assert_eq!(c["sockets"]["/ws"]["post_status"], 200, "{c:#}");
    assert_eq!(status(&c["post_without_token"]), 403, "{c:#}");
    assert_eq!(status(&c["post_with_token"]), 200, "{c:#}");
    assert_eq!(status(&c["second_instance"]), 200, "{c:#}");
}

/// The Python literals and `re.escape` of `render/python.rs`, read back by CPython.
#[test]
fn python_literals_and_escapes_read_back_in_python() {
    use proxytrust::engine::render::python::{raw_lit, re_escape, str_literal};
    let values = [
        "",
        "plain",
        "/api/v1.0/items",
        "quote \" and ' both",
        "back\\slash\\",
        "ends with two \\\\",
        "$HOME `cmd` ^caret",
        "new\nline\ttab\rcr",
        "nul\0bell\u{7}del\u{7f}",
        "unicode é 漢字 \u{2028}\u{2029}",
        "re: ()[]{}?*+-|^$\\.&~# \u{b}\u{c}",
        "{id:int}",
    ];
    let cases: Vec<Value> = values
        .iter()
        .map(|v| json!({"value": v, "str": str_literal(v), "raw": raw_lit(v), "esc": re_escape(v)}))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cases.json");
    std::fs::write(&path, serde_json::to_string(&cases).expect("json")).expect("write");
    let code = "import ast, json, re, sys\n\
                bad = []\n\
                for c in json.load(open(sys.argv[1], encoding='utf-8')):\n\
                \x20   if ast.literal_eval(c['str']) != c['value']: bad.append(('str', c))\n\
                \x20   if ast.literal_eval(c['raw']) != c['value']: bad.append(('raw', c))\n\
                \x20   if re.escape(c['value']) != c['esc']: bad.append(('esc', c))\n\
                \x20   if not re.fullmatch(c['esc'], c['value']): bad.append(('match', c))\n\
                print(json.dumps(bad))\n";
    let out = Command::new(venv_python())
        .arg("-c")
        .arg(code)
        .arg(&path)
        .output()
        .expect("python");
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        report.trim(),
        "[]",
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
