//! The headless CLI: `generate`, `check`, `list`, `explain`, `diagnose` (and `gui`, the
//! default).
//!
//! Exit codes: 0 without error diagnostics; 1 with errors (outputs still printed best-effort);
//! 2 for usage errors (unknown flag, unknown platform or app id, missing required flag).
//! `diagnose` exits 0 when it recognised the text and 1 when it did not.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::engine::diagnostics::{Diagnostic, codes};
use crate::engine::inputs::{ExtraVar, OptionKind, OptionSpec, RawInputs};
use crate::engine::{self, Generated, apps, platforms};

#[derive(Parser, Debug)]
#[command(
    name = "proxytrust",
    version,
    about = "Exact env vars, deploy commands and proxy config for self-hosted apps behind a cloud front end",
    long_about = "Without a command, opens the desktop app."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the desktop app (the default).
    Gui(GuiArgs),
    /// Validate the inputs and print the generated outputs.
    Generate(GenerateArgs),
    /// Validate the inputs and print the diagnostics only.
    Check(CheckArgs),
    /// List the supported apps or platforms.
    List(ListArgs),
    /// Explain a diagnostic code (e.g. URL004).
    Explain { code: String },
    /// Recognise a pasted error message or log line (read from stdin): names the app, the
    /// cause and the fix, and prints the `generate` command with the form filled in.
    Diagnose(DiagnoseArgs),
}

#[derive(Args, Debug)]
pub struct DiagnoseArgs {
    /// Read the text from this file instead of stdin.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Start from this project file (the result says what to change in it).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// The app you think it is (kept when the message fits it).
    #[arg(long)]
    pub app: Option<String>,
    /// The platform, for the suggested `generate` command (default: cloud-run).
    #[arg(long)]
    pub platform: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Args, Debug, Default)]
pub struct GuiArgs {
    /// Open this project file.
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Render the window to this PNG and exit.
    #[arg(long, value_name = "FILE.png")]
    pub screenshot: Option<PathBuf>,
    /// Window size for --screenshot, e.g. 1280x800.
    #[arg(long, value_name = "WxH")]
    pub size: Option<String>,
    /// Colour theme for this run (default: the remembered choice, else the system's).
    #[arg(long, value_enum)]
    pub theme: Option<ThemeArg>,
    /// Language of the window for this run (generated files stay in English).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// UI scale (points to pixels), e.g. 1.5 for a HiDPI look in --screenshot.
    #[arg(long, value_name = "FACTOR")]
    pub scale: Option<f32>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ThemeArg {
    Dark,
    Light,
}

#[derive(Args, Debug, Default, Clone)]
pub struct InputArgs {
    /// A public URL of the service (repeat for each: run.app URL, custom domain, ...).
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
    /// Platform id (see `proxytrust list platforms`).
    #[arg(long)]
    pub platform: Option<String>,
    /// App id (see `proxytrust list apps`).
    #[arg(long)]
    pub app: Option<String>,
    /// App version, e.g. 1.23.2 (default: the newest ProxyTrust knows).
    #[arg(long = "app-version", value_name = "V")]
    pub app_version: Option<String>,
    /// An app or platform option, KEY=VALUE (repeatable; see `list ... --format json`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// An extra environment variable for the container, NAME=VALUE (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// Read the inputs from a project file; flags given as well override it.
    #[arg(long)]
    pub project: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// `json`, `markdown`, or an output id (env, deploy, dotenv, snippet, verify, explain).
    #[arg(long, default_value = "markdown")]
    pub format: String,
    /// Fill missing secret values with random ones from the OS CSPRNG (they then appear in the
    /// outputs that need them: the dotenv, and inline secrets).
    #[arg(long)]
    pub generate_secrets: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum, Default)]
