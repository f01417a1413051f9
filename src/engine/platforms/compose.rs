//! Docker Compose on one Docker host, with nginx, Caddy or Traefik in front (option `proxy`).
//!
//! Facts used here (shared/knowledge/platforms.md §4, §11 and "Pitfalls" 6, 7, 12, 13, 19; the
//! proxies' own facts are in [`super::reverse_proxy`]):
//! * Compose interpolates `$VAR` / `${VAR}` in every YAML value of `compose.yaml` (environment
//!   values and labels included), so a literal `$` is written `$$`; booleans must be quoted
//!   (compose-spec `12-interpolation.md`, `05-services.md` "environment"). All of that is in
//!   `render/compose.rs`.
//! * Secrets go to an `env_file` (`./secrets.env`, mode 0600, written by the deploy script), not
//!   to Compose `secrets:`: Compose secrets are mounted as files under `/run/secrets/NAME`
//!   (`05-services.md` "secrets", `09-secrets.md`), and none of the apps here reads its secret
//!   settings from a file, only from environment variables. The env file keeps the values out of
//!   `compose.yaml`, out of the deploy script and out of every command line. Inline values (option
//!   `secrets=inline`) are written into `compose.yaml` only when asked for.
//! * `env_file` syntax (`05-services.md` "Env_file format"): unquoted and double-quoted values
//!   are interpolated, single-quoted ones are literal with `\'` as the only escape, `#` starts a
//!   comment in unquoted values. compose-go's parser (`dotenv/parser.go`) ends a single-quoted
//!   value at the first `'` not preceded by `\` and trims quote characters at both ends, and
//!   docker-compose 1.x (python-dotenv) expands `${NAME}` even inside single quotes (seen with
//!   docker-compose 1.29.2 in tests/e2e_proxies.rs; platforms.md "Pitfalls" 4 for the same
//!   python-dotenv behaviour). So a value with `'`, `\`, `${` or a line break is not carried
//!   reliably by every Compose version: the deploy script writes `NAME='value'` and refuses such
//!   values, pointing to `secrets=inline` (where YAML carries any value exactly).
//! * The app service is only `expose`d on the Compose network; the proxy service publishes 80 and
//!   443. Several app containers (`deploy.replicas`) answer to the one service name on Compose's
//!   DNS; Traefik's Docker provider sees each container (`loadbalancer.server.port` names the
//!   port).
//! * Certificates: Caddy and Traefik get them from Let's Encrypt themselves (Caddy's automatic
//!   HTTPS keeps them in the `caddy_data` volume, `/data` in the image: caddyserver/caddy-docker
//!   `Dockerfile` `XDG_DATA_HOME`; Traefik's ACME resolver in `./letsencrypt/acme.json`). nginx
//!   cannot, so the deploy script runs certbot's Docker image once in standalone mode
//!   (certbot `docs/install.rst` "Running with Docker"; `certonly --standalone`, `--cert-name`,
//!   `--agree-tos`, `--non-interactive`, `--register-unsafely-without-email` / `-m`), which keeps
//!   certificates in `./letsencrypt/live/<cert-name>/`.
//! * Images: `nginx:1.28` (nginx's stable branch), `caddy:2.10` (caddyserver/caddy-docker `2.10/`),
//!   `traefik:v3.7` (the image in traefik/traefik `docs/content/user-guides/docker-compose/`).
//!   The official nginx image includes `/etc/nginx/conf.d/*.conf` inside `http { }`
//!   (nginxinc/docker-nginx `nginx.conf`), Caddy's reads `/etc/caddy/Caddyfile`, Traefik reads
//!   `/etc/traefik/traefik.yml` (traefik `docs/content/getting-started/configuration-overview.md`).

use crate::engine::Valid;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, FieldEdit, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvValue, EnvVar, Plan};
use crate::engine::render::compose::{Dialect, Yaml};
use crate::engine::render::shell::{self, Script, Word, quote};
use crate::engine::render::{Block, Header, caddy, nginx};

