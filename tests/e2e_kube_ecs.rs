//! Kubernetes and ECS outputs, read back by the real consumers.
//!
//! * Kubernetes: every YAML block parses with PyYAML and every object survives the official
//!   Kubernetes Python client's models (PyPI `kubernetes` 37.0.2: deserialise into V1Deployment,
//!   V1Service, V1Ingress, V1Secret and serialise back with no difference), shown to fail on a
//!   wrong type and an unknown field. Env values read back exactly after the kubelet's `$(VAR)`
//!   expansion (kubernetes `third_party/forked/golang/expansion/expand.go`, transcribed below);
//!   unescaped, the same values change.
//! * The kubectl deploy script, pasted into bash with a stand-in `kubectl` that records what it
//!   gets: secret values reach `--from-file` files byte for byte (never argv), the here-document
//!   on `kubectl apply -f -` holds exactly the env and proxy documents.
//! * ECS: the deploy script, pasted into bash with a stand-in `aws` that hands every call to the
//!   real AWS CLI (PyPI `awscli` 1.46.2, fake credentials) aimed at a loopback recorder: each call
//!   passes the CLI's client-side parameter validation and shorthand parsing (a validation error
//!   fails the test), and the recorded requests carry exactly the intended environment, secret
//!   values (piped to `--value file:///dev/stdin`) and the execution role ARN given on the command
//!   line. The task definition also passes validation at a closed port (connection error = passed)
//!   where the common hand-written mistake (`environment` as a map) is rejected.
//! * Every bash block for these platforms is shellcheck clean, for every app and option set.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proxytrust::engine::{self, Generated, apps::APPS, inputs::ExtraVar, inputs::RawInputs};

/// Quotes, `$(`, `$$`, `${`, backticks, `#`, a newline, a backslash, unicode, `,` `=` `:` `|`.
const NASTY: &str = "it's \"q\" $(id) $$HOME ${X} `id` # not a comment\nline2 \\ é,a=b:c|d";
/// For secrets: the same without a carriage return (none anyway), plus a trailing newline.
const NASTY_SECRET: &str = "s'e\"c $(x) $$ # é\n";

fn raw(platform: &str, app: &str, opts: &[(&str, &str)]) -> RawInputs {
    let mut r = RawInputs {
        urls: vec!["https://app.example.org".into()],
        platform: platform.into(),
        app: app.into(),
        ..RawInputs::default()
    };
    for (k, v) in opts {
        r.options.insert((*k).into(), (*v).into());
    }
    r.extra_env.push(ExtraVar {
        name: "EXTRA_NASTY".into(),
        value: NASTY.into(),
    });
    r.extra_env.push(ExtraVar {
        name: "EXTRA_REF".into(),
        value: "$(EXTRA_NASTY)".into(),
    });
    r
}

/// Secret values for every secret of the combination (so that required ones are present).
fn with_secrets(mut r: RawInputs) -> RawInputs {
    let g = engine::generate(&r);
    for e in g.env.iter().filter(|e| e.secret) {
        r.secrets
            .insert(e.name.clone(), format!("{}{NASTY_SECRET}", e.name));
    }
    r
}

/// What the container must end up with: literal values as generated, secrets as supplied.
fn intended(g: &Generated, r: &RawInputs) -> Vec<(String, String)> {
    g.env
        .iter()
        .map(|e| {
            let v = if e.secret {
                r.secrets.get(&e.name).cloned().unwrap_or_default()
            } else {
                e.value.clone()
            };
            (e.name.clone(), v)
        })
        .collect()
}