pub enum ListFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ListWhat {
    Apps,
    Platforms,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    pub what: ListWhat,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// A usage error: message for stderr, exit code 2.
#[derive(Debug)]
pub struct Usage(pub String);

/// Builds the raw inputs from flags (and the project file, if any).
pub fn build_inputs(a: &InputArgs) -> Result<RawInputs, Usage> {
    let mut raw = match &a.project {
        Some(p) => crate::project::load(p).map_err(|e| Usage(e.to_string()))?,
        None => RawInputs::default(),
    };
    if !a.urls.is_empty() {
        raw.urls.clone_from(&a.urls);
    }
    if let Some(p) = &a.platform {
        raw.platform.clone_from(p);
    }
    if let Some(x) = &a.app {
        raw.app.clone_from(x);
    }
    if let Some(v) = &a.app_version {
        raw.app_version.clone_from(v);
    }
    for kv in &a.set {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Usage(format!("--set needs KEY=VALUE, got: {kv}")))?;
        raw.options.insert(k.trim().to_owned(), v.to_owned());
    }
    for kv in &a.env {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Usage(format!("--env needs NAME=VALUE, got: {kv}")))?;
        raw.extra_env.push(ExtraVar {
            name: k.to_owned(),
            value: v.to_owned(),
        });
    }
    if raw.urls.is_empty() {
        return Err(Usage("missing required flag: --url URL".into()));
    }
    if raw.platform.is_empty() {
        return Err(Usage("missing required flag: --platform ID".into()));
    }
    if raw.app.is_empty() {
        return Err(Usage("missing required flag: --app ID".into()));
    }
    if platforms::find(&raw.platform).is_none() {
        return Err(Usage(format!(
            "unknown platform: {} (known: {})",
            raw.platform,
            platforms::PLATFORMS
                .iter()
                .map(|p| p.id())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if apps::find(&raw.app).is_none() {
        return Err(Usage(format!(
            "unknown app: {} (known: {})",
            raw.app,
            apps::APPS
                .iter()
                .map(|a| a.id())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(raw)
}

/// The stable JSON schema of `generate --format json` (schema 1).
#[derive(Serialize)]
pub struct JsonOutput<'a> {
    pub schema: u32,
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
    pub env: &'a [engine::EnvEntry],
    pub outputs: &'a [engine::render::Block],
}

#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'a str,
    pub severity: &'a str,
    pub field: &'a str,
    pub message: &'a str,
    pub fixes: &'a [engine::diagnostics::Fix],
}

fn json_diags(d: &[Diagnostic]) -> Vec<JsonDiagnostic<'_>> {
    d.iter()
        .map(|d| JsonDiagnostic {
            code: d.code,
            severity: d.severity.as_str(),
            field: &d.field,
            message: &d.message,
            fixes: &d.fixes,
        })
        .collect()
}

fn print_diags_text(d: &[Diagnostic], out: &mut dyn std::io::Write) {
    for d in d {
        let _ = writeln!(
            out,
            "{}[{}] {}: {}",
            d.severity.as_str(),
            d.code,
            d.field,
            d.message
        );
        for f in &d.fixes {
            let _ = writeln!(out, "  fix: {}", f.title);
        }
    }
}

fn exit_for(g: &Generated) -> ExitCode {
    if g.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

pub fn generate(args: &GenerateArgs) -> ExitCode {
    let mut raw = match build_inputs(&args.input) {
        Ok(r) => r,
        Err(Usage(m)) => return usage(&m),
    };
    if args.generate_secrets
        && let Err(e) = crate::secrets::fill_missing(&mut raw)
    {
        eprintln!("error: cannot read the OS random number generator: {e}");
        return ExitCode::from(1);
    }
    let g = engine::generate(&raw);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format.as_str() {
        "json" => {
            let doc = JsonOutput {
                schema: 1,
                diagnostics: json_diags(&g.diagnostics),
                env: &g.env,
                outputs: &g.blocks,
            };
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => {
                    let _ = writeln!(out, "{s}");
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            }
        }
        "markdown" => {
            let doc =
                engine::render::markdown::document(&g.title, &g.command, &g.diagnostics, &g.blocks);
            let _ = out.write_all(doc.as_bytes());
            print_diags_text(&g.diagnostics, &mut std::io::stderr());
        }
        id => match g.block(id) {
            Some(b) => {
                let _ = out.write_all(b.content.as_bytes());
                print_diags_text(&g.diagnostics, &mut std::io::stderr());
            }
            None => {
                let ids: Vec<&str> = g.blocks.iter().map(|b| b.id).collect();
                return usage(&format!(
                    "unknown --format: {id} (use json, markdown, or one of: {})",
                    ids.join(", ")
                ));
            }
        },
    }
    exit_for(&g)
}

pub fn check(args: &CheckArgs) -> ExitCode {
    let raw = match build_inputs(&args.input) {
        Ok(r) => r,
        Err(Usage(m)) => return usage(&m),
    };
    let g = engine::generate(&raw);
    match args.format {
        ListFormat::Json => {
            let doc = serde_json::json!({
                "schema": 1,
                "diagnostics": json_diags(&g.diagnostics),
            });
            println!("{doc:#}");
        }
        ListFormat::Text => {
            if g.diagnostics.is_empty() {
                println!("no problems found");
            }
            print_diags_text(&g.diagnostics, &mut std::io::stdout());
        }
    }
    exit_for(&g)
}

fn options_json(specs: &[OptionSpec]) -> serde_json::Value {
    specs
        .iter()
        .map(|s| {
            let mut o = serde_json::json!({
                "key": s.key, "label": s.label, "help": s.help, "default": s.default,
            });
            let kind = match s.kind {
                OptionKind::Text => serde_json::json!("text"),
                OptionKind::Integer => serde_json::json!("integer"),
                OptionKind::Email => serde_json::json!("email"),
                OptionKind::Choice(c) => {
                    o["choices"] = c.iter().map(|(v, _)| *v).collect();
                    serde_json::json!("choice")
                }
            };
            o["kind"] = kind;
            o
        })
        .collect()
}

pub fn list(args: &ListArgs) -> ExitCode {
    match (args.what, args.format) {
        (ListWhat::Apps, ListFormat::Json) => {
            let apps: Vec<_> = apps::APPS
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "id": a.id(), "name": a.name(), "summary": a.summary(),
                        "versions": a.known_versions(), "options": options_json(a.options()),
                    })
                })
                .collect();
            println!("{:#}", serde_json::json!({ "apps": apps }));
        }
        (ListWhat::Platforms, ListFormat::Json) => {
            let ps: Vec<_> = platforms::PLATFORMS
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "id": p.id(), "name": p.name(), "summary": p.summary(),
                        "https_only": p.https_only(), "options": options_json(p.options()),
                    })
                })
                .collect();
            println!("{:#}", serde_json::json!({ "platforms": ps }));
        }
        (ListWhat::Apps, ListFormat::Text) => {
            let w = apps::APPS.iter().map(|a| a.id().len()).max().unwrap_or(0);
            for a in apps::APPS {
                println!("{:<w$}  {} ({})", a.id(), a.name(), a.summary());
            }
        }
        (ListWhat::Platforms, ListFormat::Text) => {
            let w = platforms::PLATFORMS
                .iter()
                .map(|p| p.id().len())
                .max()
                .unwrap_or(0);
            for p in platforms::PLATFORMS {
                println!("{:<w$}  {} ({})", p.id(), p.name(), p.summary());
            }
        }
    }
    ExitCode::SUCCESS
}