use super::Platform;
use super::reverse_proxy::{self, Kind, Setup};

pub struct Compose;

const PROXIES: &[(&str, &str)] = &[
    (
        "caddy",
        "Caddy (automatic HTTPS, sends X-Forwarded-Proto/Host/For)",
    ),
    ("nginx", "nginx (certificates from certbot)"),
    ("traefik", "Traefik (Docker labels, automatic HTTPS)"),
];
const SECRET_MODES: &[(&str, &str)] = &[
    (
        "env-file",
        "secrets.env next to compose.yaml, mode 0600 (recommended)",
    ),
    ("inline", "Inline in compose.yaml"),
];
const YES_NO: &[(&str, &str)] = &[("no", "No"), ("yes", "Yes")];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "proxy",
        label: "Reverse proxy",
        help: "The proxy container in front of the app: it ends TLS and sets the forwarded headers",
        kind: OptionKind::Choice(PROXIES),
        default: "caddy",
    },
    OptionSpec {
        key: "service",
        label: "Service name",
        help: "Compose service and directory name: lower-case letters, digits and -; empty: the app's id",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image for the chosen version (for your own code: build: .. with your Dockerfile)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "max_instances",
        label: "Replicas",
        help: "How many app containers run behind the proxy (deploy.replicas)",
        kind: OptionKind::Integer,
        default: "1",
    },
    OptionSpec {
        key: "session_affinity",
        label: "Session affinity",
        help: "With several replicas, the proxy sends a browser back to the same container; a mitigation, not a fix for state that differs between containers",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where secret values live",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "env-file",
    },
    OptionSpec {
        key: "acme_email",
        label: "Let's Encrypt e-mail",
        help: "Optional contact address for the certificate account (Traefik, certbot); Caddy needs none",
        kind: OptionKind::Email,
        default: "",
    },
];

/// The secrets file next to `compose.yaml`.
pub const SECRETS_FILE: &str = "secrets.env";

const IMAGE_NGINX: &str = "nginx:1.28";
const IMAGE_CADDY: &str = "caddy:2.10";
const IMAGE_TRAEFIK: &str = "traefik:v3.7";
const IMAGE_CERTBOT: &str = "certbot/certbot";

/// `[a-z0-9][a-z0-9-]*`, at most 63 characters: valid as a Compose service name, a directory, a
/// container name, a Traefik router name and (with `-` -> `_`) an nginx identifier.
pub fn service_name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The closest valid service name (for the unsafe fix of `DC001` / `VM001`).
pub fn sanitise_service(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(63);
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "app".to_owned()
    } else {
        out
    }
}

/// A diagnostic for extra variables that read a header the chosen proxy does not send.
pub fn forwarded_port_check(
    v: &Valid<'_>,
    kind: Kind,
    code: &'static str,
    diags: &mut Vec<Diagnostic>,
) {
    if kind.sends_forwarded_port() {
        return;
    }
    for (i, e) in v.raw.extra_env.iter().enumerate() {
        let name = e.name.trim();
        if name.ends_with("USE_X_FORWARDED_PORT") {
            diags.push(
                Diagnostic::new(
                    code,
                    field::extra(i),
                    format!("Caddy sends no X-Forwarded-Port, so this reads nothing: {name}"),
                )
                .with_fix(Fix::safe(
                    format!("Remove {name}"),
                    vec![FieldEdit::RemoveExtra { index: i }],
                )),
            );
        }
    }
}

/// Refuses, at deploy time, values a Compose env file cannot carry (module docs).
const ENV_FILE_CHECK: &str = "case \"$value\" in *\"'\"*|*\\\\*|*\\$\\{*|*$'\\n'*|*$'\\r'*) \
echo \"$name: a value with ' or \\\\ or \\${ or a line break cannot go into secrets.env; use another value, or --set secrets=inline\" >&2; exit 1 ;; esac";