/// kubernetes third_party/forked/golang/expansion/expand.go (`Expand`, `tryReadVariableName`),
/// transcribed: `$$` -> `$`, `$(NAME)` -> the mapping (unknown names stay `$(NAME)`), anything
/// else kept.
fn kubelet_expand(input: &str, env: &BTreeMap<String, String>) -> String {
    let b = input.as_bytes();
    let mut out = String::new();
    let (mut checkpoint, mut cursor) = (0, 0);
    while cursor < b.len() {
        if b[cursor] == b'$' && cursor + 1 < b.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest[1..].find(')') {
                    Some(i) => {
                        let name = &rest[1..=i];
                        match env.get(name) {
                            Some(v) => out.push_str(v),
                            None => out.push_str(&format!("$({name})")),
                        }
                        i + 2
                    }
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    let c = rest.chars().next().unwrap_or_default();
                    out.push('$');
                    out.push(c);
                    c.len_utf8()
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    out.push_str(&input[checkpoint.min(input.len())..]);
    out
}

/// The env a container gets from a Deployment's `env` list (values expanded in order, as the
/// kubelet does), with secretKeyRef entries resolved from `secrets`.
fn container_env(
    env: &serde_json::Value,
    secrets: &BTreeMap<String, String>,
    escaped: bool,
) -> Vec<(String, String)> {
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for e in env.as_array().expect("env list") {
        let name = e["name"].as_str().expect("name").to_owned();
        let value = if let Some(v) = e.get("value").and_then(|v| v.as_str()) {
            if escaped {
                kubelet_expand(v, &seen)
            } else {
                v.to_owned()
            }
        } else {
            let key = e["valueFrom"]["secretKeyRef"]["key"]
                .as_str()
                .expect("secretKeyRef");
            secrets.get(key).cloned().unwrap_or_default()
        };
        seen.insert(name.clone(), value.clone());
        out.push((name, value));
    }
    out
}

fn k8s_python() -> PathBuf {
    common::venv(
        "kubernetes-client",
        &["kubernetes==37.0.2", "PyYAML==6.0.3"],
    )
}

fn harness() -> PathBuf {
    common::repo_root().join("tests/e2e/kube_ecs_check.py")
}

/// Runs the schema check on `files`; returns its JSON.
fn k8s_check(files: &[PathBuf]) -> serde_json::Value {
    let out = Command::new(k8s_python())
        .arg(harness())
        .arg("k8s")
        .args(files)
        .output()
        .expect("run the k8s check");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "k8s check output is not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn docs_of(check: &serde_json::Value, i: usize) -> &Vec<serde_json::Value> {
    check["files"][i]["docs"].as_array().expect("docs")
}

fn problems(check: &serde_json::Value) -> Vec<String> {
    check["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| {
            f["problems"]
                .as_array()
                .expect("problems")
                .iter()
                .map(move |p| format!("{}: {}", f["path"], p))
        })
        .collect()
}

fn kind<'a>(docs: &'a [serde_json::Value], k: &str) -> &'a serde_json::Value {
    docs.iter()
        .find(|d| d["kind"] == k)
        .unwrap_or_else(|| panic!("no {k} document"))
}

