//! Azure Container Apps, deployed with `az containerapp create` / `update`.
//!
//! Facts used here (shared/knowledge/platforms.md §9; Azure/azure-cli containerapp module and
//! azure-cli-core, MicrosoftDocs/azure-docs articles/container-apps):
//! * `az containerapp create --name --resource-group --environment --image --target-port
//!   --ingress external --min-replicas --max-replicas --secrets NAME=VALUE ... --env-vars K=V
//!   K2=secretref:NAME ...` (space-separated items); `az containerapp update --set-env-vars ...`
//!   adds or changes variables; `az containerapp secret set --secrets ...` adds or changes secrets
//!   (`_params.py`). Secrets are app-level, not revisioned (`manage-secrets.md`).
//! * Argument rules (`render/az.rs`): every argument's text after its first `=` that starts with
//!   `@` is replaced by a file's content (azure-cli-core `_expand_file_prefixed_files`), which is
//!   how secret values reach az here (`NAME=@FILE`, never on the command line); an env value
//!   containing `secretref:` becomes a secret reference (`parse_env_var_flags`). Literal values
//!   that start with `@` or contain `secretref:` are therefore passed as secrets too.
//! * App names: "lower case alphanumeric characters or '-', start with a letter, end with an
//!   alphanumeric character, cannot have '--', and must be less than 32 characters" (`_params.py`
//!   help); `validate_container_app_name` refuses more than 32 (`MAXIMUM_CONTAINER_APP_NAME_LENGTH`).
//! * Location: the containerapp module falls back to `eastus` when it cannot find one
//!   (`_get_default_containerapps_location`), which is also this module's default.
//! * URL: `<app>.<environment-unique-id>.<region>.azurecontainerapps.io` (`connect-apps.md`); the
//!   real one is `az containerapp show --query properties.configuration.ingress.fqdn`.
//! * Ingress (`ingress-overview.md`): HTTPS ends at the ingress, HTTP is redirected to HTTPS;
//!   the app gets `X-Forwarded-Proto` (a client value is overwritten), `X-Forwarded-For`
//!   (appended: only the rightmost address is trustworthy), `X-Forwarded-Client-Cert` with mTLS.
//!   The current table lists no `X-Forwarded-Host` (the 2023 page did): not relied on.
//! * Sticky sessions: `az containerapp ingress sticky-sessions set --affinity sticky`, single
//!   revision mode and HTTP ingress only, cookie `acaAffinity` (`sticky-sessions.md`): best
//!   effort, a mitigation.

use crate::engine::Valid;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvValue, EnvVar, Plan, Reason, SecretSpec};
use crate::engine::render::shell::{self, Script, Word, quote};
use crate::engine::render::{Block, Header, az};

use super::{Platform, paas};

pub struct AzureContainerApps;

const SECRET_MODES: &[(&str, &str)] = &[
    ("containerapp", "Container Apps secrets (recommended)"),
    ("inline", "Inline in the env vars"),
];
const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "app",
        label: "Container app name",
        help: "Lower-case letters, digits and -, starting with a letter, at most 32 characters (empty: the app's id)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "resource_group",
        label: "Resource group",
        help: "Created when missing (empty: NAME-rg)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "environment",
        label: "Container Apps environment",
        help: "Created when missing (empty: NAME-env)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "location",
        label: "Location",
        help: "Azure region for new resources, e.g. eastus, westeurope",
        kind: OptionKind::Text,
        default: "eastus",
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image for the chosen version",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "min_instances",
        label: "Min replicas",
        help: "--min-replicas",
        kind: OptionKind::Integer,
        default: "0",
    },
    OptionSpec {
        key: "max_instances",
        label: "Max replicas",
        help: "--max-replicas",
        kind: OptionKind::Integer,
        default: "1",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where secret values live",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "containerapp",
    },
    OptionSpec {
        key: "session_affinity",
        label: "Sticky sessions",
        help: "az containerapp ingress sticky-sessions set --affinity sticky: best effort, single revision mode only; a mitigation, not a fix",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
];