impl Compose {
    fn service(v: &Valid<'_>) -> String {
        let s = v.opt("service").trim();
        if s.is_empty() {
            v.app.id().to_owned()
        } else if service_name_ok(s) {
            s.to_owned()
        } else {
            sanitise_service(s)
        }
    }

    fn kind(v: &Valid<'_>) -> Kind {
        Kind::from_option(v.opt("proxy"))
    }

    fn proxy_service(kind: Kind) -> &'static str {
        match kind {
            Kind::Nginx => "nginx",
            Kind::Caddy => "caddy",
            Kind::Traefik => "traefik",
        }
    }

    fn replicas(v: &Valid<'_>) -> u32 {
        v.opt("max_instances")
            .trim()
            .parse::<u32>()
            .unwrap_or(1)
            .max(1)
    }

    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }

    fn image(v: &Valid<'_>, plan: &Plan) -> String {
        let i = v.opt("image").trim();
        if i.is_empty() {
            plan.app.image.clone()
        } else {
            i.to_owned()
        }
    }

    fn setup(v: &Valid<'_>, plan: &Plan) -> Setup {
        let service = Self::service(v);
        Setup {
            cert_dir: format!("/etc/letsencrypt/live/{service}"),
            upstream_host: service.clone(),
            service,
            sites: reverse_proxy::sites(&v.origins),
            upstream_port: plan.app.container_port,
            replicas: Self::replicas(v),
            sticky: v.opt("session_affinity") == "yes",
            websockets: v.app.websockets(),
            ipv6: false,
        }
    }

    fn proxy_file(kind: Kind) -> &'static str {
        match kind {
            Kind::Nginx => "nginx.conf",
            Kind::Caddy => "Caddyfile",
            Kind::Traefik => "traefik.yml",
        }
    }

    /// The proxy configuration file's text (with its header).
    fn proxy_text(v: &Valid<'_>, s: &Setup, header: &Header) -> String {
        let kind = Self::kind(v);
        let mut out = header.hash_comment("proxy");
        match kind {
            Kind::Nginx => {
                out.push_str(
                    "# nginx configuration for the proxy container: mounted as\n\
                     # /etc/nginx/conf.d/default.conf, which the image includes inside http { }.\n",
                );
                out.push_str(&nginx::render(&reverse_proxy::nginx(s)));
            }
            Kind::Caddy => {
                out.push_str("# Caddyfile for the proxy container (/etc/caddy/Caddyfile).\n");
                out.push_str(&caddy::render(&reverse_proxy::caddyfile(s)));
            }
            Kind::Traefik => {
                out.push_str(
                    "# Traefik static configuration for the proxy container\n\
                     # (/etc/traefik/traefik.yml). The routes are labels on the app service in\n\
                     # compose.yaml.\n",
                );
                out.push_str(&reverse_proxy::traefik_static_text(s, v.opt("acme_email")));
            }
        }
        out
    }

    fn compose_doc(v: &Valid<'_>, plan: &Plan, s: &Setup) -> Yaml {
        let kind = Self::kind(v);
        let inline = Self::inline(v);
        let svc = &s.service;
        let image = Self::image(v, plan);
        let mut app = Yaml::map();
        if image.is_empty() {
            app = app
                .comment(
                    "Your own code: built from the directory you run the deploy script in\n\
                     (the parent of this one), with its Dockerfile.",
                )
                .with("build", Yaml::str(".."));
        } else {
            app = app.with("image", Yaml::str(image));
        }
        app = app.with("restart", Yaml::str("unless-stopped"));
        let mut env = Yaml::map();
        let mut has_secret_file = false;
        for var in plan.deploy_env() {
            match &var.value {
                EnvValue::Literal(val) => env = env.with(var.name.clone(), Yaml::str(val.clone())),
                EnvValue::Secret(spec) if inline => {
                    env = env.with(
                        var.name.clone(),
                        Yaml::str(spec.value.clone().unwrap_or_default()),
                    );
                }
                EnvValue::Secret(_) => has_secret_file = true,
            }
        }
        app = app.comment(
            "Values are YAML strings; every $ is written $$ (Compose would interpolate it).",
        );
        app = app.with("environment", env);
        if has_secret_file {
            let names: Vec<&str> = plan
                .deploy_env()
                .filter(|e| e.is_secret())
                .map(|e| e.name.as_str())
                .collect();
            app = app
                .comment(format!(
                    "Secrets ({}) from {SECRETS_FILE}: mode 0600, written once by the deploy\n\
                     script, never in this file. (Compose secrets: would arrive as files under\n\
                     /run/secrets/, and the app reads these settings from environment variables.)",
                    names.join(", ")
                ))
                .with("env_file", Yaml::strs([format!("./{SECRETS_FILE}")]));
        }
        app = app.with("expose", Yaml::strs([plan.app.container_port.to_string()]));
        if s.replicas > 1 {
            app = app.with(
                "deploy",
                Yaml::map().with("replicas", Yaml::Int(i64::from(s.replicas))),
            );
        }
        if kind == Kind::Traefik {
            let mut labels = Yaml::map();
            for (k, val) in reverse_proxy::traefik_labels(s) {
                labels = labels.with(k, Yaml::str(val));
            }
            app = app
                .comment("Traefik's routes for this service (read through the Docker provider).");
            if s.websockets {
                app = app.comment(
                    "The -proto middleware sets X-Forwarded-Proto: https on every request: on\n\
                     websocket upgrades Traefik itself would send wss, which apps do not take\n\
                     for https.",
                );
            }
            app = app.with("labels", labels);
        }

        let mut ports: Vec<String> = Vec::new();
        let mut add_port = |p: String| {
            if !ports.contains(&p) {
                ports.push(p);
            }
        };
        add_port("80:80".to_owned());
        for site in &s.sites {
            add_port(format!("{0}:{0}", site.port));
        }
        if kind == Kind::Caddy {
            // HTTP/3 on the https ports (the image EXPOSEs 443/udp).
            for site in s.sites.iter().filter(|x| x.https) {
                add_port(format!("{0}:{0}/udp", site.port));
            }
        }
        let proxy_name = Self::proxy_service(kind);
        let file = Self::proxy_file(kind);
        let (image, volumes): (&str, Vec<String>) = match kind {
            Kind::Nginx => (
                IMAGE_NGINX,
                vec![
                    format!("./{file}:/etc/nginx/conf.d/default.conf:ro"),
                    "./letsencrypt:/etc/letsencrypt:ro".to_owned(),
                ],
            ),
            Kind::Caddy => (
                IMAGE_CADDY,
                vec![
                    format!("./{file}:/etc/caddy/Caddyfile:ro"),
                    "caddy_data:/data".to_owned(),
                    "caddy_config:/config".to_owned(),
                ],
            ),
            Kind::Traefik => (
                IMAGE_TRAEFIK,
                vec![
                    format!("./{file}:/etc/traefik/traefik.yml:ro"),
                    "/var/run/docker.sock:/var/run/docker.sock:ro".to_owned(),
                    "./letsencrypt:/letsencrypt".to_owned(),
                ],
            ),
        };
        let proxy = Yaml::map()
            .with("image", Yaml::str(image))
            .with("restart", Yaml::str("unless-stopped"))
            .with("ports", Yaml::strs(ports))
            .with("volumes", Yaml::strs(volumes))
            .with("depends_on", Yaml::strs([svc.clone()]));

        let mut doc = Yaml::map().with(
            "services",
            Yaml::map()
                .with(svc.clone(), app)
                .comment(format!(
                    "The reverse proxy: the only service with published ports ({}).",
                    kind.name()
                ))
                .with(proxy_name, proxy),
        );
        if kind == Kind::Caddy {
            doc = doc
                .comment("Caddy's certificates and state survive container re-creation.")
                .with(
                    "volumes",
                    Yaml::map()
                        .with("caddy_data", Yaml::map())
                        .with("caddy_config", Yaml::map()),
                );
        }
        doc
    }

    fn compose_text(v: &Valid<'_>, plan: &Plan, s: &Setup, header: &Header) -> String {
        let mut out = header.hash_comment("env");
        out.push_str(&format!(
            "# Docker Compose file for {} behind {}. The deploy script writes it as\n\
             # {}/compose.yaml.\n",
            plan.app_name,
            Self::kind(v).name(),
            s.service
        ));
        out.push_str(&Self::compose_doc(v, plan, s).render(Dialect::Compose));
        out
    }

    fn deploy_script(v: &Valid<'_>, plan: &Plan, s: &Setup, header: &Header) -> Script {
        let kind = Self::kind(v);
        let svc = &s.service;
        let inline = Self::inline(v);
        let secret_vars: Vec<&EnvVar> = plan.deploy_env().filter(|e| e.is_secret()).collect();
        let mut sc = Script::default();
        sc.raw("#!/usr/bin/env bash");
        for l in header.lines("deploy") {
            sc.comment(l);
        }
        sc.comment("");
        sc.comment(format!(
            "Deploys {} with Docker Compose behind {}, into the directory ./{svc}",
            plan.app_name,
            kind.name()
        ));
        sc.comment(format!(
            "(compose.yaml, {}{}). Run it on the Docker host, as a user allowed to run docker.",
            Self::proxy_file(kind),
            if !inline && !secret_vars.is_empty() {
                format!(", {SECRETS_FILE}")
            } else {
                String::new()
            }
        ));
        sc.comment(
            "Run it as a file (bash deploy.sh) or paste it into bash: the commands run in a",
        );
        sc.comment("subshell, so a failure stops the script and leaves your shell open.");
        if !inline && !secret_vars.is_empty() {
            super::secret_variables_comment(
                &mut sc,
                [
                    &format!(
                        "Secret values are read from these shell variables when {SECRETS_FILE} does not"
                    ),
                    "exist yet (export them first):",
                ],
                secret_vars.iter().copied(),
            );
        }
        sc.raw("(");
        sc.raw("set -euo pipefail");
        sc.cmd(vec![Word::lit("mkdir"), Word::lit("-p"), Word::lit(svc)]);
        sc.cmd(vec![Word::lit("cd"), Word::lit(svc)]);
        sc.raw(
            "if [ -e compose.yaml ] && ! grep -q '^# Generated by ProxyTrust' compose.yaml; then",
        );
        sc.raw(format!(
            "echo {} >&2",
            quote(&format!(
                "{svc}/compose.yaml exists and was not written by ProxyTrust: move it away first"
            ))
        ));
        sc.raw("exit 1");
        sc.raw("fi");
        sc.write_file("compose.yaml", &Self::compose_text(v, plan, s, header));
        sc.write_file(Self::proxy_file(kind), &Self::proxy_text(v, s, header));
        if !inline && !secret_vars.is_empty() {
            sc.blank();
            sc.comment(format!(
                "{SECRETS_FILE}: written once, readable by you only (umask 077). printf is a bash builtin,"
            ));
            sc.comment(
                "so no value appears in a process list. Delete the file to write new values.",
            );
            sc.raw(format!("if [ ! -e {SECRETS_FILE} ]; then"));
            sc.raw("check() {");
            sc.raw("local name=$1 value=$2");
            sc.raw(ENV_FILE_CHECK);
            sc.raw("}");
            for var in &secret_vars {
                let EnvValue::Secret(spec) = &var.value else {
                    continue;
                };
                let shell_var = format!("{}_VALUE", var.name);
                let local = var.name.to_ascii_lowercase();
                let expr = match spec.generate {
                    Some(g) => format!("\"${{{shell_var}:-$({} | tr -d '\\n')}}\"", g.openssl()),
                    None => format!(
                        "\"${{{shell_var}:?export {shell_var} first: {}}}\"",
                        spec.describe
                    ),
                };
                sc.comment(format!("{}: {}.", var.name, spec.describe));
                sc.raw(format!("{local}={expr}"));
                sc.raw(format!("check {} \"${local}\"", var.name));
            }
            sc.raw("(");
            sc.raw("umask 077");
            let mut fmt = String::new();
            let mut args = String::new();
            for var in &secret_vars {
                fmt.push_str(&format!("{}='%s'\\n", var.name));
                args.push_str(&format!(" \"${}\"", var.name.to_ascii_lowercase()));
            }
            sc.raw(format!("printf \"{fmt}\"{args} > {SECRETS_FILE}"));
            sc.raw(")");
            sc.raw("fi");
        }
        if kind == Kind::Nginx {
            let hosts = reverse_proxy::https_hosts(&s.sites);
            if !hosts.is_empty() {
                sc.blank();
                sc.comment(
                    "TLS certificate for nginx (once): certbot's standalone server answers Let's",
                );
                sc.comment(
                    "Encrypt's HTTP-01 challenge on port 80, so the proxy is stopped meanwhile. The",
                );
                sc.comment(format!(
                    "certificate lands in ./letsencrypt/live/{svc}/. Renew before it expires (90 days):"
                ));
                sc.comment(format!(
                    "  docker compose stop nginx; docker run --rm -p 80:80 -v \"$PWD/letsencrypt:/etc/letsencrypt\" {IMAGE_CERTBOT} renew; docker compose start nginx"
                ));
                sc.raw(format!(
                    "if [ ! -e letsencrypt/live/{svc}/fullchain.pem ]; then"
                ));
                sc.cmd_with(
                    None,
                    vec![
                        Word::lit("docker"),
                        Word::lit("compose"),
                        Word::lit("stop"),
                        Word::lit("nginx"),
                    ],
                    Some("2>/dev/null || true".to_owned()),
                );
                let mut argv = vec![
                    Word::lit("docker"),
                    Word::lit("run"),
                    Word::lit("--rm"),
                    Word::lit("-p"),
                    Word::lit("80:80"),
                    Word::lit("-v"),
                    Word::Raw("\"$PWD/letsencrypt:/etc/letsencrypt\"".to_owned()),
                    Word::lit(IMAGE_CERTBOT),
                    Word::lit("certonly"),
                    Word::lit("--standalone"),
                    Word::lit("--non-interactive"),
                    Word::lit("--agree-tos"),
                ];
                let email = v.opt("acme_email").trim();
                if email.is_empty() {
                    argv.push(Word::lit("--register-unsafely-without-email"));
                } else {
                    argv.push(Word::lit(format!("--email={email}")));
                }
                argv.push(Word::lit(format!("--cert-name={svc}")));
                for h in &hosts {
                    argv.push(Word::lit(format!("--domain={h}")));
                }
                sc.cmd(argv);
                sc.raw("fi");
            }
        }
        sc.blank();
        sc.comment("Check the file as Compose reads it, then start (or update) the services.");
        sc.cmd(vec![
            Word::lit("docker"),
            Word::lit("compose"),
            Word::lit("config"),
            Word::lit("--quiet"),
        ]);
        sc.cmd(Self::up_argv(v, plan));
        sc.comment(format!(
            "Compose does not notice a changed {}: restart the proxy so it reads it.",
            Self::proxy_file(kind)
        ));
        sc.cmd(vec![
            Word::lit("docker"),
            Word::lit("compose"),
            Word::lit("restart"),
            Word::lit(Self::proxy_service(kind)),
        ]);
        sc.raw(")");
        sc
    }

    fn up_argv(v: &Valid<'_>, plan: &Plan) -> Vec<Word> {
        let mut argv = vec![
            Word::lit("docker"),
            Word::lit("compose"),
            Word::lit("up"),
            Word::lit("--detach"),
        ];
        if Self::image(v, plan).is_empty() {
            argv.push(Word::lit("--build"));
        }
        argv
    }
}

