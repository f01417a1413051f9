//! Heroku: config vars with `heroku config:set`, the image through Heroku's container registry
//! (`heroku container:release web`).
//!
//! Facts used here (shared/knowledge/platforms.md §8; heroku/cli at c5fbf4b4 for the commands):
//! * `heroku config:set KEY=VALUE ... --app APP` (`src/commands/config/set.ts`): each argument is
//!   split at its **first** `=` (an argument without `=` is an error), sent in one PATCH, which
//!   restarts the app and makes one release; the command then **prints every value it set**, so
//!   the script sends its output to /dev/null. It has no stdin or file input: Heroku offers no
//!   way to keep a value off the CLI's command line, so secret values come from shell variables
//!   (never from the script text or shell history). `heroku config:get KEY` prints the value or
//!   an empty line (`config/get.ts`).
//! * Config var keys: letters, digits and `_`; not starting with `HEROKU_` (Heroku config vars
//!   article, as mirrored in platforms.md §8).
//! * App names: lower-case letters, digits and `-`, at most 30 characters
//!   (devcenter.heroku.com/articles/app-names-and-subdomains). Apps created since 2023-06-14 are
//!   served at `APPNAME-IDENTIFIER.herokuapp.com` (12-character identifier, e.g.
//!   `example-app-1234567890ab.herokuapp.com`, or `APPNAME-IDENTIFIER.DNS-ZONE.herokuapp.com`);
//!   older ones at `APPNAME.herokuapp.com` (same article; help.heroku.com/7KRHKEPA).
//! * Containers: `heroku apps:create APP --stack container` (`apps/create.ts`), images pushed to
//!   `registry.heroku.com/APP/web` after `heroku container:login`, then `heroku container:release
//!   web` (`container/release.ts`); `heroku container:push web` builds the local Dockerfile.
//!   Heroku routes to the port in `PORT`, which it sets at start.
//! * Router (open-source vegur, the README "Headers" section): TLS ends at Heroku's load
//!   balancer; the app gets `X-Forwarded-For`, `X-Forwarded-Proto` (from the incoming port),
//!   `X-Forwarded-Port`, `X-Request-Start`, `X-Request-Id`, `Via`; no `X-Forwarded-Host` is added
//!   and one sent by the client is passed through (vegur changelog 2.0.3).
//! * Session affinity: `heroku features:enable http-session-affinity` (Common Runtime only, not
//!   Private Spaces): the router sets a cookie (devcenter.heroku.com/articles/session-affinity).
//!   Best effort, a mitigation only (platforms.md Pitfalls 19).

use crate::engine::Valid;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvVar, Plan, Reason};
use crate::engine::render::shell::{self, Script, Word, quote};
use crate::engine::render::{Block, Header};

use super::{Platform, paas};

pub struct Heroku;

const REGIONS: &[(&str, &str)] = &[("us", "United States"), ("eu", "Europe")];
const SECRET_MODES: &[(&str, &str)] = &[
    (
        "config-vars",
        "Config vars, values from shell variables (recommended)",
    ),
    ("inline", "Config vars, values written into the script"),
];
const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "app",
        label: "Heroku app name",
        help: "Lower-case letters, digits and -, at most 30 characters (empty: the app's id)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "region",
        label: "Region",
        help: "heroku apps:create --region (Common Runtime)",
        kind: OptionKind::Choice(REGIONS),
        default: "us",
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image, pushed to registry.heroku.com (for your own code: heroku container:push web builds the Dockerfile in the current folder)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "max_instances",
        label: "Web dynos",
        help: "heroku ps:scale web=N",
        kind: OptionKind::Integer,
        default: "1",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where the deploy script takes secret values from",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "config-vars",
    },
    OptionSpec {
        key: "session_affinity",
        label: "Session affinity",
        help: "heroku features:enable http-session-affinity: a router cookie sends a browser back to the same dyno, best effort; a mitigation, not a fix for state that differs between dynos",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
];