const SRC_CLI: &str = "Azure/azure-cli containerapp _params.py, _utils.py parse_env_var_flags / \
parse_secret_flags; azure-cli-core commands/__init__.py _expand_file_prefixed_files (platforms.md §9, \
Pitfalls 15)";
const SRC_INGRESS: &str = "MicrosoftDocs/azure-docs articles/container-apps/ingress-overview.md \
(platforms.md §9, Pitfalls 10)";
const SRC_STICKY: &str = "MicrosoftDocs/azure-docs articles/container-apps/sticky-sessions.md \
(platforms.md §9, Pitfalls 19)";

/// What an `azurecontainerapps.io` host says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcaUrl {
    pub app: String,
    pub location: String,
}

/// Reads `<app>.<environment-unique-id>.<region>.azurecontainerapps.io` (connect-apps.md).
pub fn recognise(host: &str) -> Option<AcaUrl> {
    let rest = host.strip_suffix(".azurecontainerapps.io")?;
    let labels: Vec<&str> = rest.split('.').collect();
    match labels.as_slice() {
        [app, _env, region] if !app.is_empty() && !region.is_empty() => Some(AcaUrl {
            app: (*app).to_owned(),
            location: (*region).to_owned(),
        }),
        _ => None,
    }
}

fn app_name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A secret name: lower-case letters, digits and `-`.
fn secret_name(s: &str) -> String {
    paas::sanitise_name(s, 63)
}

/// One secret the app gets: its Container Apps name and how the script obtains the value.
struct AcaSecret<'p> {
    name: String,
    /// The env vars that reference it.
    vars: Vec<&'p str>,
    source: SecretSource<'p>,
}

enum SecretSource<'p> {
    /// A generated secret of the app: from its shell variable (or generated).
    Secret(&'p EnvVar, &'p SecretSpec),
    /// A plain value az would misread on the command line (`@...`, `secretref:`).
    Literal(&'p str),
}

