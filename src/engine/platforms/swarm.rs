//! Docker Swarm: `docker secret create` from stdin, `docker service create --secret`, and a
//! Caddy service in front for TLS.
//!
//! Facts used here (shared/knowledge/platforms.md §5, §4.4; docker/cli at 28f75608, moby/swarmkit):
//! * `printf '%s' "$VALUE" | docker secret create NAME -` (`docs/reference/commandline/
//!   secret_create.md`); `docker service create --secret source=NAME,target=FILE` mounts it at
//!   `/run/secrets/FILE`; `--config source=NAME,target=PATH,mode=0555` mounts a config;
//!   `--entrypoint` overrides the image's ENTRYPOINT; `--env K=V` per variable; `--replicas N`
//!   (`service_create.md`). `docker config create NAME -` reads stdin too.
//! * Names (swarmkit `manager/controlapi/common.go`): services must match
//!   `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$` ("name must be valid as a DNS name component") and
//!   have at most 63 characters; secrets and configs `^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$`,
//!   at most 64.
//! * The `*_FILE` convention is not a Docker feature: an image's entrypoint implements it (the
//!   official postgres image's `file_env`), and an app reads `X_FILE` only if its code or image
//!   does. Label Studio reads its settings from the environment only (`get_env`,
//!   label_studio/core/utils/params.py); Open WebUI's start script reads `WEBUI_SECRET_KEY` from
//!   the environment or its own `.webui_secret_key` file (backend/start.sh). So ProxyTrust does
//!   not rely on `*_FILE`: a small entrypoint, stored as a Swarm config, exports each secret file
//!   as the variable the app reads and then runs the image's own entrypoint and command (read
//!   with `docker image inspect`). `$(cat FILE)` drops trailing newlines, so such values are
//!   refused.
//! * The routing mesh is L4 (IPVS): no TLS, no HTTP headers, no cookie stickiness
//!   (moby/swarmkit#1077). An https origin needs a TLS-terminating proxy in front: by default a
//!   Caddy service (automatic HTTPS) on the same overlay network, which sends X-Forwarded-For,
//!   X-Forwarded-Proto and X-Forwarded-Host, keeps the client's Host, and drops incoming X-Forwarded-*
//!   from untrusted peers (caddyserver/caddy modules/caddyhttp/reverseproxy/reverseproxy.go).

use crate::engine::Valid;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvValue, EnvVar, Plan, Reason, SecretSpec};
use crate::engine::render::shell::{self, Script, Word, quote};
use crate::engine::render::{Block, Header};

use super::{Platform, paas};

pub struct Swarm;

const SECRET_MODES: &[(&str, &str)] = &[
    ("swarm", "Docker secrets (recommended)"),
    ("inline", "Inline --env values"),
];
const FRONTS: &[(&str, &str)] = &[
    ("caddy", "A Caddy service terminates TLS (automatic HTTPS)"),
    (
        "external",
        "My own TLS proxy in front (publish the app's port)",
    ),
    ("none", "Nothing: plain http on the published port"),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "service",
        label: "Service name",
        help: "Letters, digits, - and _, at most 63 characters (empty: the app's id)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image (for your own code: built here with docker build; one node only unless pushed to a registry)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "max_instances",
        label: "Replicas",
        help: "docker service create --replicas",
        kind: OptionKind::Integer,
        default: "1",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where secret values live",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "swarm",
    },
    OptionSpec {
        key: "front",
        label: "In front",
        help: "What terminates TLS: the routing mesh itself is plain TCP",
        kind: OptionKind::Choice(FRONTS),
        default: "caddy",
    },
    OptionSpec {
        key: "publish_port",
        label: "Published port",
        help: "With an external proxy or none: the port the routing mesh publishes (empty: the app's port)",
        kind: OptionKind::Integer,
        default: "",
    },
];