#[test]
fn kubernetes_manifests_match_the_schemas_and_read_back_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let option_sets: &[&[(&str, &str)]] = &[
        &[],
        &[
            ("secrets", "inline"),
            ("affinity", "yes"),
            ("outer_lb", "l7"),
            ("proxy_real_ip_cidr", "10.0.0.0/16"),
            ("namespace", "tools"),
            ("max_instances", "3"),
        ],
    ];
    let mut files = Vec::new();
    let mut cases = Vec::new();
    for a in APPS {
        for (n, opts) in option_sets.iter().enumerate() {
            let mut r = with_secrets(raw("kubernetes", a.id(), opts));
            r.urls.push("http://192.0.2.10:8080".into());
            let g = engine::generate(&r);
            for id in ["env", "proxy"] {
                let f = dir.path().join(format!("{}-{n}-{id}.yaml", a.id()));
                std::fs::write(&f, &g.block(id).expect("block").content).expect("write");
                files.push(f);
            }
            cases.push((a.id(), r, g));
        }
    }
    let check = k8s_check(&files);
    assert!(problems(&check).is_empty(), "{:#?}", problems(&check));

    for (i, (app, r, g)) in cases.iter().enumerate() {
        let env_docs = docs_of(&check, 2 * i);
        let proxy_docs = docs_of(&check, 2 * i + 1);
        let deployment = kind(env_docs, "Deployment");
        let spec = &deployment["spec"]["template"]["spec"];
        assert_eq!(spec["enableServiceLinks"], false);
        let container = &spec["containers"][0];
        let want = intended(g, r);
        // Secrets: from the Secret manifest (inline) or from what deploy.sh puts in the Secret.
        let secrets: BTreeMap<String, String> = if r.options.get("secrets").map(String::as_str)
            == Some("inline")
            && g.env.iter().any(|e| e.secret)
        {
            let s = kind(env_docs, "Secret");
            serde_json::from_value(s["stringData"].clone()).expect("stringData strings")
        } else {
            r.secrets.clone()
        };
        let got = if container.get("env").is_some() {
            container_env(&container["env"], &secrets, true)
        } else {
            Vec::new()
        };
        assert_eq!(got, want, "{app}: container env");
        // Unescaped (the values as a naive generator would write them), the kubelet changes them.
        let naive: Vec<serde_json::Value> = container["env"]
            .as_array()
            .expect("env")
            .iter()
            .map(|e| {
                let mut e = e.clone();
                if let Some(v) = e.get("value").and_then(|v| v.as_str()) {
                    e["value"] = v.replace("$$", "$").into();
                }
                e
            })
            .collect();
        assert_ne!(
            container_env(&serde_json::Value::Array(naive), &secrets, true),
            want,
            "{app}: unescaped values should not survive the kubelet"
        );
        // Names and routing.
        let ns = r.options.get("namespace").map_or("default", String::as_str);
        for d in env_docs.iter().chain(proxy_docs) {
            assert_eq!(d["metadata"]["namespace"], ns, "{app}");
        }
        let ingress = kind(proxy_docs, "Ingress");
        let hosts: Vec<&str> = ingress["spec"]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .filter_map(|r| r["host"].as_str())
            .collect();
        assert_eq!(
            hosts,
            vec!["app.example.org"],
            "{app}: IP hosts are left out"
        );
        assert_eq!(
            ingress["spec"]["tls"][0]["hosts"][0], "app.example.org",
            "{app}"
        );
        let annotations = ingress["metadata"]["annotations"].clone();
        let wants_ws = proxytrust::engine::apps::find(app).is_some_and(|a| a.websockets());
        assert_eq!(
            annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"].as_str(),
            wants_ws.then_some("3600"),
            "{app}: websocket timeout, a string"
        );
        let sticky = r.options.get("affinity").map(String::as_str) == Some("yes");
        assert_eq!(
            annotations["nginx.ingress.kubernetes.io/affinity"].as_str(),
            sticky.then_some("cookie"),
            "{app}"
        );
        let service = kind(proxy_docs, "Service");
        assert_eq!(
            service["spec"]["selector"],
            deployment["spec"]["selector"]["matchLabels"]
        );
    }

    // The check fails on what it should catch: a string where the schema has an integer, an
    // unknown field (a typo), and env written as a map.
    let good = std::fs::read_to_string(&files[0]).expect("read");
    let mutations = [
        ("containerPort: 8080", "containerPort: \"8080\""),
        ("enableServiceLinks: false", "enableServiceLink: false"),
    ];
    let mut bad_files = Vec::new();
    for (k, (from, to)) in mutations.iter().enumerate() {
        assert!(good.contains(from), "{from} not in the generated YAML");
        let f = dir.path().join(format!("bad-{k}.yaml"));
        std::fs::write(&f, good.replacen(from, to, 1)).expect("write");
        bad_files.push(f);
    }
    let f = dir.path().join("bad-env-map.yaml");
    std::fs::write(
        &f,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    spec:\n      containers:\n        - name: x\n          env: {A: b}\n",
    )
    .expect("write");
    bad_files.push(f);
    let bad = k8s_check(&bad_files);
    for (k, file) in bad["files"].as_array().expect("files").iter().enumerate() {
        assert!(
            !file["problems"].as_array().expect("problems").is_empty(),
            "mutation {k} was not caught"
        );
    }
}