impl AzureContainerApps {
    fn app(v: &Valid<'_>) -> String {
        paas::name_or_app(v, "app")
    }
    fn group(v: &Valid<'_>) -> String {
        let g = v.opt("resource_group").trim();
        if g.is_empty() {
            format!("{}-rg", Self::app(v))
        } else {
            g.to_owned()
        }
    }
    fn environment(v: &Valid<'_>) -> String {
        let e = v.opt("environment").trim();
        if e.is_empty() {
            format!("{}-env", Self::app(v))
        } else {
            e.to_owned()
        }
    }
    fn location(v: &Valid<'_>) -> String {
        let l = v.opt("location").trim();
        if l.is_empty() {
            "eastus".to_owned()
        } else {
            l.to_owned()
        }
    }
    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }

    /// Secrets (deduplicated by name: two variables may share one) and the env items.
    fn layout<'p>(v: &Valid<'_>, plan: &'p Plan) -> (Vec<AcaSecret<'p>>, Vec<(&'p str, String)>) {
        let inline = Self::inline(v);
        let mut secrets: Vec<AcaSecret<'p>> = Vec::new();
        let mut items = Vec::new();
        let mut add = |name: String, var: &'p str, source: SecretSource<'p>| {
            match secrets.iter_mut().find(|s| s.name == name) {
                Some(s) => s.vars.push(var),
                None => secrets.push(AcaSecret {
                    name: name.clone(),
                    vars: vec![var],
                    source,
                }),
            }
            format!("secretref:{name}")
        };
        for var in plan.deploy_env() {
            match &var.value {
                EnvValue::Secret(spec) if !inline => {
                    let r = add(
                        secret_name(spec.slug),
                        &var.name,
                        SecretSource::Secret(var, spec),
                    );
                    items.push((var.name.as_str(), r));
                }
                _ => {
                    let val = var.known_value().unwrap_or("");
                    if az::env_value_ok(val) {
                        items.push((var.name.as_str(), val.to_owned()));
                    } else {
                        let name = secret_name(&format!("env-{}", var.name));
                        let r = add(name, &var.name, SecretSource::Literal(val));
                        items.push((var.name.as_str(), r));
                    }
                }
            }
        }
        (secrets, items)
    }

    fn env_words(items: &[(&str, String)]) -> Vec<Word> {
        items
            .iter()
            .map(|(k, v)| Word::lit(format!("{k}={v}")))
            .collect()
    }

    fn env_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let (secrets, items) = Self::layout(v, plan);
        let mut s = Script::default();
        s.raw("#!/usr/bin/env bash");
        for l in header.lines("env") {
            s.comment(l);
        }
        s.comment(
            "Container Apps env vars for an existing app: NAME=value, or NAME=secretref:SECRET",
        );
        s.comment("for a value kept as a Container Apps secret.");
        if !secrets.is_empty() {
            s.comment("The deploy script creates these secrets first:");
            for sec in &secrets {
                s.comment(format!("  {}  (for {})", sec.name, sec.vars.join(", ")));
            }
        }
        let mut argv = vec![
            Word::lit("az"),
            Word::lit("containerapp"),
            Word::lit("update"),
            Word::lit(format!("--name={}", Self::app(v))),
            Word::lit(format!("--resource-group={}", Self::group(v))),
            Word::lit("--set-env-vars"),
        ];
        argv.extend(Self::env_words(&items));
        s.cmd_with(None, argv, Some(">/dev/null".to_owned()));
        Block {
            id: "env",
            title: "Environment (az containerapp --set-env-vars)".to_owned(),
            language: "bash",
            filename: "containerapp-env.sh".to_owned(),
            content: s.render(),
            contains_secret: paas::inline_secret_known(plan, Self::inline(v)),
        }
    }

    fn deploy_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let app = Self::app(v);
        let group = Self::group(v);
        let env = Self::environment(v);
        let location = Self::location(v);
        let (secrets, items) = Self::layout(v, plan);
        let name_flag = format!("--name={app}");
        let group_flag = format!("--resource-group={group}");
        let mut s = Script::default();
        paas::script_head(
            &mut s,
            header,
            &format!(
                "Deploys {} to the container app {app} (resource group {group}, environment {env}).",
                plan.app_name
            ),
            plan,
            !Self::inline(v),
        );
        s.raw("(");
        s.raw("set -euo pipefail");
        s.blank();
        s.comment("Resource group and Container Apps environment, unless they exist.");
        s.raw(format!(
            "if ! az group show --name {} >/dev/null 2>&1; then",
            quote(&group)
        ));
        s.cmd_with(
            None,
            vec![
                Word::lit("az"),
                Word::lit("group"),
                Word::lit("create"),
                Word::lit(format!("--name={group}")),
                Word::lit(format!("--location={location}")),
            ],
            Some(">/dev/null".to_owned()),
        );
        s.raw("fi");
        s.raw(format!(
            "if ! az containerapp env show --name {} {} >/dev/null 2>&1; then",
            quote(&env),
            quote(&group_flag)
        ));
        s.cmd_with(
            None,
            vec![
                Word::lit("az"),
                Word::lit("containerapp"),
                Word::lit("env"),
                Word::lit("create"),
                Word::lit(format!("--name={env}")),
                Word::lit(group_flag.clone()),
                Word::lit(format!("--location={location}")),
            ],
            Some(">/dev/null".to_owned()),
        );
        s.raw("fi");
        s.blank();
        s.raw(format!(
            "if az containerapp show {} {} >/dev/null 2>&1; then exists=yes; else exists=no; fi",
            quote(&name_flag),
            quote(&group_flag)
        ));
        if !secrets.is_empty() {
            s.blank();
            s.comment("Secret values reach az as files (NAME=@FILE), never on a command line; the");
            s.comment("files live in a private temporary directory removed on exit.");
            for l in az::SECRET_FILE_FN {
                s.raw(*l);
            }
            s.raw("secrets_dir=\"$(mktemp -d)\"");
            s.raw("trap 'rm -rf \"$secrets_dir\"' EXIT");
            s.raw("existing=''");
            s.raw("if [ \"$exists\" = yes ]; then");
            s.raw(format!(
                "existing=\"$(az containerapp secret list {} {} --query '[].name' --output tsv)\"",
                quote(&name_flag),
                quote(&group_flag)
            ));
            s.raw("fi");
            s.raw("secret_args=()");
            for sec in &secrets {
                match &sec.source {
                    SecretSource::Secret(var, spec) => {
                        s.comment(format!("{}: {}.", sec.name, spec.describe));
                        s.raw(format!(
                            "if ! grep -qxF {} <<<\"$existing\"; then",
                            quote(&sec.name)
                        ));
                        s.raw(format!(
                            "az_secret_file {} {}",
                            quote(&sec.name),
                            paas::value_expr(var, spec)
                        ));
                    }
                    SecretSource::Literal(val) => {
                        s.comment(format!(
                            "{}: the plain value of {} (az would misread it on the command line).",
                            sec.name,
                            sec.vars.join(", ")
                        ));
                        s.raw("if true; then");
                        s.raw(format!(
                            "az_secret_file {} {}",
                            quote(&sec.name),
                            quote(val)
                        ));
                    }
                }
                s.raw(format!(
                    "secret_args+=({})",
                    format_args!("\"{}=@$secrets_dir/{}\"", sec.name, sec.name)
                ));
                s.raw("fi");
            }
        }
        let image = paas::image(v, plan);
        s.blank();
        s.raw("if [ \"$exists\" = yes ]; then");
        if !secrets.is_empty() {
            s.raw("if [ \"${#secret_args[@]}\" -gt 0 ]; then");
            s.cmd_with(
                None,
                vec![
                    Word::lit("az"),
                    Word::lit("containerapp"),
                    Word::lit("secret"),
                    Word::lit("set"),
                    Word::lit(name_flag.clone()),
                    Word::lit(group_flag.clone()),
                    Word::lit("--secrets"),
                    Word::Raw("\"${secret_args[@]}\"".to_owned()),
                ],
                Some(">/dev/null".to_owned()),
            );
            s.raw("fi");
        }
        let mut update = vec![
            Word::lit("az"),
            Word::lit("containerapp"),
            Word::lit("update"),
            Word::lit(name_flag.clone()),
            Word::lit(group_flag.clone()),
        ];
        if !image.is_empty() {
            update.push(Word::lit(format!("--image={image}")));
        }
        update.push(Word::lit(format!(
            "--min-replicas={}",
            v.opt("min_instances").trim()
        )));
        update.push(Word::lit(format!("--max-replicas={}", paas::instances(v))));
        update.push(Word::lit("--set-env-vars"));
        update.extend(Self::env_words(&items));
        s.cmd_with(None, update, Some(">/dev/null".to_owned()));
        s.raw("else");
        s.cmd_with(
            None,
            Self::create_argv(v, plan, !secrets.is_empty()),
            Some(">/dev/null".to_owned()),
        );
        s.raw("fi");
        let hosts = paas::custom_hosts(v, |h| h.ends_with(".azurecontainerapps.io"));
        if !hosts.is_empty() {
            s.blank();
            s.comment(
                "Custom domains: add the hostname, then (after the DNS records az shows) bind a",
            );
            s.comment("free managed certificate to it.");
            for h in &hosts {
                s.cmd_with(
                    None,
                    vec![
                        Word::lit("az"),
                        Word::lit("containerapp"),
                        Word::lit("hostname"),
                        Word::lit("add"),
                        Word::lit(format!("--hostname={h}")),
                        Word::lit(name_flag.clone()),
                        Word::lit(group_flag.clone()),
                    ],
                    Some("|| true".to_owned()),
                );
                s.comment(format!(
                    "az containerapp hostname bind --hostname={h} {name_flag} {group_flag} --environment={env} --validation-method=CNAME"
                ));
            }
        }
        if v.opt("session_affinity") == "yes" {
            s.blank();
            s.comment(
                "Best-effort stickiness (cookie acaAffinity, single revision mode): a mitigation.",
            );
            s.cmd_with(
                None,
                vec![
                    Word::lit("az"),
                    Word::lit("containerapp"),
                    Word::lit("ingress"),
                    Word::lit("sticky-sessions"),
                    Word::lit("set"),
                    Word::lit(name_flag.clone()),
                    Word::lit(group_flag.clone()),
                    Word::lit("--affinity=sticky"),
                ],
                Some(">/dev/null".to_owned()),
            );
        }
        s.blank();
        s.comment("The app's URL:");
        s.cmd(vec![
            Word::lit("az"),
            Word::lit("containerapp"),
            Word::lit("show"),
            Word::lit(name_flag),
            Word::lit(group_flag),
            Word::lit("--query=properties.configuration.ingress.fqdn"),
            Word::lit("--output=tsv"),
        ]);
        s.raw(")");
        Block {
            id: "deploy",
            title: "Deploy script (az containerapp)".to_owned(),
            language: "bash",
            filename: "deploy.sh".to_owned(),
            content: s.render(),
            contains_secret: paas::inline_secret_known(plan, Self::inline(v)),
        }
    }

    /// `az containerapp create ...` (the words the engine means; `"${secret_args[@]}"` stands for
    /// the secret files).
    fn create_argv(v: &Valid<'_>, plan: &Plan, with_secrets: bool) -> Vec<Word> {
        let (_, items) = Self::layout(v, plan);
        let mut argv = vec![
            Word::lit("az"),
            Word::lit("containerapp"),
            Word::lit("create"),
            Word::lit(format!("--name={}", Self::app(v))),
            Word::lit(format!("--resource-group={}", Self::group(v))),
            Word::lit(format!("--environment={}", Self::environment(v))),
        ];
        let image = paas::image(v, plan);
        if image.is_empty() {
            // Your own code: build the Dockerfile in the current directory (`--source`, a
            // preview argument of the containerapp extension's create: azure-cli-extensions
            // src/containerapp/azext_containerapp/_params.py).
            argv.push(Word::lit("--source=."));
        } else {
            argv.push(Word::lit(format!("--image={image}")));
        }
        argv.push(Word::lit(format!(
            "--target-port={}",
            plan.app.container_port
        )));
        argv.push(Word::lit("--ingress=external"));
        argv.push(Word::lit(format!(
            "--min-replicas={}",
            v.opt("min_instances").trim()
        )));
        argv.push(Word::lit(format!("--max-replicas={}", paas::instances(v))));
        if with_secrets {
            argv.push(Word::lit("--secrets"));
            argv.push(Word::Raw("\"${secret_args[@]}\"".to_owned()));
        }
        if !items.is_empty() {
            argv.push(Word::lit("--env-vars"));
            argv.extend(Self::env_words(&items));
        }
        argv
    }
}

