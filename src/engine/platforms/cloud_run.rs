//! Google Cloud Run, deployed with `gcloud run deploy`.
//!
//! Facts used here (shared/knowledge/platforms.md §1, each with its upstream source):
//! * TLS ends at Google's front end; the container gets plain http with `X-Forwarded-Proto: https`
//!   and the public `Host`; no `X-Forwarded-Host` / `X-Forwarded-Port` (§1.4). http is redirected
//!   to https, so public origins are always `https://` (cloud.google.com/run/docs/triggering/https-request).
//! * URLs (§1.3): deterministic `SERVICE-PROJECT_NUMBER.REGION.run.app` (service name and region
//!   can be read) and the hash URL `SERVICE-HASH-XX.a.run.app` (Google: "Do not parse the
//!   SERVICE_IDENTIFIER"; only the service name is taken, the region must be asked). Both may carry
//!   a `TAG---` prefix.
//! * Service names: lower-case letters, digits, `-`; begin with a letter; no trailing `-`; fewer
//!   than 50 characters (gcloud `run/flags.py` ValidateResource; API v2 serviceId).
//! * Flags (§1.2): `--image`, `--region`, `--port` (also sets `$PORT`, which is reserved),
//!   `--allow-unauthenticated`, `--min-instances`, `--max-instances`, `--set-env-vars` /
//!   `--update-env-vars` / `--env-vars-file` (one mutex group), `--set-secrets=ENV=NAME:VERSION`.
//! * gcloud dict values split on `,` unless `^DELIM^` is given (§1.1; `render/gcloud.rs`).
//! * `--env-vars-file` is YAML 1.1: every value quoted (`render/yaml.rs`).
//! * Secrets: `printf '%s' "$VALUE" | gcloud secrets create NAME --data-file=-` (printf: `echo`
//!   adds a newline; `lib/surface/secrets/create.py`); the runtime service account needs
//!   `roles/secretmanager.secretAccessor` on each secret or the deploy fails
//!   (cloud.google.com/run/docs/configuring/services/secrets); env-var secrets are resolved at
//!   instance start, so the version is pinned. Without `--service-account` a service runs as the
//!   Compute Engine default service account, `PROJECT_NUMBER-compute@developer.gserviceaccount.com`
//!   (cloud.google.com/run/docs/configuring/services/service-identity), so the script grants that
//!   account `roles/secretmanager.secretAccessor` on each secret it creates.
//! * `--session-affinity` (§1.5): a best-effort cookie; offered as a mitigation for apps that
//!   keep per-instance state, never as the fix (the fix is shared secrets and stores).

use crate::engine::Valid;
use crate::engine::diagnostics::{Diagnostic, Fix, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvValue, EnvVar, Plan, VarKind};
use crate::engine::render::shell::{self, Script, Word, quote};
use crate::engine::render::{Block, Header, gcloud, yaml};

use super::Platform;

pub struct CloudRun;

const SECRET_MODES: &[(&str, &str)] = &[
    ("secret-manager", "Secret Manager (recommended)"),
    ("inline", "Inline in the env vars"),
];
const ENV_FLAGS: &[(&str, &str)] = &[
    ("update", "--update-env-vars (keeps other variables)"),
    ("set", "--set-env-vars (replaces all variables)"),
    ("file", "--env-vars-file env.yaml"),
];
const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "service",
        label: "Service name",
        help: "Cloud Run service: lower-case letters, digits and -, starting with a letter",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "region",
        label: "Region",
        help: "e.g. us-central1, europe-west1",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image for the chosen version (for your own code: build from the current folder with --source=.)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "min_instances",
        label: "Min instances",
        help: "--min-instances",
        kind: OptionKind::Integer,
        default: "0",
    },
    OptionSpec {
        key: "max_instances",
        label: "Max instances",
        help: "--max-instances",
        kind: OptionKind::Integer,
        default: "1",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where secret values live",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "secret-manager",
    },
    OptionSpec {
        key: "env_flag",
        label: "Env vars via",
        help: "How the deploy command passes the variables",
        kind: OptionKind::Choice(ENV_FLAGS),
        default: "update",
    },
    OptionSpec {
        key: "allow_unauthenticated",
        label: "Public (app has its own login)",
        help: "--allow-unauthenticated: browsers reach the app's own login page",
        kind: OptionKind::Choice(YES_NO),
        default: "yes",
    },
    OptionSpec {
        key: "session_affinity",
        label: "Session affinity",
        help: "--session-affinity: a cookie sends a browser back to the same instance, best effort; a mitigation, not a fix for state that differs between instances",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
];

