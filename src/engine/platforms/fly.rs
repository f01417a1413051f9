//! Fly.io: `fly.toml` (app, `[build] image`, `[env]`, `[http_service]`) plus `fly secrets
//! import`, deployed with `fly deploy`.
//!
//! Facts used here (shared/knowledge/platforms.md §6, each checked at the source: superfly/docs
//! at 5c22c8cece71, superfly/flyctl at ad0172face30):
//! * `fly.toml`: `app` names the app (and its `APP.fly.dev` host); `primary_region` is where
//!   `fly deploy` creates Machines and sets `PRIMARY_REGION`, overriding `[env]`; `[build] image`
//!   deploys a public image as is; `[env]` values are strings only, names are case-sensitive and
//!   must not begin with `FLY_`; secrets take precedence over `[env]`; `[http_service]` gives a
//!   port 80 HTTP handler and a port 443 TLS + HTTP handler, `internal_port` is where the app
//!   listens, `force_https` redirects http to https (docs `reference/configuration.html.markerb`).
//! * Secrets live in Fly's encrypted vault and reach Machines as env vars at boot; `--stage` sets
//!   them without restarting, the next `fly deploy` picks them up (`apps/secrets.html.markerb`).
//!   `fly secrets import` reads `NAME=VALUE` lines from stdin (`flyctl/cmd/fly_secrets_import.md`),
//!   parsed by `internal/command/secrets/parser.go`: see `render/fly.rs` for the exact rule.
//!   `fly secrets set NAME=-` also reads stdin, but `helpers.ReadStdin` trims surrounding
//!   whitespace, so it is not used. `fly secrets list --json` prints `{"name": ...}` objects.
//! * App names: flyctl refuses anything but lower-case letters, digits and `-` ("app name must
//!   consist of only lowercase letters, numbers, and dashes", `launch/plan_builder.go`
//!   `validateAppName`); names are one global namespace (`appNameTaken`).
//! * `fly deploy --ha` defaults to true: it creates spare Machines (`command/deploy/deploy.go`),
//!   i.e. a second instance with its own memory and disk. ProxyTrust passes `--ha=false` unless
//!   more Machines are asked for, then `fly scale count N --yes`.
//! * Fly Proxy request headers (`networking/request-headers.html.md`): `X-Forwarded-Proto`
//!   (`http`/`https`), `X-Forwarded-For`, `X-Forwarded-SSL` (`on`/`off`), `Fly-Client-IP`,
//!   `Fly-Forwarded-Port` (always set), `Fly-Region`, `X-Forwarded-Port` ("may be set by the
//!   client"), `Via`. No `X-Forwarded-Host` is documented, nor whether `Host` is kept.
//! * Session affinity: Fly has no cookie stickiness for an unmodified app; routing to one Machine
//!   needs the client to send `fly-force-instance-id` or the app to answer `fly-replay`
//!   (`blueprints/sticky-sessions.html.md`): app code, so not something a config can switch on.
//! * Custom domains: `fly certs add HOSTNAME` (`internal/command/certificates/root.go`).

use crate::engine::Valid;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvValue, EnvVar, Plan, Reason, VarKind};
use crate::engine::render::shell::{self, Script, Word, quote};
use crate::engine::render::{Block, Header, fly as fly_fmt, toml};

use super::{Platform, paas};

pub struct Fly;

const SECRET_MODES: &[(&str, &str)] = &[
    ("fly-secrets", "Fly secrets (recommended)"),
    ("inline", "Inline in fly.toml [env]"),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "app",
        label: "Fly app name",
        help: "Lower-case letters, digits and -; one global namespace on Fly (empty: the app's id, which may be taken)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "region",
        label: "Primary region",
        help: "primary_region: a three-letter Fly region such as ams, iad, ord (empty: Fly chooses)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "org",
        label: "Organization",
        help: "fly apps create --org SLUG (empty: your personal organization)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image for the chosen version (for your own code: fly deploy builds the Dockerfile in the current folder)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "max_instances",
        label: "Machines",
        help: "How many Machines serve the app (fly deploy --ha=false for one; fly scale count N for more)",
        kind: OptionKind::Integer,
        default: "1",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where secret values live",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "fly-secrets",
    },
];