impl Platform for AzureContainerApps {
    fn id(&self) -> &'static str {
        "azure-container-apps"
    }
    fn name(&self) -> &'static str {
        "Azure Container Apps"
    }
    fn summary(&self) -> &'static str {
        "Container apps behind Envoy ingress; HTTPS ends at the ingress (X-Forwarded-Proto, no X-Forwarded-Host)"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn https_only(&self) -> bool {
        true
    }
    fn reserved(&self, _name: &str) -> bool {
        false
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let urls: Vec<(usize, AcaUrl)> = v
            .origins
            .iter()
            .filter_map(|o| recognise(&o.host).map(|u| (o.index, u)))
            .collect();
        let app = v.opt("app").trim();
        if app.is_empty() {
            let mut d = Diagnostic::new(
                "ACA001",
                field::option("app"),
                format!("Container app name not set, using {}", v.app.id()),
            );
            if let Some((i, u)) = urls.first() {
                d = d.with_fix(Fix::safe(
                    format!("Use {} (from URL {})", u.app, i + 1),
                    paas::set("app", &u.app),
                ));
            }
            diags.push(d);
        }
        let name = Self::app(v);
        if !app_name_ok(&name) {
            let mut fixed = paas::sanitise_name(&name, 32);
            while fixed.contains("--") {
                fixed = fixed.replace("--", "-");
            }
            diags.push(
                Diagnostic::new(
                    "ACA002",
                    field::option("app"),
                    format!("Not a valid container app name: {name}"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {fixed}"),
                    paas::set("app", &fixed),
                )),
            );
        } else if let Some((i, u)) = urls.iter().find(|(_, u)| u.app != name) {
            diags.push(
                Diagnostic::new(
                    "ACA003",
                    field::option("app"),
                    format!(
                        "URL {} belongs to container app {}, not {name}",
                        i + 1,
                        u.app
                    ),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {}", u.app),
                    paas::set("app", &u.app),
                )),
            );
        }
        let location = Self::location(v);
        if let Some((i, u)) = urls.iter().find(|(_, u)| u.location != location) {
            diags.push(
                Diagnostic::new(
                    "ACA004",
                    field::option("location"),
                    format!("URL {} is in {}, not {location}", i + 1, u.location),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {}", u.location),
                    paas::set("location", &u.location),
                )),
            );
        }
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "ACA005",
                    field::option("secrets"),
                    "Secret values are written inline into the env vars",
                )
                .with_fix(Fix::unsafe_(
                    "Keep secrets as Container Apps secrets",
                    paas::set("secrets", "containerapp"),
                )),
            );
        }
        let n = paas::check_instances(
            v,
            &paas::Instances {
                code: "ACA006",
                message: |n| format!("Up to {n} replicas without sticky sessions"),
                run_one: "Run one replica",
                affinity_fix: Some("Turn on sticky sessions (a mitigation)"),
            },
            diags,
        );
        for (i, extra) in v.raw.extra_env.iter().enumerate() {
            if !az::env_value_ok(&extra.value) {
                diags.push(Diagnostic::new(
                    "ACA007",
                    field::extra(i),
                    format!(
                        "az would misread this value on the command line, so it is passed as a secret: {}",
                        extra.name.trim()
                    ),
                ));
            }
        }
        let min = v.opt("min_instances").trim().parse::<u32>();
        if let Ok(min) = min
            && min > n
        {
            diags.push(
                Diagnostic::new(
                    "ACA008",
                    field::option("min_instances"),
                    format!("Min replicas ({min}) is above max replicas ({n})"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Set min replicas to {n}"),
                    paas::set("min_instances", n.to_string()),
                )),
            );
        }
        if urls.is_empty() && !v.origins.is_empty() {
            diags.push(Diagnostic::new(
                "ACA009",
                field::URLS,
                "No azurecontainerapps.io URL given: add it too if anybody uses it",
            ));
        }
        paas::forwarded_trust(
            v,
            "ACA010",
            "Container Apps ingress",
            &["X-Forwarded-Proto"],
            diags,
        );
    }

    fn injected(&self, _v: &Valid<'_>, _container_port: u16) -> Vec<EnvVar> {
        Vec::new()
    }

    fn inline_secrets(&self, v: &Valid<'_>) -> bool {
        Self::inline(v)
    }

    fn secret_reference(&self, v: &Valid<'_>, var: &EnvVar) -> String {
        match &var.value {
            EnvValue::Secret(s) if !Self::inline(v) => format!("secretref:{}", secret_name(s.slug)),
            _ => "(inline secret)".to_owned(),
        }
    }

    fn deploy_command(&self, v: &Valid<'_>, plan: &Plan) -> Vec<String> {
        let (secrets, _) = Self::layout(v, plan);
        shell::unquoted(Self::create_argv(v, plan, !secrets.is_empty()))
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        vec![
            Self::env_block(v, plan, header),
            Self::deploy_block(v, plan, header),
        ]
    }

    fn reasons(&self, v: &Valid<'_>, plan: &Plan) -> Vec<Reason> {
        let carriers = paas::origin_carriers(plan);
        let n = paas::instances(v);
        let mut out = vec![
            Reason {
                subject: "Container Apps ingress: TLS and forwarded headers".to_owned(),
                why: format!(
                    "HTTPS ends at the ingress (http is redirected to https); the container gets \
                     plain http on --target-port {} with X-Forwarded-Proto (a client's value is \
                     overwritten) and X-Forwarded-For (appended: only the rightmost address is \
                     the ingress's own). X-Forwarded-Host is not in the current header table, so \
                     the app is told its public origin explicitly{}.",
                    plan.app.container_port,
                    paas::carriers_phrase(&carriers)
                ),
                source: SRC_INGRESS.to_owned(),
            },
            Reason {
                subject: if v.opt("session_affinity") == "yes" {
                    "Sticky sessions".to_owned()
                } else {
                    format!("Up to {n} replica(s), no sticky sessions")
                },
                why: "With more than one replica the ingress spreads a browser's requests. \
                      `az containerapp ingress sticky-sessions set --affinity sticky` adds a \
                      cookie (acaAffinity) that sends it back to the same replica, only in single \
                      revision mode, and only while that replica lives: a mitigation. Secrets are \
                      app-level (the same value for every replica); in-memory state is not."
                    .to_owned(),
                source: SRC_STICKY.to_owned(),
            },
        ];
        if !Self::inline(v) && !paas::secrets(plan).is_empty() {
            out.push(Reason {
                subject: "Secrets through files (NAME=@FILE)".to_owned(),
                why: "az reads an argument's value from a file when it starts with @, so the \
                      deploy script writes each secret to a private temporary file and passes \
                      NAME=@FILE: no secret value appears on a command line. Only secrets not \
                      set yet are written (az containerapp secret list), so a redeploy keeps \
                      existing keys. Secrets are read when a replica starts: after changing one, \
                      restart the revision. az strips a trailing line break from files; such a \
                      value is refused."
                    .to_owned(),
                source: format!(
                    "{SRC_CLI}; MicrosoftDocs/azure-docs articles/container-apps/manage-secrets.md"
                ),
            });
        }
        out
    }

    /// `*.azurecontainerapps.io` (platforms.md §9).
    fn owns_host(&self, host: &str) -> bool {
        host.ends_with(".azurecontainerapps.io")
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "ACA001",
        severity: Info,
        name: "app-name-default",
        explanation: "What: no container app name is set, so the app's id is used (and NAME-rg, \
NAME-env for the resource group and environment unless set).\n\
Why: `az containerapp create --name` needs it; an azurecontainerapps.io URL names the app.\n\
Example: `--set app=label-studio`.\n\
References: Azure/azure-cli containerapp _params.py (platforms.md §9).",
    },
    Code {
        code: "ACA002",
        severity: Error,
        name: "app-name-invalid",
        explanation: "What: the container app name breaks Azure's rules.\n\
Why: \"A name must consist of lower case alphanumeric characters or '-', start with a letter, end \
with an alphanumeric character, cannot have '--', and must be less than 32 characters\"; az \
refuses names longer than 32.\n\
Example: `Label_Studio` -> `label-studio`.\n\
References: Azure/azure-cli containerapp _params.py, _utils.py validate_container_app_name, \
_constants.py MAXIMUM_CONTAINER_APP_NAME_LENGTH.",
    },
    Code {
        code: "ACA003",
        severity: Warning,
        name: "app-differs-from-url",
        explanation: "What: the app name differs from the one in an azurecontainerapps.io URL.\n\
Why: `APP.ENVIRONMENT-ID.REGION.azurecontainerapps.io` belongs to APP; deploying another name \
creates another app with another URL.\n\
Example: URL `https://ls.happyhill-70162bb9.eastus.azurecontainerapps.io`, app `label-studio`.\n\
References: MicrosoftDocs/azure-docs articles/container-apps/connect-apps.md.",
    },
    Code {
        code: "ACA004",
        severity: Warning,
        name: "location-differs-from-url",
        explanation: "What: the location differs from the region in an azurecontainerapps.io URL.\n\
Why: the URL's third label is the environment's region; new resources would go elsewhere.\n\
Example: URL in `eastus`, location `westeurope`.\n\
References: MicrosoftDocs/azure-docs articles/container-apps/connect-apps.md.",
    },
    Code {
        code: "ACA005",
        severity: Warning,
        name: "inline-secrets",
        explanation: "What: secret values are written inline into the env vars.\n\
Why: plain env values are part of the app's template, visible to anyone who can read the app \
(portal, az containerapp show), and they land in the script and shell history. Container Apps \
secrets are app-level and referenced with secretref:.\n\
Example: `--set secrets=containerapp`.\n\
References: MicrosoftDocs/azure-docs articles/container-apps/manage-secrets.md.",
    },
    Code {
        code: "ACA006",
        severity: Warning,
        name: "replicas-without-affinity",
        explanation: "What: more than one replica may run and sticky sessions are off.\n\
Why: the ingress spreads a browser's requests over the replicas; state kept in one replica's \
memory (sessions, OAuth state, generated keys) is missing on the next. Sticky sessions (cookie \
acaAffinity, single revision mode) are best effort, a mitigation; the fix is shared state, or one \
replica.\n\
Example: `--set session_affinity=yes` (mitigation) or `--set max_instances=1`.\n\
References: MicrosoftDocs/azure-docs articles/container-apps/sticky-sessions.md (platforms.md \
Pitfalls 19).",
    },
    Code {
        code: "ACA007",
        severity: Warning,
        name: "value-passed-as-secret",
        explanation: "What: a value starts with `@` or contains `secretref:`, so it is passed as a \
Container Apps secret instead of a plain env var.\n\
Why: az replaces an argument value that starts with `@` with the content of the file it names, \
and turns any env value containing `secretref:` into a secret reference. Through a secret file \
the value arrives unchanged.\n\
Example: `NOTE=@home` is stored as the secret env-note and referenced as NOTE=secretref:env-note.\n\
References: azure-cli-core commands/__init__.py _expand_file_prefixed_files; containerapp \
_utils.py parse_env_var_flags (platforms.md Pitfalls 15).",
    },
    Code {
        code: "ACA008",
        severity: Error,
        name: "replicas-invalid",
        explanation: "What: min replicas exceeds max replicas.\n\
Why: Container Apps refuses a scale rule whose minimum is above its maximum.\n\
Example: min 0, max 1.\n\
References: Azure/azure-cli containerapp _params.py (--min-replicas, --max-replicas).",
    },
    Code {
        code: "ACA009",
        severity: Info,
        name: "no-aca-url",
        explanation: "What: none of the URLs is the app's azurecontainerapps.io URL.\n\
Why: the app is reachable at that host too; if anybody signs in through it, its origin must be \
trusted as well. The deploy script prints it at the end.\n\
Example: `https://label-studio.happyhill-70162bb9.eastus.azurecontainerapps.io`.\n\
References: MicrosoftDocs/azure-docs articles/container-apps/connect-apps.md.",
    },
    Code {
        code: "ACA010",
        severity: Warning,
        name: "untrusted-forwarded-header",
        explanation: "What: an extra variable makes the app trust X-Forwarded-Host or \
X-Forwarded-Port, which the ingress does not document setting.\n\
Why: a header the ingress does not set or overwrite may come from the client, who then chooses \
the host or port the app builds URLs and CSRF checks from. The public URL is given explicitly \
instead.\n\
Example: remove `USE_X_FORWARDED_HOST=true`.\n\
References: MicrosoftDocs/azure-docs articles/container-apps/ingress-overview.md (platforms.md §9, \
Pitfalls 10).",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_aca_urls() {
        assert_eq!(
            recognise("ls.happyhill-70162bb9.eastus.azurecontainerapps.io"),
            Some(AcaUrl {
                app: "ls".into(),
                location: "eastus".into()
            })
        );
        assert_eq!(recognise("x.azurecontainerapps.io"), None);
        assert_eq!(recognise("ls.example.org"), None);
    }

    #[test]
    fn names() {
        assert!(app_name_ok("label-studio"));
        assert!(!app_name_ok("label--studio"));
        assert!(!app_name_ok("1abc"));
        assert!(!app_name_ok("abc-"));
        assert!(!app_name_ok(&"a".repeat(33)));
    }
}