/// A stand-in `kubectl`: records argv (NUL-separated), stdin of `apply -f -`, and the contents of
/// `--from-file` paths at call time; `get` says "not found".
const KUBECTL: &str = r#"#!/usr/bin/env bash
n=$(find "$PT_DIR" -maxdepth 1 -name 'call-*' ! -name '*.*' | wc -l)
f="$PT_DIR/call-$(printf '%04d' "$n")"
for a in "$@"; do printf '%s\0' "$a"; done > "$f"
for a in "$@"; do
  case "$a" in
    --from-file=*) spec=${a#--from-file=}; cp "${spec#*=}" "$f.file.${spec%%=*}"; echo "${spec#*=}" >> "$PT_DIR/paths" ;;
  esac
done
case "$1" in
  apply) cat > "$f.stdin" ;;
  get) exit 1 ;;
esac
exit 0
"#;

struct Call {
    argv: Vec<String>,
    path: PathBuf,
}

fn install(dir: &Path, name: &str, script: &str) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let p = bin.join(name);
    std::fs::write(&p, script).expect("write stand-in");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// Feeds `script` to bash on stdin (as when pasted) with `dir/bin` first on PATH.
fn run_pasted(script: &str, dir: &Path, env: &[(String, String)]) -> std::process::Output {
    let calls = dir.join("calls");
    std::fs::create_dir_all(&calls).expect("mkdir");
    let mut cmd = Command::new("bash");
    cmd.env_clear()
        .env(
            "PATH",
            format!(
                "{}:{}",
                dir.join("bin").display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("HOME", dir)
        .env("PT_DIR", &calls)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
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
    child.wait_with_output().expect("bash output")
}

fn calls(dir: &Path) -> Vec<Call> {
    let d = dir.join("calls");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&d)
        .expect("calls")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("call-") && !n.contains('.'))
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("call");
            let mut argv: Vec<String> = bytes
                .split(|b| *b == 0)
                .map(|a| String::from_utf8(a.to_vec()).expect("utf8"))
                .collect();
            argv.pop();
            Call { argv, path: p }
        })
        .collect()
}

fn side(call: &Call, ext: &str) -> Option<Vec<u8>> {
    std::fs::read(call.path.with_extension(ext)).ok()
}

fn value_vars(r: &RawInputs) -> Vec<(String, String)> {
    r.secrets
        .iter()
        .map(|(k, v)| (format!("{k}_VALUE"), v.clone()))
        .collect()
}