const SRC_DOCKER: &str = "docker/cli docs/reference/commandline/secret_create.md, service_create.md \
(platforms.md §5)";
const SRC_FILE: &str = "docker-library/postgres docker-entrypoint.sh file_env; \
label_studio/core/utils/params.py get_env; open-webui backend/start.sh (platforms.md §5)";
const SRC_CADDY: &str = "caddyserver/caddy modules/caddyhttp/reverseproxy/reverseproxy.go \
addForwardedHeaders (platforms.md §4.4); moby/swarmkit#1077 (platforms.md §5)";
/// Where the entrypoint wrapper is mounted.
const WRAPPER_PATH: &str = "/usr/local/bin/proxytrust-secrets-env";
/// Caddy's official image, major version 2.
const CADDY_IMAGE: &str = "caddy:2";

/// What ProxyTrust knows about an app reading `NAME_FILE`.
const FILE_FACTS: &[(&str, &str)] = &[
    (
        "label-studio",
        "Label Studio reads settings from the environment only (get_env in label_studio/core/utils/params.py looks up LABEL_STUDIO_X, HEARTEX_X and X, never X_FILE)",
    ),
    (
        "open-webui",
        "Open WebUI reads WEBUI_SECRET_KEY from the environment, else from its own .webui_secret_key file (backend/start.sh); it has no X_FILE variables",
    ),
];

fn service_name_ok(s: &str) -> bool {
    if s.is_empty() || s.len() > 63 {
        return false;
    }
    // ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$ : alphanumeric at both ends, - and _ between.
    let ok_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    s.bytes().all(ok_char)
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric()
}

/// A secret or config name: letters, digits, `-`, `_`, `.`, alphanumeric at both ends, at most 64.
fn object_name(s: &str) -> String {
    paas::sanitise_name(s, 64)
}

/// FNV-1a, for content-addressed config names (configs cannot be changed once created).
fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h >> 32)
}

