//! Render: a `render.yaml` Blueprint (one web service with `envVars`), committed to the
//! repository Render deploys from.
//!
//! Facts used here (shared/knowledge/platforms.md §7; render.com/docs/blueprint-spec, as mirrored
//! in gahoccode/docs render/blueprint.md at f34c4207):
//! * `services[]`: `type: web`, `name` (required; an existing service of that name is updated),
//!   `runtime: image` with `image.url` for a prebuilt image or `runtime: docker` to build the
//!   repository's Dockerfile, `region` (`oregon` default, `ohio`, `virginia`, `frankfurt`,
//!   `singapore`; fixed after creation), `plan` (`starter` default for new services),
//!   `numInstances` (1 by default), `domains` (custom domains; the service is always reachable at
//!   its `.onrender.com` subdomain).
//! * `envVars[]`: `key` + `value` (a literal: "DO NOT hardcode secrets in your Blueprint file"),
//!   `generateValue: true` ("a base64-encoded 256-bit value", unless one exists), `sync: false`
//!   (prompted for in the Dashboard when the Blueprint is created). Render keeps variables a
//!   Blueprint omits. Values are strings: every scalar is written double-quoted
//!   (`render/yaml.rs`), so `8080`, `true` or a value with `#` stay strings.
//! * A web service must listen on `PORT` (Render's default is 10000): "Render forwards inbound
//!   requests to your web service at this port" (render.com/docs/web-services, quoted in
//!   render-examples/go-gin-web-server#8); ProxyTrust sets `PORT` to the image's port.
//! * Render sets `RENDER_EXTERNAL_HOSTNAME` / `RENDER_EXTERNAL_URL` at run time; an onrender.com
//!   host may carry a suffix when the name is taken, so ProxyTrust does not read a service name
//!   out of it (render.com/docs/environment-variables).
//! * The Render CLI (2.7.0+) checks a Blueprint: `render blueprints validate [path]`.
//! * Which forwarded headers Render's proxy sends, and whether it offers session affinity, is
//!   **not documented** (platforms.md §7): nothing here relies on them.

use crate::engine::Valid;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvValue, EnvVar, Plan, Reason, SecretGen, SecretSpec, VarKind};
use crate::engine::render::shell::{self, Script, Word};
use crate::engine::render::{Block, Header, yaml};

use super::{Platform, paas};

pub struct Render;

const REGIONS: &[(&str, &str)] = &[
    ("oregon", "Oregon (Render's default)"),
    ("ohio", "Ohio"),
    ("virginia", "Virginia"),
    ("frankfurt", "Frankfurt"),
    ("singapore", "Singapore"),
];
const PLANS: &[(&str, &str)] = &[
    ("starter", "starter (default)"),
    ("free", "free"),
    ("standard", "standard"),
    ("pro", "pro"),
];
const SECRET_MODES: &[(&str, &str)] = &[
    (
        "render",
        "Render generates or asks for them (generateValue / sync: false)",
    ),
    ("inline", "Inline in render.yaml (committed to Git)"),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "service",
        label: "Service name",
        help: "The web service's name in the Blueprint (empty: the app's id)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "region",
        label: "Region",
        help: "Cannot be changed after the service is created",
        kind: OptionKind::Choice(REGIONS),
        default: "oregon",
    },
    OptionSpec {
        key: "plan",
        label: "Instance type",
        help: "plan: free has no persistent disk and sleeps when idle",
        kind: OptionKind::Choice(PLANS),
        default: "starter",
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image (runtime: image); for your own code Render builds the repository's Dockerfile (runtime: docker)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "max_instances",
        label: "Instances",
        help: "numInstances (manual scaling)",
        kind: OptionKind::Integer,
        default: "1",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where secret values come from",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "render",
    },
];

const SRC_SPEC: &str = "render.com/docs/blueprint-spec (services, envVars, domains, numInstances) \
(platforms.md §7)";
const SRC_PORT: &str = "render.com/docs/web-services (port binding; default PORT 10000), quoted in \
render-examples/go-gin-web-server#8; the blueprint-spec example sets PORT in envVars";
const SRC_HEADERS: &str =
    "platforms.md §7 (no Render page lists its proxy headers: not established)";

/// Bytes of randomness in Render's `generateValue` ("a base64-encoded 256-bit value").
const GENERATED_BYTES: usize = 32;

/// How one secret is declared in `envVars`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretForm {
    /// `generateValue: true`.
    Generate,
    /// `sync: false`: typed in the Dashboard when the Blueprint is created.
    Prompt,
}

