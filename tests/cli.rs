//! The CLI as a whole process: exit codes, the JSON schema, single blocks, list, explain.

mod common;

use std::process::Command;

fn proxytrust(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_proxytrust"))
        .args(args)
        .output()
        .expect("run proxytrust");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const GOOD: &[&str] = &[
    "generate",
    "--url",
    "https://labelstudio-abc123-uc.a.run.app",
    "--url",
    "https://ls.example.com",
    "--platform",
    "cloud-run",
    "--app",
    "label-studio",
    "--set",
    "service=labelstudio",
    "--set",
    "region=us-central1",
    "--set",
    "admin_email=admin@example.com",
    "--set",
    "database=postgres",
    "--set",
    "postgres_host=10.0.0.3",
];

fn with(extra: &[&'static str]) -> Vec<&'static str> {
    GOOD.iter().copied().chain(extra.iter().copied()).collect()
}

#[test]
fn json_schema_is_stable() {
    let (code, out, _) = proxytrust(&with(&["--format", "json"]));
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["schema"], 1);
    assert!(
        v["diagnostics"].as_array().expect("diagnostics").is_empty(),
        "{v:#}"
    );
    let env = v["env"].as_array().expect("env");
    let names: Vec<&str> = env
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    for n in [
        "CSRF_TRUSTED_ORIGINS",
        "SECRET_KEY",
        "LABEL_STUDIO_PASSWORD",
        "PORT",
        "DJANGO_DB",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    for e in env {
        assert_eq!(
            e.as_object().expect("object").keys().collect::<Vec<_>>(),
            ["name", "secret", "value"]
        );
    }
    let secret = env
        .iter()
        .find(|e| e["name"] == "SECRET_KEY")
        .expect("secret");
    assert_eq!(secret["secret"], true);
    assert_eq!(secret["value"], "labelstudio-secret-key:1");
    let outputs = v["outputs"].as_array().expect("outputs");
    for o in outputs {
        let keys: Vec<&String> = o.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["content", "filename", "id", "language", "title"]);
    }
    let ids: Vec<&str> = outputs
        .iter()
        .map(|o| o["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        ["env", "deploy", "dotenv", "snippet", "verify", "explain"]
    );
}

#[test]
fn errors_exit_1_with_outputs_and_diagnostics_in_json() {
    let (code, out, _) = proxytrust(&[
        "generate",
        "--url",
        "ls.example.com/",
        "--platform",
        "cloud-run",
        "--app",
        "label-studio",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let d = &v["diagnostics"][0];
    for k in ["code", "severity", "field", "message", "fixes"] {
        assert!(d.get(k).is_some(), "{k} missing in {d}");
    }
    assert!(
        v["diagnostics"]
            .as_array()
            .expect("a")
            .iter()
            .any(|d| d["code"] == "URL001"
                && d["severity"] == "error"
                && d["fixes"][0]["edits"][0]["value"] == "https://ls.example.com")
    );
    // Best effort: the outputs are there, with the normalised origin.
    let deploy = v["outputs"][1]["content"].as_str().expect("deploy");
    assert!(
        deploy.contains("--update-env-vars=CSRF_TRUSTED_ORIGINS=https://ls.example.com,"),
        "{deploy}"
    );
}

#[test]
fn one_block_alone_and_markdown() {
    let (code, out, err) = proxytrust(&with(&["--format", "deploy"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("#!/usr/bin/env bash\n"));
    assert!(out.contains("gcloud run deploy labelstudio"));
    let (_, md, _) = proxytrust(&with(&["--format", "markdown"]));
    assert!(md.starts_with("# Label Studio on Google Cloud Run\n"));
    for h in [
        "## Deploy script (gcloud)",
        "```bash",
        "### `CSRF_TRUSTED_ORIGINS`",
    ] {
        assert!(md.contains(h), "{h} missing");
    }
    // Same input, same bytes.
    assert_eq!(proxytrust(&with(&["--format", "markdown"])).1, md);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec![
            "generate",
            "--url",
            "https://a.example",
            "--platform",
            "nope",
            "--app",
            "label-studio",
        ],
        vec![
            "generate",
            "--url",
            "https://a.example",
            "--platform",
            "cloud-run",
            "--app",
            "nope",
        ],
        vec![
            "generate",
            "--url",
            "https://a.example",
            "--app",
            "label-studio",
        ],
        vec!["generate", "--bogus"],
        vec!["explain", "XX999"],
    ] {
        let (code, _, err) = proxytrust(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.is_empty());
    }
    let (code, _, err) = proxytrust(&with(&["--format", "nope"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown --format"), "{err}");
}

#[test]
fn list_check_and_explain() {
    let (code, out, _) = proxytrust(&["list", "apps", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["apps"][0]["id"], "label-studio");
    assert_eq!(v["apps"][0]["name"], "Label Studio");
    let (_, out, _) = proxytrust(&["list", "platforms", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["platforms"][0]["id"], "cloud-run");
    let (code, out, _) = proxytrust(&["explain", "url004"]);
    assert_eq!(code, 0);
    assert!(out.contains("trailing-slash") && out.contains("What:"));
    let (code, out, _) = proxytrust(&[
        "check",
        "--url",
        "https://ls.example.com:443",
        "--platform",
        "cloud-run",
        "--app",
        "label-studio",
        "--set",
        "service=ls",
        "--set",
        "region=us-central1",
    ]);
    assert_eq!(code, 0, "warnings only");
    assert!(out.contains("URL006"), "{out}");
}

#[test]
fn generate_secrets_fills_the_dotenv_only() {
    let (code, out, _) = proxytrust(&with(&["--format", "json", "--generate-secrets"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let dotenv = v["outputs"][2]["content"].as_str().expect("dotenv");
    let line = dotenv
        .lines()
        .find(|l| l.starts_with("SECRET_KEY="))
        .expect("secret line");
    assert_eq!(line.len(), "SECRET_KEY=".len() + 50);
    // The deploy script never holds the value (Secret Manager mode).
    let deploy = v["outputs"][1]["content"].as_str().expect("deploy");
    assert!(!deploy.contains(&line["SECRET_KEY=".len()..]));
}

#[test]
fn project_file_round_trip_through_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("ls.toml");
    std::fs::write(
        &p,
        "schema = 1\nurls = [\"https://ls.example.com\"]\nplatform = \"cloud-run\"\napp = \"label-studio\"\n[options]\nservice = \"ls\"\nregion = \"us-central1\"\n",
    )
    .expect("write");
    let (code, out, err) = proxytrust(&[
        "generate",
        "--project",
        p.to_str().expect("utf8"),
        "--format",
        "env",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("CSRF_TRUSTED_ORIGINS: \"https://ls.example.com\""));
    std::fs::write(&p, "schema = 1\nurls = [\n").expect("write");
    let (code, _, err) = proxytrust(&[
        "generate",
        "--project",
        p.to_str().expect("utf8"),
        "--format",
        "env",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("ls.toml: line"), "{err}");
}

fn diagnose(stdin: &str, args: &[&str]) -> (i32, String) {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_proxytrust"))
        .arg("diagnose")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run proxytrust diagnose");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn diagnose_reads_stdin_and_prints_a_generate_command_that_runs() {
    let log = "[2026-11-01 10:00:00] WARNING django.security.csrf: Forbidden (Origin checking \
               failed - https://labelstudio-abc123-uc.a.run.app does not match any trusted \
               origins.): /user/login/\n";
    let (code, out) = diagnose(log, &["--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["recognised"], true);
    assert_eq!(doc["diagnoses"][0]["app"], "label-studio");
    let cmd = doc["command"].as_str().expect("command");
    assert!(
        cmd.contains("--url https://labelstudio-abc123-uc.a.run.app"),
        "{cmd}"
    );
    // The suggested command is a real invocation: run it (words split by bash).
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "exec \"$0\" {} --format env",
            cmd.trim_start_matches("proxytrust ")
        ))
        .arg(env!("CARGO_BIN_EXE_proxytrust"))
        .output()
        .expect("run the suggested command");
    let env = String::from_utf8_lossy(&out.stdout);
    assert!(
        env.contains("CSRF_TRUSTED_ORIGINS: \"https://labelstudio-abc123-uc.a.run.app\""),
        "{env}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn diagnose_says_not_recognised_and_exits_1() {
    let (code, out) = diagnose("Segmentation fault (core dumped)\n", &[]);
    assert_eq!(code, 1);
    assert!(out.starts_with("Not recognised."), "{out}");
    let (code, out) = diagnose("", &["--format", "json"]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["recognised"], false);
    assert!(doc["command"].is_null());
}

#[test]
fn diagnose_survives_binary_input() {
    let bytes: String = (0u8..=255).map(char::from).collect();
    let (code, _) = diagnose(&bytes, &[]);
    assert_eq!(code, 1);
}