const SRC_CONFIG: &str = "heroku/cli src/commands/config/set.ts, config/get.ts; \
devcenter.heroku.com/articles/config-vars (platforms.md §8)";
const SRC_HEADERS: &str = "heroku/vegur README \"Headers\", src/vegur_proxy_middleware.erl, changelog 2.0.3; \
devcenter.heroku.com/articles/http-routing (platforms.md §8, Pitfalls 10)";
const SRC_AFFINITY: &str =
    "devcenter.heroku.com/articles/session-affinity (platforms.md §8, Pitfalls 19)";

/// Apps whose image is known to listen on `$PORT` (Heroku assigns it at start), with the source.
const READS_PORT: &[(&str, &str)] = &[
    (
        "label-studio",
        "label_studio/server.py: --port, else get_env('PORT'), else 8080 (seed-systems.md §1.1)",
    ),
    (
        "open-webui",
        "backend/start.sh: PORT=\"${PORT:-8080}\" (open-webui/open-webui)",
    ),
];

/// What a herokuapp.com host says: the app name (documented forms only).
pub fn recognise(host: &str) -> Option<String> {
    let rest = host.strip_suffix(".herokuapp.com")?;
    let mut labels = rest.split('.');
    let first = labels.next()?;
    let zone = labels.next();
    if labels.next().is_some() || first.is_empty() {
        return None;
    }
    // APPNAME-IDENTIFIER with a 12-character lower-case hex identifier (apps since 2023-06-14).
    if let Some((app, id)) = first.rsplit_once('-')
        && id.len() == 12
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && !app.is_empty()
    {
        return Some(app.to_owned());
    }
    // Legacy APPNAME.herokuapp.com (no DNS zone).
    zone.is_none().then(|| first.to_owned())
}

fn app_name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 30
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The `app` option's checks ([`paas::check_app_name`]).
const APP_NAME: paas::AppName = paas::AppName {
    codes: ["HK001", "HK002", "HK003"],
    label: "Heroku app",
    recognise,
    valid: app_name_ok,
    max: 30,
};