/// Render can generate a secret only when the app accepts base64 text of 32 random bytes.
pub fn secret_form(spec: &SecretSpec) -> SecretForm {
    match spec.generate {
        Some(SecretGen::Text { bytes }) if bytes <= GENERATED_BYTES => SecretForm::Generate,
        _ => SecretForm::Prompt,
    }
}

impl Render {
    fn service(v: &Valid<'_>) -> String {
        paas::name_or_app(v, "service")
    }

    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }

    fn blueprint_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let inline = Self::inline(v);
        let mut c = header.hash_comment("env");
        c.push_str(
            "# Render Blueprint: commit it as render.yaml at the root of the repository Render\n\
             # deploys from (the deploy block does), then create the Blueprint once in the\n\
             # Render Dashboard (New > Blueprint). Every value is a quoted string.\n",
        );
        let secrets = paas::secrets(plan);
        let prompts: Vec<(&EnvVar, &SecretSpec)> = secrets
            .iter()
            .copied()
            .filter(|(_, s)| secret_form(s) == SecretForm::Prompt)
            .collect();
        if !inline && !prompts.is_empty() {
            c.push_str("# The Dashboard asks for these values when the Blueprint is created:\n");
            for (var, spec) in &prompts {
                let how = match spec.generate {
                    Some(g) => format!("paste the output of `{}`", g.openssl()),
                    None => "your value".to_owned(),
                };
                c.push_str(&format!("#   {}  {} ({how})\n", var.name, spec.describe));
            }
        }
        c.push_str("services:\n");
        c.push_str("  - type: web\n");
        c.push_str(&format!("    name: {}\n", yaml::quoted(&Self::service(v))));
        let image = paas::image(v, plan);
        if image.is_empty() {
            c.push_str("    runtime: docker\n");
        } else {
            c.push_str("    runtime: image\n");
            c.push_str("    image:\n");
            c.push_str(&format!("      url: {}\n", yaml::quoted(&image)));
        }
        c.push_str(&format!("    region: {}\n", yaml::quoted(v.opt("region"))));
        c.push_str(&format!("    plan: {}\n", yaml::quoted(v.opt("plan"))));
        c.push_str(&format!("    numInstances: {}\n", paas::instances(v)));
        let hosts = paas::custom_hosts(v, |h| h.ends_with(".onrender.com"));
        if !hosts.is_empty() {
            c.push_str("    domains:\n");
            for h in &hosts {
                c.push_str(&format!("      - {}\n", yaml::quoted(h)));
            }
        }
        c.push_str("    envVars:\n");
        let mut push_value = |k: &str, val: &str| {
            c.push_str(&format!(
                "      - key: {k}\n        value: {}\n",
                yaml::quoted(val)
            ));
        };
        push_value("PORT", &plan.app.container_port.to_string());
        for (k, val) in paas::plain_pairs(plan, inline) {
            push_value(k, val);
        }
        if !inline {
            for (var, spec) in &secrets {
                match secret_form(spec) {
                    SecretForm::Generate => c.push_str(&format!(
                        "      - key: {}\n        generateValue: true\n",
                        var.name
                    )),
                    SecretForm::Prompt => {
                        c.push_str(&format!("      - key: {}\n        sync: false\n", var.name));
                    }
                }
            }
        }
        Block {
            id: "env",
            title: "Render Blueprint (render.yaml)".to_owned(),
            language: "yaml",
            filename: "render.yaml".to_owned(),
            content: c,
            contains_secret: paas::inline_secret_known(plan, inline),
        }
    }

    fn deploy_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let mut s = Script::default();
        paas::script_head(
            &mut s,
            header,
            &format!(
                "Deploys {} as the Render web service {}.",
                plan.app_name,
                Self::service(v)
            ),
            plan,
            false,
        );
        s.comment(
            "Render deploys Blueprints from Git: run this in your repository with render.yaml",
        );
        s.comment("(the env block) at its root. It checks the file (Render CLI 2.7.0+, if");
        s.comment("installed), commits it and pushes. The first time, create the Blueprint in the");
        s.comment("Render Dashboard (New > Blueprint, pick the repository); later pushes sync it.");
        s.raw("(");
        s.raw("set -euo pipefail");
        s.raw("if command -v render >/dev/null 2>&1; then");
        s.cmd(vec![
            Word::lit("render"),
            Word::lit("blueprints"),
            Word::lit("validate"),
            Word::lit("render.yaml"),
        ]);
        s.raw("fi");
        s.cmd(vec![
            Word::lit("git"),
            Word::lit("add"),
            Word::lit("render.yaml"),
        ]);
        s.raw("if ! git diff --cached --quiet -- render.yaml; then");
        s.cmd(vec![
            Word::lit("git"),
            Word::lit("commit"),
            Word::lit("--message=Render Blueprint generated by ProxyTrust"),
            Word::lit("--"),
            Word::lit("render.yaml"),
        ]);
        s.raw("fi");
        s.cmd(Self::deploy_argv());
        s.raw(")");
        Block {
            id: "deploy",
            title: "Deploy script (git push of the Blueprint)".to_owned(),
            language: "bash",
            filename: "deploy.sh".to_owned(),
            content: s.render(),
            contains_secret: false,
        }
    }

    fn deploy_argv() -> Vec<Word> {
        vec![Word::lit("git"), Word::lit("push")]
    }
}