#[test]
fn kubectl_deploy_script_passes_values_exactly_when_pasted() {
    for app in ["label-studio", "open-webui"] {
        for opts in [
            &[][..],
            &[
                ("namespace", "tools"),
                ("outer_lb", "l7"),
                ("proxy_real_ip_cidr", "10.1.0.0/16"),
            ][..],
        ] {
            let r = with_secrets(raw("kubernetes", app, opts));
            let g = engine::generate(&r);
            let deploy = &g.block("deploy").expect("deploy").content;
            let dir = tempfile::tempdir().expect("tempdir");
            install(dir.path(), "kubectl", KUBECTL);
            let out = run_pasted(deploy, dir.path(), &value_vars(&r));
            assert!(
                out.status.success(),
                "{app}: {}\n{deploy}",
                String::from_utf8_lossy(&out.stderr)
            );
            let calls = calls(dir.path());
            // The secret: created from files holding exactly the values; nothing on argv.
            let create = calls
                .iter()
                .find(|c| c.argv.starts_with(&["create".into(), "secret".into()]))
                .expect("kubectl create secret");
            for (name, value) in &r.secrets {
                assert_eq!(
                    side(create, &format!("file.{name}")).as_deref(),
                    Some(value.as_bytes()),
                    "{app}: {name}"
                );
                for c in &calls {
                    assert!(
                        !c.argv.iter().any(|a| a.contains(value.trim_end())),
                        "{app}: secret {name} on a command line: {:?}",
                        c.argv
                    );
                }
            }
            // The private temporary files are gone afterwards.
            for p in std::fs::read_to_string(dir.path().join("calls/paths"))
                .unwrap_or_default()
                .lines()
            {
                assert!(!Path::new(p).exists(), "{p} left behind");
            }
            // kubectl apply -f - gets exactly the env and proxy documents.
            let apply = calls
                .iter()
                .find(|c| c.argv.first().map(String::as_str) == Some("apply"))
                .expect("kubectl apply");
            assert_eq!(apply.argv, engine::deploy_command(&r)[1..].to_vec());
            let stdin = dir.path().join("apply.yaml");
            std::fs::write(&stdin, side(apply, "stdin").expect("apply stdin")).expect("write");
            let env_f = dir.path().join("env.yaml");
            let proxy_f = dir.path().join("proxy.yaml");
            std::fs::write(&env_f, &g.block("env").expect("env").content).expect("write");
            std::fs::write(&proxy_f, &g.block("proxy").expect("proxy").content).expect("write");
            let check = k8s_check(&[stdin, env_f, proxy_f]);
            assert!(problems(&check).is_empty(), "{:#?}", problems(&check));
            let mut blocks = docs_of(&check, 1).clone();
            blocks.extend(docs_of(&check, 2).iter().cloned());
            assert_eq!(docs_of(&check, 0), &blocks, "{app}: here-document differs");
            // Behind an L7 load balancer the controller is told to trust X-Forwarded-*.
            let patch = calls
                .iter()
                .find(|c| c.argv.first().map(String::as_str) == Some("patch"));
            let l7 = opts.iter().any(|(k, v)| *k == "outer_lb" && *v == "l7");
            assert_eq!(patch.is_some(), l7, "{app}");
            if let Some(p) = patch {
                let json: serde_json::Value =
                    serde_json::from_str(p.argv.last().expect("patch")).expect("patch JSON");
                assert_eq!(json["data"]["use-forwarded-headers"], "true");
                assert_eq!(json["data"]["proxy-real-ip-cidr"], "10.1.0.0/16");
            }
            let order: Vec<&str> = calls
                .iter()
                .map(|c| c.argv.first().map_or("", String::as_str))
                .collect();
            let last_two = &order[order.len() - 2..];
            assert_eq!(last_two, ["rollout", "rollout"], "{app}: {order:?}");
        }
    }
    // A required secret missing: the script stops before applying anything.
    let r = raw("kubernetes", "open-webui", &[]);
    let g = engine::generate(&r);
    let dir = tempfile::tempdir().expect("tempdir");
    install(dir.path(), "kubectl", KUBECTL);
    let out = run_pasted(&g.block("deploy").expect("deploy").content, dir.path(), &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("first"));
    assert!(
        !calls(dir.path())
            .iter()
            .any(|c| c.argv.first().map(String::as_str) == Some("apply"))
    );
}

/// A stand-in `aws`: records argv and stdin, hands the call to the real AWS CLI aimed at the
/// loopback recorder (its output goes to files), then answers the few read calls.
const AWS: &str = r#"#!/usr/bin/env bash
n=$(find "$PT_DIR" -maxdepth 1 -name 'call-*' ! -name '*.*' | wc -l)
f="$PT_DIR/call-$(printf '%04d' "$n")"
for a in "$@"; do printf '%s\0' "$a"; done > "$f"
arg_after() { local want=$1; shift; while [ $# -gt 0 ]; do if [ "$1" = "$want" ]; then printf '%s' "$2"; return; fi; shift; done; }
in=/dev/null
for a in "$@"; do
  if [ "$a" = file:///dev/stdin ]; then cat > "$f.stdin"; in="$f.stdin"; fi
done
"$PT_REAL_AWS" "$@" --endpoint-url "http://127.0.0.1:$PT_PORT" < "$in" > "$f.out" 2> "$f.err"
query=$(arg_after --query "$@")
case "$1 $2" in
  "ssm get-parameter") [ -n "$query" ] || exit 1; printf 'arn:aws:ssm:us-east-1:123456789012:parameter%s\n' "$(arg_after --name "$@")" ;;
  "iam get-role") [ -n "$query" ] || exit 1; printf 'arn:aws:iam::123456789012:role/%s\n' "$(arg_after --role-name "$@")" ;;
  "elbv2 describe-target-groups")
    case "$query" in
      *TargetGroupArn*) echo arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef ;;
      *) echo arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb/0123456789abcdef ;;
    esac ;;
  "ecs describe-services") echo "$PT_SERVICE_STATUS" ;;