/// What a run.app host says about the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunAppUrl {
    pub service: String,
    /// Only deterministic URLs name the region.
    pub region: Option<String>,
    pub project_number: Option<String>,
}

/// Reads a `*.run.app` host (platforms.md §1.3).
pub fn recognise(host: &str) -> Option<RunAppUrl> {
    let rest = host.strip_suffix(".run.app")?;
    let rest = rest.rsplit_once("---").map_or(rest, |(_, r)| r);
    if let Some(ident) = rest.strip_suffix(".a") {
        // SERVICE-HASH-XX: the service is everything before the last two parts.
        let parts: Vec<&str> = ident.split('-').collect();
        if parts.len() < 3 || parts.iter().any(|p| p.is_empty()) || ident.contains('.') {
            return None;
        }
        return Some(RunAppUrl {
            service: parts[..parts.len() - 2].join("-"),
            region: None,
            project_number: None,
        });
    }
    let (label, region) = rest.split_once('.')?;
    let (service, number) = label.rsplit_once('-')?;
    if service.is_empty()
        || number.is_empty()
        || !number.bytes().all(|b| b.is_ascii_digit())
        || !is_region(region)
    {
        return None;
    }
    Some(RunAppUrl {
        service: service.to_owned(),
        region: Some(region.to_owned()),
        project_number: Some(number.to_owned()),
    })
}

/// `us-central1`, `northamerica-northeast1`: lower-case words joined by `-`, ending in digits.
fn is_region(r: &str) -> bool {
    let Some(last_alpha) = r.rfind(|c: char| !c.is_ascii_digit()) else {
        return false;
    };
    let (words, digits) = r.split_at(last_alpha + 1);
    !digits.is_empty()
        && words.contains('-')
        && words
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

fn service_name_ok(s: &str) -> bool {
    s.len() < 50
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The closest valid service name (for the unsafe fix of `CR002`).
fn sanitise_service(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "s-");
    }
    out.truncate(49);
    out.trim_end_matches('-').to_owned()
}

impl CloudRun {
    fn service(v: &Valid<'_>) -> String {
        let s = v.opt("service").trim();
        if s.is_empty() {
            v.app.id().to_owned()
        } else {
            s.to_owned()
        }
    }

    fn secret_name(v: &Valid<'_>, slug: &str) -> String {
        format!("{}-{slug}", Self::service(v))
    }