impl Platform for Render {
    fn id(&self) -> &'static str {
        "render"
    }
    fn name(&self) -> &'static str {
        "Render"
    }
    fn summary(&self) -> &'static str {
        "Web services from a render.yaml Blueprint; HTTPS at onrender.com and custom domains"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn https_only(&self) -> bool {
        true
    }
    fn reserved(&self, name: &str) -> bool {
        // ProxyTrust writes PORT itself; RENDER_* names are Render's own.
        name == "PORT" || name.starts_with("RENDER_") || name == "RENDER"
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        if v.opt("service").trim().is_empty() {
            diags.push(Diagnostic::new(
                "RND001",
                field::option("service"),
                format!("Render service name not set, using {}", v.app.id()),
            ));
        } else if v.opt("service").chars().any(char::is_control) {
            diags.push(
                Diagnostic::new(
                    "RND002",
                    field::option("service"),
                    "The service name has a line break or control character",
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {}", paas::sanitise_name(v.opt("service"), 63)),
                    paas::set("service", paas::sanitise_name(v.opt("service"), 63)),
                )),
            );
        }
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "RND003",
                    field::option("secrets"),
                    "Secret values are written into render.yaml, which is committed to Git",
                )
                .with_fix(Fix::unsafe_(
                    "Let Render generate or ask for them",
                    paas::set("secrets", "render"),
                )),
            );
        }
        if let Some(o) = v.origins.iter().find(|o| o.host.ends_with(".onrender.com")) {
            diags.push(Diagnostic::new(
                "RND004",
                field::url(o.index),
                format!(
                    "URL {} is an onrender.com host: Render chooses it, it is not read as a service name",
                    o.index + 1
                ),
            ));
        }
        paas::check_instances(
            v,
            &paas::Instances {
                code: "RND005",
                message: |n| format!("{n} instances: Render documents no session affinity"),
                run_one: "Run one instance",
                affinity_fix: None,
            },
            diags,
        );
        paas::forwarded_trust(v, "RND006", "Render (undocumented headers)", &[], diags);
    }

    fn injected(&self, _v: &Valid<'_>, container_port: u16) -> Vec<EnvVar> {
        vec![EnvVar {
            name: "PORT".to_owned(),
            value: EnvValue::Literal(container_port.to_string()),
            kind: VarKind::Injected,
            why: format!(
                "Render forwards requests to the port in PORT (10000 unless set); render.yaml sets \
                 it to {container_port}, where the image listens."
            ),
            source: SRC_PORT.to_owned(),
        }]
    }

    fn inline_secrets(&self, v: &Valid<'_>) -> bool {
        Self::inline(v)
    }

    fn secret_reference(&self, v: &Valid<'_>, var: &EnvVar) -> String {
        match &var.value {
            EnvValue::Secret(s) if !Self::inline(v) => match secret_form(s) {
                SecretForm::Generate => "generateValue: true".to_owned(),
                SecretForm::Prompt => "sync: false (Render Dashboard)".to_owned(),
            },
            _ => "(inline secret)".to_owned(),
        }
    }

    fn deploy_command(&self, _v: &Valid<'_>, _plan: &Plan) -> Vec<String> {
        shell::unquoted(Self::deploy_argv())
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        vec![
            Self::blueprint_block(v, plan, header),
            Self::deploy_block(v, plan, header),
        ]
    }

    fn reasons(&self, v: &Valid<'_>, plan: &Plan) -> Vec<Reason> {
        let carriers = paas::origin_carriers(plan);
        let mut out = vec![Reason {
            subject: "Render's front end".to_owned(),
            why: format!(
                "Render serves the web service over HTTPS at its onrender.com host and at the \
                 domains listed in render.yaml, and forwards requests to PORT. Which forwarded \
                 headers reach the container (X-Forwarded-Proto, X-Forwarded-Host, ...) is not \
                 documented, so nothing generated here depends on them: the app is told its \
                 public origin explicitly{}. Run the verify block after the first deploy.",
                paas::carriers_phrase(&carriers)
            ),
            source: format!("{SRC_SPEC}; {SRC_HEADERS}"),
        }];
        let n = paas::instances(v);
        if n > 1 {
            out.push(Reason {
                subject: format!("{n} instances"),
                why: "Render documents no session affinity: consecutive requests may reach \
                      different instances. Secrets in render.yaml are service-wide (one value for \
                      every instance), but per-instance state (in-memory sessions, SQLite on the \
                      instance's disk) is not shared."
                    .to_owned(),
                source: SRC_HEADERS.to_owned(),
            });
        }
        if !Self::inline(v) && !paas::secrets(plan).is_empty() {
            out.push(Reason {
                subject: "generateValue and sync: false".to_owned(),
                why: "Secrets are never written into render.yaml (it is committed). Render \
                      generates a base64 256-bit value for `generateValue: true`, once; a secret \
                      the app wants longer than 32 bytes, in hex, or chosen by you is `sync: \
                      false`, typed into the Dashboard when the Blueprint is created."
                    .to_owned(),
                source: SRC_SPEC.to_owned(),
            });
        }
        out
    }

    /// `*.onrender.com` (platforms.md §7).
    fn owns_host(&self, host: &str) -> bool {
        host.ends_with(".onrender.com")
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "RND001",
        severity: Info,
        name: "service-name-default",
        explanation: "What: no Render service name is set, so the app's id is used.\n\
Why: `name` is required in a Blueprint, and an existing service with that name is updated in \
place rather than created.\n\
Example: `--set service=acme-label-studio`.\n\
References: render.com/docs/blueprint-spec \"name\" (platforms.md §7).",
    },
    Code {
        code: "RND002",
        severity: Error,
        name: "service-name-invalid",
        explanation: "What: the service name contains a line break or another control character.\n\
Why: Render names the service and its onrender.com host after it; a control character cannot \
appear in either. Render documents no rule beyond uniqueness, so this is the only check.\n\
Example: `label-studio`.\n\
References: render.com/docs/blueprint-spec \"name\".",
    },
    Code {
        code: "RND003",
        severity: Warning,
        name: "inline-secrets",
        explanation: "What: secret values are written into render.yaml.\n\
Why: the Blueprint lives in the Git repository; Render's spec says \"DO NOT hardcode secrets in \
your Blueprint file\". `generateValue: true` (Render makes one) and `sync: false` (you type it in \
the Dashboard) keep them out of Git.\n\
Example: `--set secrets=render`.\n\
References: render.com/docs/blueprint-spec \"Setting environment variables\".",
    },
    Code {
        code: "RND004",
        severity: Info,
        name: "onrender-host",
        explanation: "What: a URL is an onrender.com host.\n\
Why: Render derives it from the service name and may add a suffix when the name is taken, so \
ProxyTrust does not read a service name from it. At run time Render sets RENDER_EXTERNAL_URL and \
RENDER_EXTERNAL_HOSTNAME to the real one.\n\
Example: `https://label-studio-x1y2.onrender.com`.\n\
References: render.com/docs/environment-variables (platforms.md §7).",
    },
    Code {
        code: "RND005",
        severity: Warning,
        name: "no-affinity",
        explanation: "What: several instances, and Render documents no session affinity.\n\
Why: a browser's requests may reach different instances; state kept per instance (in-memory \
sessions or OAuth state, generated keys, SQLite) breaks at random. Share it (one secret for all \
instances, a database) or run one instance.\n\
Example: `--set max_instances=1`.\n\
References: platforms.md §7 (affinity not established), Pitfalls 19.",
    },
    Code {
        code: "RND006",
        severity: Warning,
        name: "untrusted-forwarded-header",
        explanation: "What: an extra variable makes the app trust X-Forwarded-Host or \
X-Forwarded-Port, and Render does not document setting them.\n\
Why: a header the proxy does not set or overwrite may come from the client, who then chooses the \
host or port the app builds URLs and CSRF checks from. The public URL is given explicitly instead.\n\
Example: remove `USE_X_FORWARDED_HOST=true`.\n\
References: platforms.md §7 and Pitfalls 10.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_forms() {
        let spec = |g| SecretSpec {
            slug: "k",
            value: None,
            generate: g,
            describe: "",
        };
        assert_eq!(
            secret_form(&spec(Some(SecretGen::Text { bytes: 32 }))),
            SecretForm::Generate
        );
        assert_eq!(
            secret_form(&spec(Some(SecretGen::Text { bytes: 48 }))),
            SecretForm::Prompt
        );
        assert_eq!(
            secret_form(&spec(Some(SecretGen::Hex { bytes: 32 }))),
            SecretForm::Prompt
        );
        assert_eq!(secret_form(&spec(None)), SecretForm::Prompt);
    }
}