const SRC_CONFIG: &str = "superfly/docs reference/configuration.html.markerb (app, primary_region, \
build.image, env, http_service) (platforms.md §6)";
const SRC_SECRETS: &str = "superfly/docs apps/secrets.html.markerb, flyctl/cmd/fly_secrets_import.md; \
superfly/flyctl internal/command/secrets/parser.go (platforms.md §6)";
const SRC_HEADERS: &str =
    "superfly/docs networking/request-headers.html.md (platforms.md §6, Pitfalls 10)";
const SRC_AFFINITY: &str = "superfly/docs blueprints/sticky-sessions.html.md; superfly/flyctl \
internal/command/deploy/deploy.go (--ha) (platforms.md §6, Pitfalls 19)";

/// The app name in a `*.fly.dev` host (`https://APPNAME.fly.dev`, configuration page "The app
/// name"). Only a single label is an app name.
pub fn recognise(host: &str) -> Option<String> {
    let app = host.strip_suffix(".fly.dev")?;
    (!app.is_empty() && !app.contains('.')).then(|| app.to_owned())
}

/// flyctl `validateAppName`: nothing outside `[a-z0-9-]` (and not empty).
fn app_name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The `app` option's checks ([`paas::check_app_name`]).
const APP_NAME: paas::AppName = paas::AppName {
    codes: ["FLY001", "FLY002", "FLY003"],
    label: "Fly app",
    recognise,
    valid: app_name_ok,
    max: 63,
};

/// Fly regions are three-letter ids (`reference/regions.html.markerb`).
fn region_ok(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_lowercase())
}