    fn image(v: &Valid<'_>, plan: &Plan) -> String {
        let i = v.opt("image").trim();
        if i.is_empty() {
            plan.app.image.clone()
        } else {
            i.to_owned()
        }
    }

    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }

    /// `NAME=VALUE` pairs written as env vars: literals, plus secrets when inline.
    fn env_pairs<'p>(v: &Valid<'_>, plan: &'p Plan) -> Vec<(&'p str, &'p str)> {
        let inline = Self::inline(v);
        plan.deploy_env()
            .filter_map(|var| match &var.value {
                EnvValue::Literal(val) => Some((var.name.as_str(), val.as_str())),
                EnvValue::Secret(s) if inline => {
                    Some((var.name.as_str(), s.value.as_deref().unwrap_or("")))
                }
                EnvValue::Secret(_) => None,
            })
            .collect()
    }

    /// `ENV=NAME:VERSION` pairs for `--set-secrets`.
    fn secret_pairs(v: &Valid<'_>, plan: &Plan) -> Vec<(String, String)> {
        if Self::inline(v) {
            return Vec::new();
        }
        plan.deploy_env()
            .filter_map(|var| match &var.value {
                EnvValue::Secret(s) => Some((
                    var.name.clone(),
                    format!("{}:{SECRET_VERSION}", Self::secret_name(v, s.slug)),
                )),
                EnvValue::Literal(_) => None,
            })
            .collect()
    }

    fn env_file_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let mut content = header.hash_comment("env");
        content.push_str(
            "# Cloud Run env vars file: gcloud run deploy SERVICE --env-vars-file=env.yaml\n\
             # (it replaces all existing variables). Every value is quoted: gcloud reads\n\
             # YAML 1.1, where 1, true or yes would not be strings.\n",
        );
        let secrets = Self::secret_pairs(v, plan);
        if !secrets.is_empty() {
            content.push_str("# Secrets are not in this file; pass them with --set-secrets:\n");
            for (env, r) in &secrets {
                content.push_str(&format!("#   {env}={r}\n"));
            }
        }
        let pairs = Self::env_pairs(v, plan);
        if pairs.is_empty() {
            // An empty file is not a mapping; `{}` is, and gcloud's env-vars-file reader
            // accepts any YAML mapping (platforms.md §1.2).
            content.push_str("# No plain variables for this app: an empty mapping.\n{}\n");
        } else {
            content.push_str(&yaml::flat_mapping(&pairs));
        }
        Block {
            id: "env",
            title: "Environment (Cloud Run env.yaml)".to_owned(),
            language: "yaml",
            filename: "env.yaml".to_owned(),
            content,
            contains_secret: Self::inline(v) && plan.env.iter().any(EnvVar::is_secret),
        }
    }

    fn deploy_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let service = Self::service(v);
        let region = v.opt("region").trim().to_owned();
        let inline = Self::inline(v);
        let mut s = Script::default();
        s.raw("#!/usr/bin/env bash");
        for l in header.lines("deploy") {
            s.comment(l);
        }
        s.comment("");
        s.comment(format!(
            "Deploys {} to Cloud Run service {service} in {}.",
            plan.app_name,
            if region.is_empty() { "REGION" } else { &region }
        ));
        s.comment("Run it as a file (bash deploy.sh) or paste it into bash: the commands run in a");
        s.comment("subshell, so a failure stops the script and leaves your shell open.");
        let secret_vars: Vec<&EnvVar> = plan.deploy_env().filter(|e| e.is_secret()).collect();
        if !inline && !secret_vars.is_empty() {
            super::secret_variables_comment(
                &mut s,
                [
                    "Secret values are read from these shell variables when the secret does not",
                    "exist yet in Secret Manager (export them first):",
                ],
                secret_vars.iter().copied(),
            );
        }
        if v.opt("env_flag") == "file" {
            s.comment("Needs env.yaml (the env block) in the current directory.");
        }
        s.raw("(");
        s.raw("set -euo pipefail");
        if !inline && !secret_vars.is_empty() {
            s.blank();
            s.comment(
                "The service runs as the Compute Engine default service account, which must be",
            );
            s.comment("allowed to read each secret.");
            s.raw("project=\"$(gcloud config get-value project)\"");
            // An unset project prints nothing on stdout (lib/surface/config/get.py).
            s.raw("if [ -z \"$project\" ]; then echo 'No gcloud project set: run gcloud config set project PROJECT_ID' >&2; exit 1; fi");
            s.raw("project_number=\"$(gcloud projects describe \"$project\" --format='value(projectNumber)')\"");
            s.raw("runtime_sa=\"${project_number}-compute@developer.gserviceaccount.com\"");
            for var in &secret_vars {
                let EnvValue::Secret(spec) = &var.value else {
                    continue;
                };
                let name = Self::secret_name(v, spec.slug);
                let shell_var = format!("{}_VALUE", var.name);
                let value_expr = match spec.generate {
                    Some(g) => {
                        format!("\"${{{shell_var}:-$({} | tr -d '\\n')}}\"", g.openssl())
                    }
                    None => format!(
                        "\"${{{shell_var}:?export {shell_var} first: {}}}\"",
                        spec.describe
                    ),
                };
                s.blank();
                s.comment(format!("{}: {}.", var.name, spec.describe));
                s.raw(format!(
                    "if ! gcloud secrets describe {} >/dev/null 2>&1; then",
                    quote(&name)
                ));
                s.cmd_with(
                    Some(format!("printf '%s' {value_expr} |")),
                    vec![
                        Word::lit("gcloud"),
                        Word::lit("secrets"),
                        Word::lit("create"),
                        Word::lit(name.clone()),
                        Word::lit("--replication-policy=automatic"),
                        Word::lit("--data-file=-"),
                    ],
                    None,
                );
                s.raw("fi");
                s.cmd_with(
                    None,
                    vec![
                        Word::lit("gcloud"),
                        Word::lit("secrets"),
                        Word::lit("add-iam-policy-binding"),
                        Word::lit(name.clone()),
                        Word::Raw("--member=\"serviceAccount:${runtime_sa}\"".to_owned()),
                        Word::lit("--role=roles/secretmanager.secretAccessor"),
                    ],
                    Some(">/dev/null".to_owned()),
                );
            }
        }
        s.blank();
        s.cmd(Self::deploy_argv(v, plan));
        s.raw(")");
        Block {
            id: "deploy",
            title: "Deploy script (gcloud)".to_owned(),
            language: "bash",
            filename: "deploy.sh".to_owned(),
            content: s.render(),
            contains_secret: inline
                && plan
                    .env
                    .iter()
                    .any(|e| e.known_value().is_some() && e.is_secret()),
        }
    }

    /// The `gcloud run deploy` argv (literal words; the renderer quotes them).
    pub fn deploy_argv(v: &Valid<'_>, plan: &Plan) -> Vec<Word> {
        let mut argv: Vec<Word> = ["gcloud", "run", "deploy"]
            .into_iter()
            .map(Word::lit)
            .collect();
        argv.push(Word::lit(Self::service(v)));
        let image = Self::image(v, plan);
        if image.is_empty() {
            // Frameworks (your own code) have no official image: build from the current
            // directory (`gcloud run deploy --source`, cloud.google.com/run/docs/deploying-source-code;
            // mutually exclusive with --image).
            argv.push(Word::lit("--source=."));
        } else {
            argv.push(Word::lit(format!("--image={image}")));
        }
        let region = v.opt("region").trim();
        if !region.is_empty() {
            argv.push(Word::lit(format!("--region={region}")));
        }
        argv.push(Word::lit(format!("--port={}", plan.app.container_port)));
        if v.opt("allow_unauthenticated") == "yes" {
            argv.push(Word::lit("--allow-unauthenticated"));
        }
        for key in ["min_instances", "max_instances"] {
            let val = v.opt(key).trim();
            if !val.is_empty() {
                argv.push(Word::lit(format!("--{}={val}", key.replace('_', "-"))));
            }
        }
        // Best effort only: the cookie (30-day TTL) is ignored when the instance is gone,
        // overloaded or scaled in (cloud.google.com/run/docs/configuring/session-affinity;
        // gcloud run/flags.py AddSessionAffinityFlag; platforms.md §1.5).
        if v.opt("session_affinity") == "yes" {
            argv.push(Word::lit("--session-affinity"));
        }
        let pairs = Self::env_pairs(v, plan);
        let flag = v.opt("env_flag");
        if flag == "file" {
            argv.push(Word::lit("--env-vars-file=env.yaml"));
        } else if !pairs.is_empty() {
            let name = if flag == "set" {
                "--set-env-vars"
            } else {
                "--update-env-vars"
            };
            match gcloud::dict_value(&pairs) {
                Some(value) => argv.push(Word::lit(format!("{name}={value}"))),
                // No delimiter possible: fall back to the YAML file.
                None => argv.push(Word::lit("--env-vars-file=env.yaml")),
            }
        }
        let secrets = Self::secret_pairs(v, plan);
        if !secrets.is_empty() {
            let pairs: Vec<(&str, &str)> = secrets
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            if let Some(value) = gcloud::dict_value(&pairs) {
                argv.push(Word::lit(format!("--set-secrets={value}")));
            }
        }
        argv
    }
}