impl Heroku {
    fn app(v: &Valid<'_>) -> String {
        paas::name_or_app(v, "app")
    }

    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }

    /// `heroku config:set --app=APP K=V ...` for the plain values (and inline secrets); the flag
    /// first, so a long command breaks into one variable per line.
    fn config_set_argv(v: &Valid<'_>, plan: &Plan) -> Vec<Word> {
        let mut argv = vec![
            Word::lit("heroku"),
            Word::lit("config:set"),
            Word::lit(format!("--app={}", Self::app(v))),
        ];
        for (k, val) in paas::plain_pairs(plan, Self::inline(v)) {
            argv.push(Word::lit(format!("{k}={val}")));
        }
        argv
    }

    fn env_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let mut s = Script::default();
        s.raw("#!/usr/bin/env bash");
        for l in header.lines("env") {
            s.comment(l);
        }
        s.comment("Heroku config vars: heroku config:set splits each argument at its first =.");
        s.comment(
            "Setting them restarts the app; the command prints the values (hence >/dev/null).",
        );
        let secrets = paas::secrets(plan);
        if !Self::inline(v) && !secrets.is_empty() {
            s.comment("Secrets are set by the deploy script, from shell variables:");
            for (var, spec) in &secrets {
                s.comment(format!("  {}  {}", var.name, spec.describe));
            }
        }
        s.cmd_with(
            None,
            Self::config_set_argv(v, plan),
            Some(">/dev/null".to_owned()),
        );
        Block {
            id: "env",
            title: "Config vars (heroku config:set)".to_owned(),
            language: "bash",
            filename: "heroku-config.sh".to_owned(),
            content: s.render(),
            contains_secret: paas::inline_secret_known(plan, Self::inline(v)),
        }
    }

    fn deploy_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let app = Self::app(v);
        let app_flag = format!("--app={app}");
        let inline = Self::inline(v);
        let mut s = Script::default();
        paas::script_head(
            &mut s,
            header,
            &format!("Deploys {} to the Heroku app {app}.", plan.app_name),
            plan,
            !inline,
        );
        s.raw("(");
        s.raw("set -euo pipefail");
        s.blank();
        s.comment("Create the app (container stack) unless it exists.");
        s.raw(format!(
            "if ! heroku apps:info {} >/dev/null 2>&1; then",
            quote(&app_flag)
        ));
        s.cmd(vec![
            Word::lit("heroku"),
            Word::lit("apps:create"),
            Word::lit(app.clone()),
            Word::lit("--stack=container"),
            Word::lit(format!("--region={}", v.opt("region"))),
        ]);
        s.raw("fi");
        s.blank();
        let secrets = paas::secrets(plan);
        let mut argv = Self::config_set_argv(v, plan);
        if !inline && !secrets.is_empty() {
            s.comment(
                "Secrets not set yet. Heroku's CLI takes values only as arguments (no stdin or",
            );
            s.comment(
                "file), so they come from shell variables: never in this script or your history.",
            );
            s.raw("secret_args=()");
            for (var, spec) in &secrets {
                s.comment(format!("{}: {}.", var.name, spec.describe));
                s.raw(format!(
                    "if [ -z \"$(heroku config:get {} {})\" ]; then",
                    var.name,
                    quote(&app_flag)
                ));
                s.raw(format!(
                    "secret_args+=(\"{}={}\")",
                    var.name,
                    paas::value_expr(var, spec).trim_matches('"')
                ));
                s.raw("fi");
            }
            // `${a[@]+"${a[@]}"}`: an empty array under `set -u` also in bash before 4.4.
            argv.push(Word::Raw(
                "${secret_args[@]+\"${secret_args[@]}\"}".to_owned(),
            ));
        }
        s.comment(
            "All config vars in one call: one restart, one release; the output (the values) is",
        );
        s.comment("not shown.");
        s.cmd_with(None, argv, Some(">/dev/null".to_owned()));
        let hosts = paas::custom_hosts(v, |h| recognise(h).is_some());
        if !hosts.is_empty() {
            s.blank();
            s.comment("Custom domains (then point DNS at the target heroku domains shows).");
            for h in &hosts {
                s.raw(format!(
                    "if ! heroku domains {} --json | grep -Eq {}; then",
                    quote(&app_flag),
                    quote(&format!("\"hostname\": *\"{}\"", paas::ere_literal(h)))
                ));
                s.cmd(vec![
                    Word::lit("heroku"),
                    Word::lit("domains:add"),
                    Word::lit(h.clone()),
                    Word::lit(app_flag.clone()),
                ]);
                s.raw("fi");
            }
        }
        s.blank();
        let image = paas::image(v, plan);
        let target = format!("registry.heroku.com/{app}/web");
        if image.is_empty() {
            s.comment(
                "Build the Dockerfile in the current directory and push it as the web process.",
            );
            s.cmd(vec![
                Word::lit("heroku"),
                Word::lit("container:push"),
                Word::lit("web"),
                Word::lit(app_flag.clone()),
            ]);
        } else {
            s.comment("Copy the image to Heroku's registry as the web process.");
            s.cmd(vec![Word::lit("heroku"), Word::lit("container:login")]);
            s.cmd(vec![
                Word::lit("docker"),
                Word::lit("pull"),
                Word::lit(image.clone()),
            ]);
            s.cmd(vec![
                Word::lit("docker"),
                Word::lit("tag"),
                Word::lit(image),
                Word::lit(target.clone()),
            ]);
            s.cmd(vec![
                Word::lit("docker"),
                Word::lit("push"),
                Word::lit(target),
            ]);
        }
        s.cmd(Self::deploy_argv(v));
        s.cmd(vec![
            Word::lit("heroku"),
            Word::lit("ps:scale"),
            Word::lit(format!("web={}", paas::instances(v))),
            Word::lit(app_flag.clone()),
        ]);
        if v.opt("session_affinity") == "yes" {
            s.comment("Best-effort stickiness (a router cookie); a mitigation, not a fix.");
            s.cmd(vec![
                Word::lit("heroku"),
                Word::lit("features:enable"),
                Word::lit("http-session-affinity"),
                Word::lit(app_flag),
            ]);
        }
        s.raw(")");
        Block {
            id: "deploy",
            title: "Deploy script (heroku)".to_owned(),
            language: "bash",
            filename: "deploy.sh".to_owned(),
            content: s.render(),
            contains_secret: paas::inline_secret_known(plan, inline),
        }
    }

    fn deploy_argv(v: &Valid<'_>) -> Vec<Word> {
        vec![
            Word::lit("heroku"),
            Word::lit("container:release"),
            Word::lit("web"),
            Word::lit(format!("--app={}", Self::app(v))),
        ]
    }
}