impl Fly {
    fn app(v: &Valid<'_>) -> String {
        paas::name_or_app(v, "app")
    }

    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }

    fn config_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let inline = Self::inline(v);
        let mut c = header.hash_comment("env");
        c.push_str(
            "# Fly.io app configuration: fly deploy reads fly.toml from the current directory.\n\
             # [env] values are plain strings (names must not start with FLY_).\n",
        );
        let secrets = paas::secrets(plan);
        if !inline && !secrets.is_empty() {
            c.push_str(
                "# Secrets are not in this file: the deploy script imports them into Fly's\n",
            );
            c.push_str("# vault (fly secrets import), and secrets win over [env]:\n");
            for (var, spec) in &secrets {
                c.push_str(&format!("#   {}  {}\n", var.name, spec.describe));
            }
        }
        c.push_str(&format!("app = {}\n", toml::basic_string(&Self::app(v))));
        let region = v.opt("region").trim();
        if !region.is_empty() {
            c.push_str(&format!(
                "primary_region = {}\n",
                toml::basic_string(region)
            ));
        }
        let image = paas::image(v, plan);
        if !image.is_empty() {
            c.push_str("\n[build]\n");
            c.push_str(&format!("  image = {}\n", toml::basic_string(&image)));
        }
        c.push_str("\n[env]\n");
        c.push_str(&toml::string_pairs(&paas::plain_pairs(plan, inline)));
        c.push_str("\n[http_service]\n");
        c.push_str(&format!("  internal_port = {}\n", plan.app.container_port));
        c.push_str("  force_https = true\n");
        Block {
            id: "env",
            title: "Fly.io app configuration (fly.toml)".to_owned(),
            language: "toml",
            filename: "fly.toml".to_owned(),
            content: c,
            contains_secret: paas::inline_secret_known(plan, inline),
        }
    }

    fn deploy_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let app = Self::app(v);
        let inline = Self::inline(v);
        let mut s = Script::default();
        paas::script_head(
            &mut s,
            header,
            &format!("Deploys {} to the Fly.io app {app}.", plan.app_name),
            plan,
            !inline,
        );
        s.comment("Needs fly.toml (the env block) in the current directory.");
        s.raw("(");
        s.raw("set -euo pipefail");
        s.blank();
        s.comment("Create the app unless it exists (app names are global on Fly).");
        s.raw(format!(
            "if ! fly apps list --quiet | grep -Eq {}; then",
            quote(&format!(
                "^[[:space:]]*{}[[:space:]]*$",
                paas::ere_literal(&app)
            ))
        ));
        let mut create = vec![
            Word::lit("fly"),
            Word::lit("apps"),
            Word::lit("create"),
            Word::lit(app.clone()),
        ];
        let org = v.opt("org").trim();
        if !org.is_empty() {
            create.push(Word::lit(format!("--org={org}")));
        }
        s.cmd(create);
        s.raw("fi");
        let secrets = paas::secrets(plan);
        if !inline && !secrets.is_empty() {
            s.blank();
            s.comment(
                "Secrets go to Fly's vault through stdin (never on a command line), only those",
            );
            s.comment("not set yet; --stage leaves the restart to fly deploy below.");
            for l in fly_fmt::IMPORT_LINE_FN {
                s.raw(*l);
            }
            s.raw(format!(
                "existing=\"$(fly secrets list --app {} --json)\"",
                quote(&app)
            ));
            s.raw("payload=''");
            for (var, spec) in &secrets {
                s.comment(format!("{}: {}.", var.name, spec.describe));
                s.raw(format!(
                    "if ! grep -Eq {} <<<\"$existing\"; then",
                    quote(&format!("\"name\": *\"{}\"", var.name))
                ));
                s.raw(format!(
                    "payload+=\"$(fly_import_line {} {})\"$'\\n'",
                    var.name,
                    paas::value_expr(var, spec)
                ));
                s.raw("fi");
            }
            s.raw("if [ -n \"$payload\" ]; then");
            s.cmd_with(
                Some("printf '%s' \"$payload\" |".to_owned()),
                vec![
                    Word::lit("fly"),
                    Word::lit("secrets"),
                    Word::lit("import"),
                    Word::lit(format!("--app={app}")),
                    Word::lit("--stage"),
                ],
                None,
            );
            s.raw("fi");
        }
        let hosts = paas::custom_hosts(v, |h| recognise(h).is_some());
        if !hosts.is_empty() {
            s.blank();
            s.comment("Custom domains: Fly issues a certificate per hostname (then point DNS at the app).");
            for h in &hosts {
                s.raw(format!(
                    "if ! fly certs list --app {} | grep -Eq {}; then",
                    quote(&app),
                    quote(&format!(
                        "(^|[[:space:]]){}([[:space:]]|$)",
                        paas::ere_literal(h)
                    ))
                ));
                s.cmd(vec![
                    Word::lit("fly"),
                    Word::lit("certs"),
                    Word::lit("add"),
                    Word::lit(h.clone()),
                    Word::lit(format!("--app={app}")),
                ]);
                s.raw("fi");
            }
        }
        s.blank();
        s.cmd(Self::deploy_argv(v, plan));
        let n = paas::instances(v);
        if n > 1 {
            s.cmd(vec![
                Word::lit("fly"),
                Word::lit("scale"),
                Word::lit("count"),
                Word::lit(n.to_string()),
                Word::lit(format!("--app={app}")),
                Word::lit("--yes"),
            ]);
        }
        s.raw(")");
        Block {
            id: "deploy",
            title: "Deploy script (fly)".to_owned(),
            language: "bash",
            filename: "deploy.sh".to_owned(),
            content: s.render(),
            contains_secret: false,
        }
    }

    fn deploy_argv(v: &Valid<'_>, _plan: &Plan) -> Vec<Word> {
        let mut argv = vec![
            Word::lit("fly"),
            Word::lit("deploy"),
            Word::lit("--config=fly.toml"),
            Word::lit(format!("--app={}", Self::app(v))),
        ];
        // One Machine unless more are asked for: --ha (default true) would add a spare one.
        if paas::instances(v) == 1 {
            argv.push(Word::lit("--ha=false"));
        }
        argv
    }
}