/// Secrets created by the deploy script start at version 1; Google recommends pinning a version
/// for secrets exposed as env vars (cloud.google.com/run/docs/configuring/services/secrets).
const SECRET_VERSION: &str = "1";

impl Platform for CloudRun {
    fn id(&self) -> &'static str {
        "cloud-run"
    }
    fn name(&self) -> &'static str {
        "Google Cloud Run"
    }
    fn summary(&self) -> &'static str {
        "Serverless containers; TLS ends at Google's front end (X-Forwarded-Proto: https)"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn https_only(&self) -> bool {
        true
    }
    fn reserved(&self, name: &str) -> bool {
        // PORT is set by Cloud Run from --port; gcloud rejects the X_GOOGLE_ prefix
        // (env_vars_util.EnvVarKeyType; platforms.md §1.1-1.2).
        name == "PORT" || name.starts_with("X_GOOGLE_")
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let urls: Vec<(usize, RunAppUrl)> = v
            .origins
            .iter()
            .filter_map(|o| recognise(&o.host).map(|r| (o.index, r)))
            .collect();
        let service = v.opt("service").trim();
        use crate::engine::diagnostics::set_option as set;
        match urls.first() {
            _ if service.is_empty() => {
                let mut d = Diagnostic::new(
                    "CR001",
                    field::option("service"),
                    "Cloud Run service name is not set",
                );
                if let Some((i, u)) = urls.first() {
                    d = d.with_fix(Fix::safe(
                        format!("Use {} (from URL {})", u.service, i + 1),
                        set("service", &u.service),
                    ));
                }
                diags.push(d);
            }
            Some((i, u)) if u.service != service => diags.push(
                Diagnostic::new(
                    "CR004",
                    field::option("service"),
                    format!(
                        "URL {} belongs to service {}, not {service}",
                        i + 1,
                        u.service
                    ),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {}", u.service),
                    set("service", &u.service),
                )),
            ),
            _ => {}
        }
        if !service.is_empty() && !service_name_ok(service) {
            let fixed = sanitise_service(service);
            diags.push(
                Diagnostic::new(
                    "CR002",
                    field::option("service"),
                    format!("Not a valid Cloud Run service name: {service}"),
                )
                .with_fix(Fix::unsafe_(format!("Use {fixed}"), set("service", &fixed))),
            );
        }
        let region = v.opt("region").trim();
        let url_region = urls
            .iter()
            .find_map(|(i, u)| u.region.as_ref().map(|r| (*i, r.clone())));
        if region.is_empty() {
            let mut d = Diagnostic::new(
                "CR003",
                field::option("region"),
                "Cloud Run region is not set",
            );
            if let Some((i, r)) = &url_region {
                d = d.with_fix(Fix::safe(
                    format!("Use {r} (from URL {})", i + 1),
                    set("region", r),
                ));
            } else if let Some((i, _)) = urls.first() {
                diags.push(Diagnostic::new(
                    "CR009",
                    field::url(*i),
                    "A hash run.app URL does not say the region: enter it",
                ));
            }
            diags.push(d);
        } else {
            if !is_region(region) {
                diags.push(Diagnostic::new(
                    "CR006",
                    field::option("region"),
                    format!("Not a Google Cloud region id: {region}"),
                ));
            }
            if let Some((i, r)) = &url_region
                && r != region
            {
                diags.push(
                    Diagnostic::new(
                        "CR005",
                        field::option("region"),
                        format!("URL {} is in region {r}, not {region}", i + 1),
                    )
                    .with_fix(Fix::unsafe_(format!("Use {r}"), set("region", r))),
                );
            }
        }
        let min = v.opt("min_instances").trim().parse::<u32>();
        let max = v.opt("max_instances").trim().parse::<u32>();
        if let (Ok(min), Ok(max)) = (min, max)
            && min > max
        {
            diags.push(
                Diagnostic::new(
                    "CR007",
                    field::option("min_instances"),
                    format!("Min instances ({min}) is above max instances ({max})"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Set min instances to {max}"),
                    set("min_instances", max.to_string()),
                )),
            );
        }
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "CR008",
                    field::option("secrets"),
                    "Secret values are written inline into the service configuration",
                )
                .with_fix(Fix::unsafe_(
                    "Keep secrets in Secret Manager",
                    set("secrets", "secret-manager"),
                )),
            );
        }
        if urls.is_empty() && !v.origins.is_empty() {
            diags.push(Diagnostic::new(
                "CR010",
                field::URLS,
                "No run.app URL given: add it too if anybody uses it",
            ));
        }
    }

    fn injected(&self, _v: &Valid<'_>, container_port: u16) -> Vec<EnvVar> {
        vec![EnvVar {
            name: "PORT".to_owned(),
            value: EnvValue::Literal(container_port.to_string()),
            kind: VarKind::Injected,
            why: format!(
                "Set by Cloud Run from --port={container_port}; the app listens on it. Reserved: \
                 it cannot be set with the env flags."
            ),
            source: "gcloud run/flags.py PortArg; cloud.google.com/run/docs/configuring/services/\
                     overview-environment-variables (platforms.md §1.2)"
                .to_owned(),
        }]
    }

    fn inline_secrets(&self, v: &Valid<'_>) -> bool {
        Self::inline(v)
    }

    fn secret_reference(&self, v: &Valid<'_>, var: &EnvVar) -> String {
        match &var.value {
            EnvValue::Secret(s) if !Self::inline(v) => {
                format!("{}:{SECRET_VERSION}", Self::secret_name(v, s.slug))
            }
            _ => "(inline secret)".to_owned(),
        }
    }

    fn deploy_command(&self, v: &Valid<'_>, plan: &Plan) -> Vec<String> {
        shell::unquoted(Self::deploy_argv(v, plan))
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        vec![
            Self::env_file_block(v, plan, header),
            Self::deploy_block(v, plan, header),
        ]
    }

    /// `*.run.app` (platforms.md §1.3).
    fn owns_host(&self, host: &str) -> bool {
        host.ends_with(".run.app")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_run_app_urls() {
        assert_eq!(
            recognise("labelstudio-123456789012.us-central1.run.app"),
            Some(RunAppUrl {
                service: "labelstudio".into(),
                region: Some("us-central1".into()),
                project_number: Some("123456789012".into()),
            })
        );
        assert_eq!(
            recognise("label-studio-abc123-uc.a.run.app"),
            Some(RunAppUrl {
                service: "label-studio".into(),
                region: None,
                project_number: None,
            })
        );
        assert_eq!(
            recognise("beta---labelstudio-abc123-uc.a.run.app").map(|u| u.service),
            Some("labelstudio".into())
        );
        assert_eq!(recognise("ls.example.com"), None);
        assert_eq!(recognise("x.a.run.app"), None);
        assert_eq!(recognise("svc-12ab.us-central1.run.app"), None);
    }

    #[test]
    fn names_and_regions() {
        assert!(service_name_ok("labelstudio"));
        assert!(!service_name_ok("Label_Studio"));
        assert!(!service_name_ok("1abc"));
        assert!(!service_name_ok("abc-"));
        assert!(!service_name_ok(&"a".repeat(50)));
        assert_eq!(sanitise_service("Label_Studio"), "label-studio");
        assert_eq!(sanitise_service("1abc"), "s-1abc");
        assert!(service_name_ok(&sanitise_service("--Ü--")));
        assert!(is_region("us-central1"));
        assert!(is_region("northamerica-northeast1"));
        assert!(!is_region("us-central"));
        assert!(!is_region("uscentral1"));
    }
}