impl Platform for Compose {
    fn id(&self) -> &'static str {
        "compose"
    }
    fn name(&self) -> &'static str {
        "Docker Compose"
    }
    fn summary(&self) -> &'static str {
        "One Docker host; nginx, Caddy or Traefik in front ends TLS and sets the forwarded headers"
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
        use crate::engine::diagnostics::set_option as set;
        let typed = v.opt("service").trim();
        if !typed.is_empty() && !service_name_ok(typed) {
            let fixed = sanitise_service(typed);
            diags.push(
                Diagnostic::new(
                    "DC001",
                    field::option("service"),
                    format!("Not a usable service name: {typed}"),
                )
                .with_fix(Fix::unsafe_(format!("Use {fixed}"), set("service", &fixed))),
            );
        }
        let svc = Self::service(v);
        let kind = Self::kind(v);
        if ["nginx", "caddy", "traefik"].contains(&svc.as_str()) {
            let other = format!("{svc}-app");
            diags.push(
                Diagnostic::new(
                    "DC002",
                    field::option("service"),
                    format!("The app service cannot be named like a proxy service: {svc}"),
                )
                .with_fix(Fix::unsafe_(format!("Use {other}"), set("service", &other))),
            );
        }
        let replicas = v.opt("max_instances").trim();
        if replicas.parse::<u32>() == Ok(0) {
            diags.push(
                Diagnostic::new(
                    "DC003",
                    field::option("max_instances"),
                    "No replicas: no app container would run",
                )
                .with_fix(Fix::unsafe_("Run one replica", set("max_instances", "1"))),
            );
        }
        if v.opt("session_affinity") == "yes" && Self::replicas(v) < 2 {
            diags.push(
                Diagnostic::new(
                    "DC004",
                    field::option("session_affinity"),
                    "Session affinity does nothing with one replica",
                )
                .with_fix(Fix::safe(
                    "Turn session affinity off",
                    set("session_affinity", "no"),
                )),
            );
        }
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "DC005",
                    field::option("secrets"),
                    "Secret values are written inline into compose.yaml",
                )
                .with_fix(Fix::unsafe_(
                    format!("Keep secrets in {SECRETS_FILE}"),
                    set("secrets", "env-file"),
                )),
            );
        }
        forwarded_port_check(v, kind, "DC006", diags);
    }

    fn injected(&self, _v: &Valid<'_>, _container_port: u16) -> Vec<EnvVar> {
        Vec::new()
    }

    fn inline_secrets(&self, v: &Valid<'_>) -> bool {
        Self::inline(v)
    }

    fn secret_reference(&self, v: &Valid<'_>, _var: &EnvVar) -> String {
        if Self::inline(v) {
            "(inline secret)".to_owned()
        } else {
            format!("{}/{SECRETS_FILE}", Self::service(v))
        }
    }

    fn deploy_command(&self, v: &Valid<'_>, plan: &Plan) -> Vec<String> {
        shell::unquoted(Self::up_argv(v, plan))
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        let s = Self::setup(v, plan);
        let kind = Self::kind(v);
        let inline = Self::inline(v);
        let inline_secret = inline
            && plan
                .env
                .iter()
                .any(|e| e.is_secret() && e.known_value().is_some());
        vec![
            Block {
                id: "env",
                title: "Compose file (compose.yaml)".to_owned(),
                language: "yaml",
                filename: "compose.yaml".to_owned(),
                content: Self::compose_text(v, plan, &s, header),
                contains_secret: inline_secret,
            },
            Block {
                id: "deploy",
                title: "Deploy script (docker compose)".to_owned(),
                language: "bash",
                filename: "deploy.sh".to_owned(),
                content: Self::deploy_script(v, plan, &s, header).render(),
                contains_secret: inline_secret,
            },
            Block {
                id: "proxy",
                title: format!("{} configuration ({})", kind.name(), Self::proxy_file(kind)),
                language: match kind {
                    Kind::Nginx => "nginx",
                    Kind::Caddy => "caddyfile",
                    Kind::Traefik => "yaml",
                },
                filename: Self::proxy_file(kind).to_owned(),
                content: Self::proxy_text(v, &s, header),
                contains_secret: false,
            },
        ]
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "DC001",
        severity: Error,
        name: "invalid-service-name",
        explanation: "What: the Compose service name has characters ProxyTrust does not use there.\n\
Why: the name is the Compose service, the project directory, the container's DNS name on the \
Compose network (the proxy reaches the app by it) and a Traefik router name; lower-case letters, \
digits and `-` are valid in all of them (compose-spec `05-services.md`: service names \
`[a-zA-Z0-9._-]+`; Traefik: `@` is not allowed in router names).\n\
Example: `Label Studio` -> `label-studio`.\n\
References: compose-spec 05-services.md; traefik docs routing/providers/docker.",
    },
    Code {
        code: "DC002",
        severity: Error,
        name: "service-name-clash",
        explanation: "What: the app service has the name of the proxy service.\n\
Why: compose.yaml has one service for the app and one named `nginx`, `caddy` or `traefik` for \
the proxy; two services cannot share a name.\n\
Example: `--set service=caddy` -> `caddy-app`.\n\
References: compose-spec 05-services.md (services are a mapping by name).",
    },
    Code {
        code: "DC003",
        severity: Error,
        name: "no-replicas",
        explanation: "What: the number of replicas is 0.\n\
Why: `deploy.replicas: 0` starts no app container; the proxy answers 502 to everything.\n\
Example: `--set max_instances=1`.\n\
References: compose-spec deploy.md (replicas).",
    },
    Code {
        code: "DC004",
        severity: Info,
        name: "affinity-without-replicas",
        explanation: "What: session affinity is on but only one app container runs.\n\
Why: affinity chooses between containers; with one there is nothing to choose, and the proxy \
configuration leaves it out.\n\
Example: `--set session_affinity=no`, or `--set max_instances=3`.\n\
References: shared/knowledge/platforms.md §4.2-4.4 (ip_hash, sticky cookie, lb_policy cookie).",
    },
    Code {
        code: "DC005",
        severity: Warning,
        name: "inline-secrets",
        explanation: "What: secret values are written into compose.yaml.\n\
Why: compose.yaml is the file people commit, paste into tickets and print with `docker compose \
config`. By default ProxyTrust keeps secrets in `secrets.env` beside it (mode 0600, written by the \
deploy script), loaded with `env_file:`. Compose `secrets:` are not used because they arrive as \
files under /run/secrets/, and these apps read their secrets from environment variables only.\n\
Example: `--set secrets=env-file`.\n\
References: compose-spec 05-services.md (env_file, secrets), 09-secrets.md.",
    },
    Code {
        code: "DC006",
        severity: Info,
        name: "no-forwarded-port-from-caddy",
        explanation: "What: an extra variable tells the app to read X-Forwarded-Port, but Caddy does not \
send that header.\n\
Why: Caddy's reverse_proxy sets X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host only; \
the app falls back to its own listening port. The public port is already in the Host header \
Caddy passes through, which is what CSRF origin checks use.\n\
Example: remove `USE_X_FORWARDED_PORT=true`, or choose nginx or Traefik.\n\
References: caddyserver/caddy modules/caddyhttp/reverseproxy/reverseproxy.go addForwardedHeaders; \
shared/knowledge/platforms.md §4.4 and Pitfalls 10.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(service_name_ok("label-studio"));
        assert!(!service_name_ok("Label Studio"));
        assert!(!service_name_ok("-x"));
        assert_eq!(sanitise_service("Label Studio!"), "label-studio");
        assert_eq!(sanitise_service("!!"), "app");
        assert!(service_name_ok(&sanitise_service("--Ü--")));
    }
}