impl Platform for Fly {
    fn id(&self) -> &'static str {
        "fly"
    }
    fn name(&self) -> &'static str {
        "Fly.io"
    }
    fn summary(&self) -> &'static str {
        "Fly Machines behind Fly Proxy; TLS ends at the proxy (X-Forwarded-Proto, no X-Forwarded-Host)"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn https_only(&self) -> bool {
        // force_https = true redirects every http request.
        true
    }
    fn reserved(&self, name: &str) -> bool {
        name.starts_with("FLY_") || name == "PRIMARY_REGION"
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let urls = paas::check_app_name(v, &APP_NAME, diags);
        let region = v.opt("region").trim();
        if !region.is_empty() && !region_ok(region) {
            diags.push(Diagnostic::new(
                "FLY004",
                field::option("region"),
                format!("Not a three-letter Fly region: {region}"),
            ));
        }
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "FLY005",
                    field::option("secrets"),
                    "Secret values are written into fly.toml [env]",
                )
                .with_fix(Fix::unsafe_(
                    "Keep secrets in Fly's vault",
                    paas::set("secrets", "fly-secrets"),
                )),
            );
        }
        paas::check_instances(
            v,
            &paas::Instances {
                code: "FLY006",
                message: |n| format!("{n} Machines: Fly Proxy has no cookie affinity"),
                run_one: "Run one Machine",
                affinity_fix: None,
            },
            diags,
        );
        if urls.is_empty() && !v.origins.is_empty() {
            diags.push(Diagnostic::new(
                "FLY007",
                field::URLS,
                format!(
                    "No fly.dev URL given: add https://{}.fly.dev too if anybody uses it",
                    Self::app(v)
                ),
            ));
        }
        paas::forwarded_trust(v, "FLY008", "Fly Proxy", &[], diags);
    }

    fn injected(&self, v: &Valid<'_>, _container_port: u16) -> Vec<EnvVar> {
        let mut out = vec![EnvVar {
            name: "FLY_APP_NAME".to_owned(),
            value: EnvValue::Literal(Self::app(v)),
            kind: VarKind::Injected,
            why: "Set by Fly on every Machine: the app's name.".to_owned(),
            source: "superfly/docs machines/runtime-environment.html.md".to_owned(),
        }];
        let region = v.opt("region").trim();
        if !region.is_empty() {
            out.push(EnvVar {
                name: "PRIMARY_REGION".to_owned(),
                value: EnvValue::Literal(region.to_owned()),
                kind: VarKind::Injected,
                why: "Set by fly deploy from primary_region; it overrides [env].".to_owned(),
                source: SRC_CONFIG.to_owned(),
            });
        }
        out
    }

    fn inline_secrets(&self, v: &Valid<'_>) -> bool {
        Self::inline(v)
    }

    fn secret_reference(&self, v: &Valid<'_>, var: &EnvVar) -> String {
        if Self::inline(v) {
            "(inline secret)".to_owned()
        } else {
            format!("fly secret {}", var.name)
        }
    }

    fn deploy_command(&self, v: &Valid<'_>, plan: &Plan) -> Vec<String> {
        shell::unquoted(Self::deploy_argv(v, plan))
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        vec![
            Self::config_block(v, plan, header),
            Self::deploy_block(v, plan, header),
        ]
    }

    fn reasons(&self, v: &Valid<'_>, plan: &Plan) -> Vec<Reason> {
        let carriers = paas::origin_carriers(plan);
        let mut out = vec![Reason {
            subject: "Fly Proxy: TLS and forwarded headers".to_owned(),
            why: format!(
                "TLS ends at Fly Proxy ([http_service]: a TLS + HTTP handler on 443, HTTP on 80, \
                 force_https redirects); the Machine gets plain http on internal_port {}. The \
                 proxy sends X-Forwarded-Proto (http or https), X-Forwarded-For, X-Forwarded-SSL, \
                 Fly-Client-IP and Fly-Forwarded-Port; X-Forwarded-Port may come from the client; \
                 no X-Forwarded-Host is documented. So the app must take the scheme from \
                 X-Forwarded-Proto and be told its public origin explicitly{}, never trust a \
                 forwarded host or port.",
                plan.app.container_port,
                paas::carriers_phrase(&carriers)
            ),
            source: SRC_HEADERS.to_owned(),
        }];
        let n = paas::instances(v);
        out.push(Reason {
            subject: if n > 1 {
                format!("{n} Machines without session affinity")
            } else {
                "One Machine (fly deploy --ha=false)".to_owned()
            },
            why: "fly deploy creates a spare Machine unless --ha=false, and Fly Proxy balances \
                  requests between Machines with no cookie stickiness: routing a browser back to \
                  one Machine needs app code (fly-force-instance-id from the client, or fly-replay \
                  answers with a replay_cache). Even that is only a mitigation: a Machine can stop \
                  or be replaced. State that must survive a change of Machine (sessions, OAuth \
                  state, secret keys) has to be shared: the same secrets on every Machine (Fly \
                  secrets are app-wide) and a shared database."
                .to_owned(),
            source: SRC_AFFINITY.to_owned(),
        });
        if !Self::inline(v) && !paas::secrets(plan).is_empty() {
            out.push(Reason {
                subject: "fly secrets import".to_owned(),
                why: "Secrets are kept in Fly's encrypted vault and given to every Machine as \
                      environment variables at boot. The deploy script writes them to `fly \
                      secrets import` on stdin as NAME=\"\"\"VALUE\"\"\" lines (so they appear in no \
                      command line or shell history), only when not set yet, with --stage; fly \
                      deploy then starts the Machines with them. A value with a line break, or an \
                      odd number of \" before a #, cannot pass through import unchanged: the \
                      script stops instead of storing another value."
                    .to_owned(),
                source: SRC_SECRETS.to_owned(),
            });
        }
        out
    }

    /// `*.fly.dev` (platforms.md §6).
    fn owns_host(&self, host: &str) -> bool {
        host.ends_with(".fly.dev")
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "FLY001",
        severity: Info,
        name: "app-name-default",
        explanation: "What: no Fly app name is set, so the app's id is used.\n\
Why: `fly.toml` needs `app = \"NAME\"`, and the name becomes the host NAME.fly.dev. Fly app names \
are one global namespace: a common name such as `label-studio` is probably taken, and `fly apps \
create` then fails. A fly.dev URL names the app.\n\
Example: `--set app=acme-label-studio`.\n\
References: superfly/docs reference/configuration.html.markerb \"The app name\"; superfly/flyctl \
internal/command/launch/plan_builder.go appNameTaken (platforms.md §6).",
    },
    Code {
        code: "FLY002",
        severity: Error,
        name: "app-name-invalid",
        explanation: "What: the Fly app name has characters other than lower-case letters, digits \
and `-`.\n\
Why: flyctl refuses it: \"app name must consist of only lowercase letters, numbers, and dashes\".\n\
Example: `Label_Studio` -> `label-studio`.\n\
References: superfly/flyctl internal/command/launch/plan_builder.go validateAppName.",
    },
    Code {
        code: "FLY003",
        severity: Warning,
        name: "app-differs-from-url",
        explanation: "What: the app name differs from the one in a fly.dev URL.\n\
Why: `https://NAME.fly.dev` belongs to the app NAME; deploying under another name creates another \
app with another host, and the trusted origins would name the old one.\n\
Example: URL `https://acme-ls.fly.dev`, app `label-studio`.\n\
References: superfly/docs reference/configuration.html.markerb (platforms.md §6).",
    },
    Code {
        code: "FLY004",
        severity: Warning,
        name: "region-invalid",
        explanation: "What: the primary region is not a three-letter Fly region id.\n\
Why: Fly regions are ids such as `ams`, `iad`, `ord`; `fly deploy` rejects others.\n\
Example: `ams`.\n\
References: superfly/docs reference/regions.html.markerb (platforms.md §6).",
    },
    Code {
        code: "FLY005",
        severity: Warning,
        name: "inline-secrets",
        explanation: "What: secret values are written into fly.toml's [env] table.\n\
Why: fly.toml is usually committed, and [env] is plain configuration anyone with access to the \
app can read (fly config show). Fly's docs say [env] is for non-sensitive information and secrets \
belong in `fly secrets`, which the deploy script fills from stdin.\n\
Example: `--set secrets=fly-secrets`.\n\
References: superfly/docs reference/configuration.html.markerb \"The env variables section\", \
apps/secrets.html.markerb.",
    },
    Code {
        code: "FLY006",
        severity: Warning,
        name: "no-affinity",
        explanation: "What: several Machines serve the app, and Fly Proxy has no cookie affinity.\n\
Why: consecutive requests of one browser may reach different Machines. Anything kept per Machine \
(in-memory sessions or OAuth state, a generated secret key, SQLite) breaks at random. Routing a \
browser back to one Machine needs app code (`fly-force-instance-id` header or `fly-replay` \
answers with a replay cache) and is best effort anyway. The fix is shared state: the same secrets \
on every Machine (Fly secrets are app-wide) and a shared database; otherwise run one Machine.\n\
Example: `--set max_instances=1`.\n\
References: superfly/docs blueprints/sticky-sessions.html.md, reference/configuration.html.markerb \
replay_cache (platforms.md §6, Pitfalls 19).",
    },
    Code {
        code: "FLY007",
        severity: Info,
        name: "no-fly-dev-url",
        explanation: "What: none of the URLs is the app's fly.dev URL.\n\
Why: Fly serves every app at https://APP.fly.dev too; if anybody signs in through it, its origin \
must be trusted as well. Add it if it is used.\n\
Example: `https://acme-ls.fly.dev`.\n\
References: superfly/docs reference/configuration.html.markerb \"The app name\".",
    },
    Code {
        code: "FLY008",
        severity: Warning,
        name: "untrusted-forwarded-header",
        explanation: "What: an extra variable makes the app trust X-Forwarded-Host or \
X-Forwarded-Port, which Fly Proxy does not set.\n\
Why: Fly documents no X-Forwarded-Host, and says X-Forwarded-Port \"may be set by the client\". \
A header the proxy does not overwrite comes from the browser or an attacker, who then chooses the \
host or port the app builds URLs and CSRF checks from. Give the app its public URL explicitly \
instead (ProxyTrust does).\n\
Example: remove `USE_X_FORWARDED_HOST=true`.\n\
References: superfly/docs networking/request-headers.html.md (platforms.md §6, Pitfalls 10).",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_fly_dev() {
        assert_eq!(recognise("acme-ls.fly.dev"), Some("acme-ls".into()));
        assert_eq!(recognise("a.b.fly.dev"), None);
        assert_eq!(recognise("fly.dev"), None);
        assert_eq!(recognise("ls.example.org"), None);
    }

    #[test]
    fn names() {
        assert!(app_name_ok("label-studio-2"));
        assert!(!app_name_ok("Label_Studio"));
        assert!(!app_name_ok(""));
        assert!(app_name_ok(&paas::sanitise_name("Label_Studio", 63)));
        assert!(region_ok("ams"));
        assert!(!region_ok("europe-west1"));
    }
}