pub fn explain(code: &str) -> ExitCode {
    match codes::lookup(code) {
        Some(c) => {
            println!("{} ({}, {})\n", c.code, c.name, c.severity.as_str());
            println!("{}", c.explanation);
            ExitCode::SUCCESS
        }
        None => usage(&format!(
            "unknown code: {code} (codes look like URL004, CR003, LS001)"
        )),
    }
}

/// The JSON document of `diagnose --format json` (schema 1).
#[derive(Serialize)]
struct DiagnoseJson<'a> {
    schema: u32,
    recognised: bool,
    diagnoses: &'a [engine::diagnose::Diagnosis],
    /// `proxytrust generate ...` with the form filled in (when something was recognised).
    command: Option<String>,
}

pub fn diagnose(args: &DiagnoseArgs) -> ExitCode {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    let read = match &args.file {
        Some(p) => std::fs::File::open(p).and_then(|f| {
            f.take(engine::diagnose::MAX_INPUT as u64)
                .read_to_end(&mut bytes)
        }),
        None => std::io::stdin()
            .lock()
            .take(engine::diagnose::MAX_INPUT as u64)
            .read_to_end(&mut bytes),
    };
    if let Err(e) = read {
        let what = args
            .file
            .as_ref()
            .map_or_else(|| "stdin".to_owned(), |p| p.display().to_string());
        eprintln!("error: cannot read {what}: {e}");
        return ExitCode::from(2);
    }
    // Logs are not always UTF-8; the messages ProxyTrust knows are ASCII.
    let text = String::from_utf8_lossy(&bytes);
    let mut raw = match &args.project {
        Some(p) => match crate::project::load(p) {
            Ok(r) => r,
            Err(e) => return usage(&e.to_string()),
        },
        None => RawInputs::default(),
    };
    if let Some(a) = &args.app {
        if apps::find(a).is_none() {
            return usage(&format!("unknown app: {a}"));
        }
        raw.app.clone_from(a);
    }
    if let Some(p) = &args.platform {
        raw.platform.clone_from(p);
    }
    if raw.platform.trim().is_empty() {
        "cloud-run".clone_into(&mut raw.platform);
    }
    let found = engine::diagnose::diagnose(&text, &raw);
    let command = (!found.is_empty()).then(|| {
        let mut filled = raw.clone();
        engine::diagnose::apply(&found, &mut filled);
        engine::command_for(&filled)
    });
    match args.format {
        ListFormat::Json => {
            let doc = DiagnoseJson {
                schema: 1,
                recognised: !found.is_empty(),
                diagnoses: &found,
                command: command.clone(),
            };
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            }
        }
        ListFormat::Text => {
            if found.is_empty() {
                println!(
                    "Not recognised. ProxyTrust knows the CSRF, XSRF, OAuth-state and cookie \
                     messages of: {}. Nothing was guessed; paste the full log line, or run \
                     `proxytrust list apps` and pick the app yourself.",
                    apps::APPS
                        .iter()
                        .map(|a| a.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            for d in &found {
                println!("Recognised: {}", d.emitter);
                println!("  app:     {} ({})", d.app_name, d.app);
                println!("  matched: {}", d.matched);
                println!("  cause:   {}", d.cause);
                println!("  fix:     {}", d.fix);
                println!("  source:  {}", d.references);
                println!();
            }
            if let Some(c) = &command {
                println!("Generate the fix with:\n  {c}");
            }
        }
    }
    if found.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