impl Swarm {
    fn service(v: &Valid<'_>) -> String {
        paas::name_or_app(v, "service")
    }
    fn network(v: &Valid<'_>) -> String {
        format!("{}-net", Self::service(v))
    }
    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }
    fn front<'a>(v: &'a Valid<'a>) -> &'a str {
        v.opt("front")
    }
    fn image(v: &Valid<'_>, plan: &Plan) -> String {
        let i = paas::image(v, plan);
        if i.is_empty() {
            format!("{}:local", Self::service(v))
        } else {
            i
        }
    }

    /// Docker secrets (one per name; variables sharing a slug share it).
    fn secrets<'p>(
        v: &Valid<'_>,
        plan: &'p Plan,
    ) -> Vec<(String, Vec<&'p EnvVar>, &'p SecretSpec)> {
        if Self::inline(v) {
            return Vec::new();
        }
        let mut out: Vec<(String, Vec<&'p EnvVar>, &'p SecretSpec)> = Vec::new();
        for (var, spec) in paas::secrets(plan) {
            let name = object_name(&format!("{}-{}", Self::service(v), spec.slug));
            match out.iter_mut().find(|(n, _, _)| *n == name) {
                Some((_, vars, _)) => vars.push(var),
                None => out.push((name, vec![var], spec)),
            }
        }
        out
    }

    /// The entrypoint wrapper: exports each secret file as its variable, then runs the image's
    /// own entrypoint and command (given as arguments).
    fn wrapper(v: &Valid<'_>, plan: &Plan) -> String {
        let mut w = String::from(
            "#!/bin/sh\n# Generated by ProxyTrust: exports each Docker secret as the variable the app\n\
             # reads, then runs the image's own entrypoint and command (the arguments).\nset -e\n",
        );
        for (name, vars, _) in Self::secrets(v, plan) {
            for var in vars {
                w.push_str(&format!(
                    "{n}=\"$(cat /run/secrets/{name})\"\nexport {n}\n",
                    n = var.name
                ));
            }
        }
        w.push_str("exec \"$@\"\n");
        w
    }

    fn wrapper_config(v: &Valid<'_>, plan: &Plan) -> String {
        let w = Self::wrapper(v, plan);
        object_name(&format!(
            "{}-secrets-env-{}",
            Self::service(v),
            short_hash(&w)
        ))
    }

    fn caddyfile(v: &Valid<'_>, plan: &Plan) -> String {
        let mut c = String::new();
        for o in &plan.origins {
            c.push_str(&format!(
                "{o} {{\n\treverse_proxy {}:{}\n}}\n",
                Self::service(v),
                plan.app.container_port
            ));
        }
        c
    }

    fn publish_port(v: &Valid<'_>, plan: &Plan) -> String {
        let p = v.opt("publish_port").trim();
        if p.is_empty() {
            plan.app.container_port.to_string()
        } else {
            p.to_owned()
        }
    }

    fn env_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let mut s = Script::default();
        s.raw("#!/usr/bin/env bash");
        for l in header.lines("env") {
            s.comment(l);
        }
        s.comment(
            "Environment of the Swarm service: one --env per variable (docker service update",
        );
        s.comment("form for a running service). Secrets are Docker secrets, exported by the");
        s.comment("entrypoint the deploy script installs:");
        for (name, vars, _) in Self::secrets(v, plan) {
            let names: Vec<&str> = vars.iter().map(|e| e.name.as_str()).collect();
            s.comment(format!("  {}  <- /run/secrets/{name}", names.join(", ")));
        }
        let mut argv = vec![
            Word::lit("docker"),
            Word::lit("service"),
            Word::lit("update"),
        ];
        for (k, val) in paas::plain_pairs(plan, Self::inline(v)) {
            argv.push(Word::lit(format!("--env-add={k}={val}")));
        }
        argv.push(Word::lit(Self::service(v)));
        s.cmd(argv);
        Block {
            id: "env",
            title: "Environment (docker service update --env-add)".to_owned(),
            language: "bash",
            filename: "swarm-env.sh".to_owned(),
            content: s.render(),
            contains_secret: paas::inline_secret_known(plan, Self::inline(v)),
        }
    }

    fn deploy_block(v: &Valid<'_>, plan: &Plan, header: &Header) -> Block {
        let service = Self::service(v);
        let net = Self::network(v);
        let secrets = Self::secrets(v, plan);
        let mut s = Script::default();
        paas::script_head(
            &mut s,
            header,
            &format!(
                "Deploys {} as the Swarm service {service} (run it on a manager node).",
                plan.app_name
            ),
            plan,
            !Self::inline(v),
        );
        s.raw("(");
        s.raw("set -euo pipefail");
        s.blank();
        s.raw(format!(
            "if ! docker network inspect {} >/dev/null 2>&1; then",
            quote(&net)
        ));
        s.cmd_with(
            None,
            vec![
                Word::lit("docker"),
                Word::lit("network"),
                Word::lit("create"),
                Word::lit("--driver=overlay"),
                Word::lit(net.clone()),
            ],
            Some(">/dev/null".to_owned()),
        );
        s.raw("fi");
        if paas::image(v, plan).is_empty() {
            s.blank();
            s.comment(
                "Your own code: build the image here (other nodes need it pushed to a registry).",
            );
            s.cmd(vec![
                Word::lit("docker"),
                Word::lit("build"),
                Word::lit(format!("--tag={}", Self::image(v, plan))),
                Word::lit("."),
            ]);
        }
        if !secrets.is_empty() {
            s.blank();
            s.comment(
                "Docker secrets from stdin (never on a command line), only those not created yet.",
            );
            s.raw("swarm_secret() {");
            s.raw("if [[ \"$2\" == *$'\\n' ]]; then");
            s.raw("echo \"$1: a trailing line break would be lost when the entrypoint reads the secret\" >&2");
            s.raw("exit 1");
            s.raw("fi");
            s.raw("printf '%s' \"$2\" | docker secret create \"$1\" - >/dev/null");
            s.raw("}");
            for (name, vars, spec) in &secrets {
                s.comment(format!("{name}: {}.", spec.describe));
                s.raw(format!(
                    "if ! docker secret inspect {} >/dev/null 2>&1; then",
                    quote(name)
                ));
                s.raw(format!(
                    "swarm_secret {} {}",
                    quote(name),
                    paas::value_expr(vars[0], spec)
                ));
                s.raw("fi");
            }
            s.blank();
            s.comment(
                "The entrypoint that exports the secrets (a config: immutable, named by content).",
            );
            let cfg = Self::wrapper_config(v, plan);
            s.raw(format!(
                "if ! docker config inspect {} >/dev/null 2>&1; then",
                quote(&cfg)
            ));
            s.cmd_with(
                None,
                vec![
                    Word::lit("printf"),
                    Word::lit("%s"),
                    Word::lit(Self::wrapper(v, plan)),
                ],
                Some(format!(
                    "| docker config create {} - >/dev/null",
                    quote(&cfg)
                )),
            );
            s.raw("fi");
            s.blank();
            s.comment("The image's own entrypoint and command, run by the wrapper.");
            let image = Self::image(v, plan);
            if !paas::image(v, plan).is_empty() {
                s.cmd_with(
                    None,
                    vec![
                        Word::lit("docker"),
                        Word::lit("pull"),
                        Word::lit(image.clone()),
                    ],
                    Some(">/dev/null".to_owned()),
                );
            }
            s.raw("orig=()");
            s.raw(format!(
                "while IFS= read -r -d '' word; do orig+=(\"$word\"); done < <(docker image inspect {} {})",
                quote("--format={{range .Config.Entrypoint}}{{printf \"%s\\x00\" .}}{{end}}{{range .Config.Cmd}}{{printf \"%s\\x00\" .}}{{end}}"),
                quote(&image)
            ));
            s.raw(format!(
                "if [ \"${{#orig[@]}}\" -eq 0 ]; then echo {} >&2; exit 1; fi",
                quote(&format!("{image} has no entrypoint or command to run"))
            ));
        }
        s.blank();
        s.comment("Re-create the service so every flag applies (a short interruption).");
        s.raw(format!(
            "if docker service inspect {} >/dev/null 2>&1; then",
            quote(&service)
        ));
        s.cmd_with(
            None,
            vec![
                Word::lit("docker"),
                Word::lit("service"),
                Word::lit("rm"),
                Word::lit(service.clone()),
            ],
            Some(">/dev/null".to_owned()),
        );
        s.raw("fi");
        s.cmd(Self::create_argv(v, plan));
        if Self::front(v) == "caddy" {
            let proxy = format!("{service}-proxy");
            let caddyfile = Self::caddyfile(v, plan);
            let cfg = object_name(&format!("{service}-caddyfile-{}", short_hash(&caddyfile)));
            s.blank();
            s.comment(
                "Caddy terminates TLS (automatic certificates for the hosts) and proxies to the",
            );
            s.comment("service over the overlay network.");
            s.raw(format!(
                "if ! docker config inspect {} >/dev/null 2>&1; then",
                quote(&cfg)
            ));
            s.cmd_with(
                None,
                vec![Word::lit("printf"), Word::lit("%s"), Word::lit(caddyfile)],
                Some(format!(
                    "| docker config create {} - >/dev/null",
                    quote(&cfg)
                )),
            );
            s.raw("fi");
            s.raw(format!(
                "if docker service inspect {} >/dev/null 2>&1; then",
                quote(&proxy)
            ));
            s.cmd_with(
                None,
                vec![
                    Word::lit("docker"),
                    Word::lit("service"),
                    Word::lit("rm"),
                    Word::lit(proxy.clone()),
                ],
                Some(">/dev/null".to_owned()),
            );
            s.raw("fi");
            s.cmd(vec![
                Word::lit("docker"),
                Word::lit("service"),
                Word::lit("create"),
                Word::lit(format!("--name={proxy}")),
                Word::lit(format!("--network={net}")),
                Word::lit("--publish=published=80,target=80"),
                Word::lit("--publish=published=443,target=443"),
                Word::lit(format!("--config=source={cfg},target=/etc/caddy/Caddyfile")),
                Word::lit(format!(
                    "--mount=type=volume,source={service}-caddy-data,target=/data"
                )),
                Word::lit(CADDY_IMAGE),
            ]);
        }
        s.raw(")");
        Block {
            id: "deploy",
            title: "Deploy script (docker service)".to_owned(),
            language: "bash",
            filename: "deploy.sh".to_owned(),
            content: s.render(),
            contains_secret: paas::inline_secret_known(plan, Self::inline(v)),
        }
    }

    fn create_argv(v: &Valid<'_>, plan: &Plan) -> Vec<Word> {
        let service = Self::service(v);
        let secrets = Self::secrets(v, plan);
        let mut argv = vec![
            Word::lit("docker"),
            Word::lit("service"),
            Word::lit("create"),
            Word::lit(format!("--name={service}")),
            Word::lit(format!("--network={}", Self::network(v))),
            Word::lit(format!("--replicas={}", paas::instances(v))),
        ];
        if Self::front(v) != "caddy" {
            argv.push(Word::lit(format!(
                "--publish=published={},target={}",
                Self::publish_port(v, plan),
                plan.app.container_port
            )));
        }
        for (name, _, _) in &secrets {
            argv.push(Word::lit(format!("--secret=source={name},target={name}")));
        }
        if !secrets.is_empty() {
            argv.push(Word::lit(format!(
                "--config=source={},target={WRAPPER_PATH},mode=0555",
                Self::wrapper_config(v, plan)
            )));
            argv.push(Word::lit(format!("--entrypoint={WRAPPER_PATH}")));
        }
        for (k, val) in paas::plain_pairs(plan, Self::inline(v)) {
            argv.push(Word::lit(format!("--env={k}={val}")));
        }
        argv.push(Word::lit(Self::image(v, plan)));
        if !secrets.is_empty() {
            argv.push(Word::Raw("\"${orig[@]}\"".to_owned()));
        }
        argv
    }
}