impl Platform for Heroku {
    fn id(&self) -> &'static str {
        "heroku"
    }
    fn name(&self) -> &'static str {
        "Heroku"
    }
    fn summary(&self) -> &'static str {
        "Dynos behind Heroku's router; TLS ends at the load balancer (X-Forwarded-Proto, no X-Forwarded-Host)"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn https_only(&self) -> bool {
        false
    }
    fn reserved(&self, name: &str) -> bool {
        name == "PORT" || name.starts_with("HEROKU_")
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let urls = paas::check_app_name(v, &APP_NAME, diags);
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "HK004",
                    field::option("secrets"),
                    "Secret values are written into the deploy script",
                )
                .with_fix(Fix::unsafe_(
                    "Take them from shell variables",
                    paas::set("secrets", "config-vars"),
                )),
            );
        }
        paas::check_instances(
            v,
            &paas::Instances {
                code: "HK005",
                message: |n| format!("{n} web dynos without session affinity"),
                run_one: "Run one dyno",
                affinity_fix: Some("Turn on session affinity (a mitigation)"),
            },
            diags,
        );
        if !v.opt("image").trim().is_empty() {
            diags.push(Diagnostic::new(
                "HK006",
                field::option("image"),
                "Heroku assigns PORT at start: the image must listen on $PORT",
            ));
        } else if !READS_PORT.iter().any(|(a, _)| *a == v.app.id()) {
            diags.push(Diagnostic::new(
                "HK006",
                field::APP,
                format!(
                    "Heroku assigns PORT at start: ProxyTrust does not know whether {} listens on it",
                    v.app.name()
                ),
            ));
        }
        if urls.is_empty() && !v.origins.is_empty() {
            diags.push(Diagnostic::new(
                "HK007",
                field::URLS,
                "No herokuapp.com URL given: add it too if anybody uses it",
            ));
        }
        paas::forwarded_trust(v, "HK008", "Heroku's router", &["X-Forwarded-Port"], diags);
    }

    fn injected(&self, _v: &Valid<'_>, _container_port: u16) -> Vec<EnvVar> {
        Vec::new()
    }

    fn inline_secrets(&self, v: &Valid<'_>) -> bool {
        Self::inline(v)
    }

    fn secret_reference(&self, v: &Valid<'_>, var: &EnvVar) -> String {
        if Self::inline(v) {
            "(inline secret)".to_owned()
        } else {
            format!("config var {} (from ${})", var.name, paas::shell_var(var))
        }
    }

    fn deploy_command(&self, v: &Valid<'_>, _plan: &Plan) -> Vec<String> {
        shell::unquoted(Self::deploy_argv(v))
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        vec![
            Self::env_block(v, plan, header),
            Self::deploy_block(v, plan, header),
        ]
    }

    fn reasons(&self, v: &Valid<'_>, plan: &Plan) -> Vec<Reason> {
        let carriers = paas::origin_carriers(plan);
        let port = READS_PORT.iter().find(|(a, _)| *a == v.app.id());
        let mut out = vec![
            Reason {
                subject: "Heroku's router: TLS and forwarded headers".to_owned(),
                why: format!(
                    "TLS ends at Heroku's load balancer; the dyno gets plain http with \
                     X-Forwarded-Proto (from the port the client used), X-Forwarded-For, \
                     X-Forwarded-Port, X-Request-Id, X-Request-Start and Via. The router adds no \
                     X-Forwarded-Host, and passes on one the client sent: never trust it. The app \
                     takes the scheme from X-Forwarded-Proto and is told its public origin \
                     explicitly{}.",
                    paas::carriers_phrase(&carriers)
                ),
                source: SRC_HEADERS.to_owned(),
            },
            Reason {
                subject: "PORT".to_owned(),
                why: match port {
                    Some((_, src)) => format!(
                        "Heroku sets PORT when the dyno starts and routes to it; the {} image \
                         listens on it ({src}).",
                        v.app.name()
                    ),
                    None => "Heroku sets PORT when the dyno starts and routes only to it (EXPOSE \
                             is ignored): the image's start command must listen on $PORT."
                        .to_owned(),
                },
                source: "devcenter.heroku.com/articles/container-registry-and-runtime \
                         (platforms.md §8)"
                    .to_owned(),
            },
        ];
        let n = paas::instances(v);
        out.push(Reason {
            subject: if v.opt("session_affinity") == "yes" {
                "Session affinity (http-session-affinity)".to_owned()
            } else {
                format!("{n} web dyno(s), no session affinity")
            },
            why: "With several dynos the router spreads a browser's requests over them. \
                  `heroku features:enable http-session-affinity` makes the router set a cookie \
                  that sends a browser back to the same dyno (Common Runtime only, not Private \
                  Spaces), best effort: a dyno restarts at least daily and on every deploy or \
                  config change. It is a mitigation: secrets are app-wide config vars (the same \
                  on every dyno), and sessions or OAuth state must not live in one dyno's memory."
                .to_owned(),
            source: SRC_AFFINITY.to_owned(),
        });
        if !Self::inline(v) && !paas::secrets(plan).is_empty() {
            out.push(Reason {
                subject: "Secrets as config vars".to_owned(),
                why: "Heroku keeps secrets as config vars. heroku config:set reads values only \
                      from its arguments, so the deploy script expands them from NAME_VALUE shell \
                      variables (or openssl) at run time: they are never in the script or your \
                      shell history, but they are in the heroku process's argument list while it \
                      runs, and the command's output (which echoes them) goes to /dev/null. Only \
                      unset secrets are set, so a redeploy keeps existing keys."
                    .to_owned(),
                source: SRC_CONFIG.to_owned(),
            });
        }
        out
    }

    /// `*.herokuapp.com` (platforms.md §8).
    fn owns_host(&self, host: &str) -> bool {
        host.ends_with(".herokuapp.com")
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "HK001",
        severity: Info,
        name: "app-name-default",
        explanation: "What: no Heroku app name is set, so the app's id is used.\n\
Why: Heroku app names are global; a common name may be taken, and `heroku apps:create` then \
fails. A herokuapp.com URL names the app.\n\
Example: `--set app=acme-label-studio`.\n\
References: devcenter.heroku.com/articles/app-names-and-subdomains (platforms.md §8).",
    },
    Code {
        code: "HK002",
        severity: Error,
        name: "app-name-invalid",
        explanation: "What: the Heroku app name breaks Heroku's naming rules.\n\
Why: names are lower-case letters, digits and dashes, at most 30 characters.\n\
Example: `Label_Studio` -> `label-studio`.\n\
References: devcenter.heroku.com/articles/app-names-and-subdomains (platforms.md §8).",
    },
    Code {
        code: "HK003",
        severity: Warning,
        name: "app-differs-from-url",
        explanation: "What: the app name differs from the one in a herokuapp.com URL.\n\
Why: `APPNAME-IDENTIFIER.herokuapp.com` (or `APPNAME.herokuapp.com` for apps created before \
2023-06-14) belongs to APPNAME; deploying another app leaves the trusted origins pointing at the \
old one.\n\
Example: URL `https://acme-ls-1234567890ab.herokuapp.com`, app `label-studio`.\n\
References: devcenter.heroku.com/articles/app-names-and-subdomains; help.heroku.com/7KRHKEPA.",
    },
    Code {
        code: "HK004",
        severity: Warning,
        name: "inline-secrets",
        explanation: "What: secret values are written into the generated scripts.\n\
Why: the scripts end up in files, clipboards and shell history. By default the deploy script \
reads each value from a NAME_VALUE shell variable (or generates it) at run time.\n\
Example: `--set secrets=config-vars`.\n\
References: heroku/cli src/commands/config/set.ts (platforms.md §8).",
    },
    Code {
        code: "HK005",
        severity: Warning,
        name: "dynos-without-affinity",
        explanation: "What: several web dynos and no session affinity.\n\
Why: the router spreads a browser's requests over the dynos; anything kept in one dyno's memory \
(sessions, OAuth state, a generated secret key) is missing on the next. Config vars are shared, \
so secrets are not the problem; state is. `http-session-affinity` sends a browser back to the \
same dyno by cookie, best effort (dynos restart daily and on each release): a mitigation. The \
fix is state every dyno can read, or one dyno.\n\
Example: `--set session_affinity=yes` (mitigation) or `--set max_instances=1`.\n\
References: devcenter.heroku.com/articles/session-affinity (platforms.md §8, Pitfalls 19).",
    },
    Code {
        code: "HK006",
        severity: Info,
        name: "port-assigned-at-start",
        explanation: "What: Heroku assigns the port at start, in PORT.\n\
Why: the router sends requests only to $PORT (a container's EXPOSE is ignored). An image that \
listens on a fixed port (8080) never receives a request. Label Studio and Open WebUI read PORT; \
for other images (and your own) make sure the start command uses $PORT.\n\
Example: `CMD gunicorn app:app --bind 0.0.0.0:$PORT`.\n\
References: devcenter.heroku.com/articles/container-registry-and-runtime (platforms.md §8).",
    },
    Code {
        code: "HK007",
        severity: Info,
        name: "no-herokuapp-url",
        explanation: "What: none of the URLs is the app's herokuapp.com URL.\n\
Why: Heroku serves every app at its herokuapp.com host too; if anybody signs in through it, its \
origin must be trusted as well. Add it if it is used.\n\
Example: `https://acme-ls-1234567890ab.herokuapp.com`.\n\
References: devcenter.heroku.com/articles/app-names-and-subdomains.",
    },
    Code {
        code: "HK008",
        severity: Warning,
        name: "untrusted-forwarded-header",
        explanation: "What: an extra variable makes the app trust X-Forwarded-Host, which Heroku's \
router does not set.\n\
Why: the router adds no X-Forwarded-Host and passes on one the client sent, so the client \
chooses the host the app builds URLs and CSRF checks from. The public URL is given explicitly \
instead.\n\
Example: remove `USE_X_FORWARDED_HOST=true`.\n\
References: heroku/vegur README \"Headers\", changelog 2.0.3 (platforms.md §8, Pitfalls 10).",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_herokuapp() {
        assert_eq!(
            recognise("example-app-1234567890ab.herokuapp.com"),
            Some("example-app".into())
        );
        assert_eq!(
            recognise("example-app-1234567890ab.us.herokuapp.com"),
            Some("example-app".into())
        );
        assert_eq!(recognise("legacy.herokuapp.com"), Some("legacy".into()));
        assert_eq!(recognise("a.b.c.herokuapp.com"), None);
        assert_eq!(recognise("x.example.org"), None);
    }

    #[test]
    fn names() {
        assert!(app_name_ok("label-studio"));
        assert!(!app_name_ok("Label_Studio"));
        assert!(!app_name_ok(&"a".repeat(31)));
        assert!(app_name_ok(&paas::sanitise_name(&"A_".repeat(40), 30)));
    }
}