esac
exit 0
"#;

fn aws_venv() -> PathBuf {
    common::venv("awscli", &["awscli==1.46.2"])
}

fn real_aws() -> PathBuf {
    aws_venv().parent().expect("bin").join("aws")
}

fn fake_credentials(dir: &Path) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKEFAKE"),
        ("AWS_SECRET_ACCESS_KEY", "fake/fake/fake"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_MAX_ATTEMPTS", "1"),
        ("AWS_RETRY_MODE", "standard"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_PAGER", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .chain([
        (
            "AWS_CONFIG_FILE".to_owned(),
            dir.join("no-config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
            dir.join("no-credentials").display().to_string(),
        ),
    ])
    .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The loopback recorder (tests/e2e/kube_ecs_check.py), killed on drop.
struct Recorder {
    child: std::process::Child,
    port: u16,
    out: PathBuf,
}

impl Recorder {
    fn start(dir: &Path) -> Self {
        let port = free_port();
        let out = dir.join("requests");
        let child = Command::new(aws_venv())
            .arg(harness())
            .args(["recorder", "--port", &port.to_string(), "--seconds", "240"])
            .arg("--out")
            .arg(&out)
            .spawn()
            .expect("recorder");
        for _ in 0..200 {
            if out.join("ready").exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(out.join("ready").exists(), "recorder did not start");
        Self { child, port, out }
    }

    /// Recorded requests in arrival order.
    fn requests(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.out)
            .expect("requests")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| serde_json::from_slice(&std::fs::read(f).expect("read")).expect("json"))
            .collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The AWS CLI's verdict from its stderr: Ok when the request was built and sent (the recorder
/// answered), Err with the text when the CLI refused it before sending.
fn cli_verdict(stderr: &str) -> Result<(), String> {
    let refused = [
        "Parameter validation failed",
        "Unknown parameter",
        "Error parsing parameter",
        "usage:",
        "Invalid type for parameter",
        "Unable to load paramfile",
    ];
    if refused.iter().any(|r| stderr.contains(r)) {
        return Err(stderr.to_owned());
    }
    if stderr.contains("when calling the") || stderr.contains("proxytrust recorder") {
        Ok(())
    } else {
        Err(format!("unexpected AWS CLI output: {stderr}"))
    }
}

fn target(req: &serde_json::Value) -> String {
    req["target"].as_str().map_or_else(
        || {
            req["body"]
                .as_str()
                .unwrap_or_default()
                .split('&')
                .find_map(|kv| kv.strip_prefix("Action="))
                .unwrap_or_default()
                .to_owned()
        },
        |t| t.rsplit('.').next().unwrap_or_default().to_owned(),
    )
}

#[test]
fn ecs_deploy_script_passes_the_real_aws_cli_and_sends_exact_values() {
    /// App, options, and what `describe-services` answers (ACTIVE: update; None: create).
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        ("label-studio", vec![], "ACTIVE"),
        (
            "open-webui",
            vec![
                ("subnets", "subnet-0abc1234,subnet-0def5678"),
                ("security_groups", "sg-0123abcd"),
                ("stickiness", "yes"),
                ("account_id", "123456789012"),
                ("region", "us-east-1"),
                ("max_instances", "2"),
            ],
            "None",
        ),
        ("label-studio", vec![("secrets", "inline")], "ACTIVE"),
    ];
    for (app, opts, status) in cases {
        let r = with_secrets(raw("ecs-fargate", app, &opts));
        let g = engine::generate(&r);
        let deploy = &g.block("deploy").expect("deploy").content;
        let dir = tempfile::tempdir().expect("tempdir");
        install(dir.path(), "aws", AWS);
        let recorder = Recorder::start(dir.path());
        let mut env = fake_credentials(dir.path());
        env.extend(value_vars(&r));
        env.push(("PT_REAL_AWS".into(), real_aws().display().to_string()));
        env.push(("PT_PORT".into(), recorder.port.to_string()));
        env.push(("PT_SERVICE_STATUS".into(), status.into()));
        let out = run_pasted(deploy, dir.path(), &env);
        assert!(
            out.status.success(),
            "{app}: {}\n{deploy}",
            String::from_utf8_lossy(&out.stderr)
        );
        let calls = calls(dir.path());
        // 1. Every command passed the real CLI's parsing and validation.
        for c in &calls {
            let err = String::from_utf8_lossy(&side(c, "err").unwrap_or_default()).into_owned();
            if let Err(e) = cli_verdict(&err) {
                panic!("{app}: aws {:?} refused by the AWS CLI:\n{e}", c.argv);
            }
        }
        let reqs = recorder.requests();
        let by = |t: &str| -> Vec<&serde_json::Value> {
            reqs.iter().filter(|r| target(r) == t).collect()
        };
        // 2. The task definition the CLI sends: exactly the intended environment.
        let reg = by("RegisterTaskDefinition");
        assert_eq!(reg.len(), 1, "{app}");
        let body: serde_json::Value =
            serde_json::from_str(reg[0]["body"].as_str().expect("body")).expect("json body");
        let cd = &body["containerDefinitions"][0];
        let inline = opts.iter().any(|(k, v)| *k == "secrets" && *v == "inline");
        let mut got: Vec<(String, String)> = cd["environment"]
            .as_array()
            .expect("environment")
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().expect("name").to_owned(),
                    e["value"].as_str().expect("value").to_owned(),
                )
            })
            .collect();
        // SSM secrets: created with exactly the values, referenced by the task definition.
        let puts = by("PutParameter");
        let refs: Vec<(String, String)> = cd["secrets"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| {
                        (
                            s["name"].as_str().expect("name").to_owned(),
                            s["valueFrom"].as_str().expect("valueFrom").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(refs.is_empty(), inline || r.secrets.is_empty(), "{app}");
        for (name, value_from) in &refs {
            let param = value_from
                .split_once(":parameter")
                .map_or(value_from.as_str(), |(_, p)| p);
            let put = puts
                .iter()
                .map(|p| {
                    serde_json::from_str::<serde_json::Value>(p["body"].as_str().expect("body"))
                        .expect("json")
                })
                .find(|b| b["Name"] == param)
                .unwrap_or_else(|| panic!("{app}: no PutParameter for {param}"));
            assert_eq!(put["Type"], "SecureString");
            assert_eq!(
                put["Value"].as_str(),
                r.secrets.get(name).map(String::as_str),
                "{app}: {name} value"
            );
            got.push((name.clone(), r.secrets[name].clone()));
        }
        let mut want = intended(&g, &r);
        want.sort();
        got.sort();
        assert_eq!(got, want, "{app}: environment");
        // The execution role ARN comes from the command line (it overrides the file).
        assert_eq!(
            body["executionRoleArn"],
            "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
        );
        // 3. The load balancer: Host preserved; idle timeout for WebSocket apps; stickiness.
        let lb = by("ModifyLoadBalancerAttributes");
        assert_eq!(lb.len(), 1);
        let lb_body = lb[0]["body"].as_str().expect("body");
        assert!(lb_body.contains("routing.http.preserve_host_header.enabled"));
        let ws = proxytrust::engine::apps::find(app).is_some_and(|a| a.websockets());
        assert_eq!(
            lb_body.contains("idle_timeout.timeout_seconds"),
            ws,
            "{app}"
        );
        let sticky = opts.iter().any(|(k, v)| *k == "stickiness" && *v == "yes");
        assert_eq!(
            by("ModifyTargetGroupAttributes").len(),
            usize::from(sticky),
            "{app}"
        );
        // 4. The service: updated (exact argv) or created with its network.
        if status == "ACTIVE" {
            let upd = calls
                .iter()
                .find(|c| c.argv.starts_with(&["ecs".into(), "update-service".into()]))
                .expect("update-service");
            assert_eq!(upd.argv, engine::deploy_command(&r)[1..].to_vec());
        } else {
            let create = by("CreateService");
            assert_eq!(create.len(), 1, "{app}");
            let b: serde_json::Value =
                serde_json::from_str(create[0]["body"].as_str().expect("body")).expect("json");
            let net = &b["networkConfiguration"]["awsvpcConfiguration"];
            assert_eq!(net["subnets"][1], "subnet-0def5678");
            assert_eq!(net["securityGroups"][0], "sg-0123abcd");
            assert_eq!(b["desiredCount"], 2);
            assert_eq!(b["loadBalancers"][0]["containerPort"], 8080);
        }
        // No secret on any command line.
        for (name, value) in &r.secrets {
            for c in &calls {
                assert!(
                    !c.argv.iter().any(|a| a.contains(value.trim_end())),
                    "{app}: secret {name} on argv {:?}",
                    c.argv
                );
            }
        }
    }
}

#[test]
fn ecs_task_definition_passes_validation_at_a_closed_port_and_a_map_does_not() {
    let r = with_secrets(raw("ecs-fargate", "label-studio", &[]));
    let g = engine::generate(&r);
    let json = g.block("env").expect("env").content.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    // What people write by hand (docker-compose style): environment as a map.
    let mut v: serde_json::Value = serde_json::from_str(&json).expect("generated JSON");
    v["containerDefinitions"][0]["environment"] = serde_json::json!({"A": "b"});
    let closed = free_port(); // bound and released: nothing listens there
    let run = |text: &str, name: &str| -> String {
        let f = dir.path().join(name);
        std::fs::write(&f, text).expect("write");
        let mut cmd = Command::new(real_aws());
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .args(["ecs", "register-task-definition", "--cli-input-json"])
            .arg(format!("file://{}", f.display()))
            .arg("--endpoint-url")
            .arg(format!("http://127.0.0.1:{closed}"));
        for (k, val) in fake_credentials(dir.path()) {
            cmd.env(k, val);
        }
        let out = cmd.output().expect("aws");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let bad = run(&v.to_string(), "map.json");
    assert!(
        bad.contains("Parameter validation failed") || bad.contains("Invalid type"),
        "the map form should be rejected: {bad}"
    );
    let good = run(&json, "task-definition.json");
    assert!(
        good.contains("Could not connect to the endpoint URL"),
        "generated task definition: {good}"
    );
}

#[test]
fn every_app_on_these_platforms_has_full_outputs_and_clean_scripts() {
    let option_sets: &[(&str, &[(&str, &str)])] = &[
        ("ecs-fargate", &[]),
        (
            "ecs-fargate",
            &[
                ("secrets", "inline"),
                ("stickiness", "yes"),
                ("subnets", "subnet-0abc1234"),
                ("region", "eu-west-1"),
                ("account_id", "123456789012"),
            ],
        ),
        ("kubernetes", &[]),
        (
            "kubernetes",
            &[
                ("secrets", "inline"),
                ("affinity", "yes"),
                ("outer_lb", "l7"),
                ("namespace", "tools"),
            ],
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bash_files = Vec::new();
    for a in APPS {
        for (n, (platform, opts)) in option_sets.iter().enumerate() {
            let r = with_secrets(raw(platform, a.id(), opts));
            let g = engine::generate(&r);
            for id in ["env", "deploy", "proxy"] {
                let b = g
                    .block(id)
                    .unwrap_or_else(|| panic!("{} on {platform}: no {id}", a.id()));
                assert!(
                    b.content.lines().any(|l| {
                        let t = l.trim();
                        !t.is_empty() && !t.starts_with('#')
                    }),
                    "{} on {platform}: {id} has only comments",
                    a.id()
                );
                match b.language {
                    "bash" => {
                        let f = dir.path().join(format!("{}-{n}-{id}.sh", a.id()));
                        std::fs::write(&f, &b.content).expect("write");
                        bash_files.push(f);
                    }
                    "json" => {
                        serde_json::from_str::<serde_json::Value>(&b.content).expect("valid JSON");
                    }
                    _ => {}
                }
            }
            // Whatever the diagnostics, none of ours is an empty message.
            assert!(g.diagnostics.iter().all(|d| !d.message.is_empty()));
        }
    }
    let out = Command::new(common::shellcheck())
        .arg("--shell=bash")
        .arg("--severity=style")
        .args(&bash_files)
        .output()
        .expect("shellcheck");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.trim().is_empty(), "shellcheck:\n{report}");
}