impl Platform for Swarm {
    fn id(&self) -> &'static str {
        "swarm"
    }
    fn name(&self) -> &'static str {
        "Docker Swarm"
    }
    fn summary(&self) -> &'static str {
        "Swarm services with Docker secrets; the routing mesh is plain TCP, so Caddy terminates TLS"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn https_only(&self) -> bool {
        false
    }
    fn reserved(&self, _name: &str) -> bool {
        false
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let service = v.opt("service").trim();
        if service.is_empty() {
            diags.push(Diagnostic::new(
                "SWM001",
                field::option("service"),
                format!("Swarm service name not set, using {}", v.app.id()),
            ));
        } else if !service_name_ok(service) {
            let fixed = paas::sanitise_name(service, 63);
            diags.push(
                Diagnostic::new(
                    "SWM002",
                    field::option("service"),
                    format!("Not a valid Swarm service name: {service}"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {fixed}"),
                    paas::set("service", &fixed),
                )),
            );
        }
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "SWM003",
                    field::option("secrets"),
                    "Secret values are passed inline with --env",
                )
                .with_fix(Fix::unsafe_(
                    "Use Docker secrets",
                    paas::set("secrets", "swarm"),
                )),
            );
        }
        let front = Self::front(v);
        if front != "caddy"
            && let Some(o) = v.origins.iter().find(|o| o.scheme == "https")
        {
            if front == "none" {
                diags.push(
                    Diagnostic::new(
                        "SWM004",
                        field::option("front"),
                        format!(
                            "URL {} is https, and nothing in front terminates TLS: the routing mesh is plain TCP",
                            o.index + 1
                        ),
                    )
                    .with_fix(Fix::unsafe_("Put Caddy in front", paas::set("front", "caddy"))),
                );
            } else {
                diags.push(Diagnostic::new(
                    "SWM005",
                    field::option("front"),
                    "Your proxy must terminate TLS and send X-Forwarded-Proto: https",
                ));
            }
        }
        paas::check_instances(
            v,
            &paas::Instances {
                code: "SWM006",
                message: |n| format!("{n} replicas: Swarm's routing mesh has no session affinity"),
                run_one: "Run one replica",
                affinity_fix: None,
            },
            diags,
        );
        if !Self::inline(v) {
            let fact = FILE_FACTS.iter().find(|(a, _)| *a == v.app.id());
            diags.push(Diagnostic::new(
                "SWM007",
                field::option("secrets"),
                match fact {
                    Some(_) => format!(
                        "{} does not read *_FILE variables: an entrypoint exports the Docker secrets",
                        v.app.name()
                    ),
                    None => format!(
                        "ProxyTrust does not know whether {} reads *_FILE variables: an entrypoint exports the Docker secrets",
                        v.app.name()
                    ),
                },
            ));
        }
        let sets: &[&str] = if front == "caddy" {
            &["X-Forwarded-Host"]
        } else {
            &[]
        };
        paas::forwarded_trust(v, "SWM008", "The front end", sets, diags);
    }

    fn injected(&self, _v: &Valid<'_>, _container_port: u16) -> Vec<EnvVar> {
        Vec::new()
    }

    fn inline_secrets(&self, v: &Valid<'_>) -> bool {
        Self::inline(v)
    }

    fn secret_reference(&self, v: &Valid<'_>, var: &EnvVar) -> String {
        match &var.value {
            EnvValue::Secret(s) if !Self::inline(v) => format!(
                "/run/secrets/{}",
                object_name(&format!("{}-{}", Self::service(v), s.slug))
            ),
            _ => "(inline secret)".to_owned(),
        }
    }

    fn deploy_command(&self, v: &Valid<'_>, plan: &Plan) -> Vec<String> {
        shell::unquoted(Self::create_argv(v, plan))
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        vec![
            Self::env_block(v, plan, header),
            Self::deploy_block(v, plan, header),
        ]
    }

    fn reasons(&self, v: &Valid<'_>, plan: &Plan) -> Vec<Reason> {
        let carriers = paas::origin_carriers(plan);
        let front = match Self::front(v) {
            "caddy" => format!(
                "The routing mesh is plain TCP (IPVS): it terminates no TLS and adds no header. A \
                 Caddy service does both: it gets certificates for the hosts, proxies to the \
                 service over the overlay network, keeps the client's Host and sends \
                 X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host (dropping ones a client \
                 sent, as the client is not a trusted proxy). The app is also told its public \
                 origin explicitly{}.",
                paas::carriers_phrase(&carriers)
            ),
            "external" => format!(
                "The routing mesh is plain TCP: the service's port is published on every node, \
                 and your proxy in front must terminate TLS and send X-Forwarded-Proto: https. \
                 The app is told its public origin explicitly{}.",
                paas::carriers_phrase(&carriers)
            ),
            _ => "The routing mesh is plain TCP: the published port serves plain http, with no \
                  forwarded headers. This works for http:// origins only."
                .to_owned(),
        };
        let mut out = vec![Reason {
            subject: "Swarm's front end".to_owned(),
            why: front,
            source: SRC_CADDY.to_owned(),
        }];
        if !Self::inline(v) && !Self::secrets(v, plan).is_empty() {
            let fact = FILE_FACTS
                .iter()
                .find(|(a, _)| *a == v.app.id())
                .map_or_else(
                    || {
                        format!(
                            "ProxyTrust has no evidence that {} reads X_FILE variables.",
                            v.app.name()
                        )
                    },
                    |(_, f)| format!("{f}."),
                );
            out.push(Reason {
                subject: "Docker secrets and the *_FILE convention".to_owned(),
                why: format!(
                    "Docker secrets reach a container only as files under /run/secrets; reading \
                     X_FILE instead of X is a convention some images' entrypoints implement, not a \
                     Docker feature. {fact} So the deploy script stores a small entrypoint as a \
                     Swarm config that exports each secret file as the variable the app reads and \
                     then runs the image's own entrypoint and command (read with docker image \
                     inspect). Secret values go to docker secret create on stdin; values ending \
                     in a line break are refused ($(cat) would drop it)."
                ),
                source: format!("{SRC_DOCKER}; {SRC_FILE}"),
            });
        }
        out.push(Reason {
            subject: "Replicas and session affinity".to_owned(),
            why:
                "The routing mesh balances connections at L4 with no cookie stickiness, and Caddy \
                  reaches the service through its virtual IP: a browser's requests may reach \
                  different replicas. Docker secrets are the same on every replica; per-replica \
                  state (in-memory sessions, SQLite in the container) is not."
                    .to_owned(),
            source: "moby/swarmkit#1077 (platforms.md §5, Pitfalls 19)".to_owned(),
        });
        out
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "SWM001",
        severity: Info,
        name: "service-name-default",
        explanation: "What: no Swarm service name is set, so the app's id is used.\n\
Why: `docker service create --name` needs one; secrets, configs and the network are named after it.\n\
Example: `--set service=label-studio`.\n\
References: docker/cli docs/reference/commandline/service_create.md.",
    },
    Code {
        code: "SWM002",
        severity: Error,
        name: "service-name-invalid",
        explanation: "What: the service name breaks Swarm's rule.\n\
Why: swarmkit refuses names that do not match `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$` (\"name must be \
valid as a DNS name component\") or are longer than 63 characters.\n\
Example: `label studio` -> `label-studio`.\n\
References: moby/swarmkit manager/controlapi/common.go validateAnnotations.",
    },
    Code {
        code: "SWM003",
        severity: Warning,
        name: "inline-secrets",
        explanation: "What: secret values are passed with --env.\n\
Why: they become part of the service spec (docker service inspect shows them) and of the script. \
Docker secrets are encrypted in the Raft log and mounted only into the service's containers.\n\
Example: `--set secrets=swarm`.\n\
References: docker/cli docs/reference/commandline/secret_create.md (platforms.md §5).",
    },
    Code {
        code: "SWM004",
        severity: Error,
        name: "https-without-tls",
        explanation: "What: an https URL with nothing in front of the service to terminate TLS.\n\
Why: this cannot work: Swarm's routing mesh forwards TCP connections (IPVS) and terminates no TLS, \
so browsers reaching https://HOST get no TLS handshake. Put a TLS-terminating proxy in front (the \
Caddy service ProxyTrust writes, or your own).\n\
Example: `--set front=caddy`.\n\
References: moby/swarmkit#1077; platforms.md §5.",
    },
    Code {
        code: "SWM005",
        severity: Info,
        name: "external-proxy",
        explanation: "What: your own proxy terminates TLS in front of the published port.\n\
Why: the app sees plain http from the proxy; it must send X-Forwarded-Proto: https (and the app \
trust it from that proxy only), or CSRF and secure-cookie checks fail.\n\
Example: nginx `proxy_set_header X-Forwarded-Proto $scheme;`.\n\
References: platforms.md §4.2, Pitfalls 10.",
    },
    Code {
        code: "SWM006",
        severity: Warning,
        name: "no-affinity",
        explanation: "What: several replicas, and Swarm has no session affinity.\n\
Why: the routing mesh balances connections at L4 without cookies (moby/swarmkit#1077); state kept \
per replica (in-memory sessions or OAuth state, SQLite in the container) breaks at random. Share \
the state (Docker secrets already are shared) or run one replica.\n\
Example: `--set max_instances=1`.\n\
References: moby/swarmkit#1077 (platforms.md §5, Pitfalls 19).",
    },
    Code {
        code: "SWM007",
        severity: Info,
        name: "no-file-variables",
        explanation: "What: the app is not known to read `*_FILE` variables, so an entrypoint \
exports the Docker secrets.\n\
Why: Docker mounts secrets as files under /run/secrets; only images whose entrypoint implements \
the `X_FILE` convention (like the official postgres image) read them by themselves. Label Studio \
and Open WebUI read their secrets from the environment only. The deploy script stores a small \
POSIX sh entrypoint as a Swarm config that exports each secret and then runs the image's own \
entrypoint and command; it needs /bin/sh in the image.\n\
Example: SECRET_KEY=\"$(cat /run/secrets/label-studio-secret-key)\"; export SECRET_KEY; exec \"$@\".\n\
References: docker-library/postgres docker-entrypoint.sh file_env; label_studio/core/utils/params.py; \
open-webui backend/start.sh (platforms.md §5).",
    },
    Code {
        code: "SWM008",
        severity: Warning,
        name: "untrusted-forwarded-header",
        explanation: "What: an extra variable makes the app trust a forwarded header nothing in \
front sets.\n\
Why: without Caddy in front, nobody sets or overwrites X-Forwarded-Host / X-Forwarded-Port, so a \
client chooses them. Caddy sets X-Forwarded-Host (not X-Forwarded-Port).\n\
Example: remove `USE_X_FORWARDED_PORT=true`.\n\
References: caddyserver/caddy reverseproxy.go addForwardedHeaders (platforms.md §4.4).",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(service_name_ok("label-studio"));
        assert!(service_name_ok("Label_Studio2"));
        assert!(!service_name_ok("label studio"));
        assert!(!service_name_ok("-x"));
        assert!(!service_name_ok(&"a".repeat(64)));
        assert_eq!(short_hash("a"), short_hash("a"));
        assert_ne!(short_hash("a"), short_hash("b"));
    }
}
