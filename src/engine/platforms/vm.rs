//! A plain VM (Debian/Ubuntu) with systemd, and nginx or Caddy in front (option `proxy`).
//!
//! Facts used here (shared/knowledge/platforms.md §10, §11, "Pitfalls" 17-18; the proxies' own
//! facts are in [`super::reverse_proxy`]):
//! * The app runs as a systemd service. Its settings are in an `EnvironmentFile=`
//!   (`/etc/<service>/environment`); the file format (`render/systemd.rs`) takes the POSIX
//!   single-quoted form, so any value is exact, and `%` / `$` mean nothing there (unlike in
//!   `Environment=` lines, where `%` is a specifier) (systemd `man/systemd.exec.xml`
//!   "EnvironmentFile=", `src/basic/env-file.c`).
//! * Secrets are in a second `EnvironmentFile=`, `/etc/<service>/secrets`, mode 0600 and owned by
//!   root: the service manager reads environment files itself, as root, before it starts the
//!   process ("read ... from the file system of the service manager"), so the app gets the values
//!   and no other user can read them. `Environment=` is not used for secrets because its values
//!   are readable by unprivileged clients over D-Bus (systemd.exec, "Environment="). systemd
//!   recommends `LoadCredential=` for secrets, but these apps read their secrets from environment
//!   variables only, never from a credentials directory.
//! * By default the app runs in its container image with Docker, under systemd:
//!   `docker run --rm --name S -p 127.0.0.1:PORT:PORT -e NAME ... IMAGE`. `-e NAME` without a value
//!   passes the value the variable has in the docker client's own environment, which systemd set
//!   from the environment files, so no value is on a command line (docker/cli
//!   `docs/reference/commandline/container_run.md`, "--env"). Option `exec_start` runs your own
//!   command instead, with `DynamicUser=yes` and a `StateDirectory=`.
//! * Only the proxy is public; the app listens on 127.0.0.1.
//! * Certificates: Caddy gets them itself. For nginx, certbot (Debian package) runs once in
//!   standalone mode with `--pre-hook 'systemctl stop nginx' --post-hook 'systemctl start nginx'`;
//!   certbot stores those hooks for its renewal timer (certbot `docs/using.rst`, "Renewing
//!   certificates").
//! * nginx on Debian includes `/etc/nginx/sites-enabled/*` inside `http { }` and its default site
//!   listens on `[::]` too; the Debian `caddy` package runs `/etc/caddy/Caddyfile`.

use crate::engine::Valid;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvValue, EnvVar, Plan};
use crate::engine::render::shell::{self, Script, Word, quote};
use crate::engine::render::systemd::{self, UnitLine};
use crate::engine::render::{Block, Header, caddy, nginx};

use super::Platform;
use super::compose::{forwarded_port_check, sanitise_service, service_name_ok};
use super::reverse_proxy::{self, Kind, Setup};

pub struct Vm;

const PROXIES: &[(&str, &str)] = &[
    ("caddy", "Caddy (automatic HTTPS)"),
    ("nginx", "nginx (certificates from certbot)"),
];
const SECRET_MODES: &[(&str, &str)] = &[
    ("file", "/etc/SERVICE/secrets, mode 0600 (recommended)"),
    ("inline", "Inline in the environment file"),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "proxy",
        label: "Reverse proxy",
        help: "The web server in front of the app: it ends TLS and sets the forwarded headers",
        kind: OptionKind::Choice(PROXIES),
        default: "caddy",
    },
    OptionSpec {
        key: "service",
        label: "Service name",
        help: "systemd unit and /etc directory name: lower-case letters, digits and -; empty: the app's id",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image for the chosen version (for your own code: built from the current directory's Dockerfile)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "exec_start",
        label: "Run command instead",
        help: "Your own command line (systemd ExecStart= syntax) instead of the container; it must listen on 127.0.0.1 and the port below",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "port",
        label: "Local port",
        help: "The port the app listens on, on 127.0.0.1; empty: the app's own port",
        kind: OptionKind::Integer,
        default: "",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where secret values live",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "file",
    },
    OptionSpec {
        key: "acme_email",
        label: "Let's Encrypt e-mail",
        help: "Optional contact address for certbot's account (nginx); Caddy needs none",
        kind: OptionKind::Email,
        default: "",
    },
];

impl Vm {
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
        match Kind::from_option(v.opt("proxy")) {
            Kind::Nginx => Kind::Nginx,
            _ => Kind::Caddy,
        }
    }

    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }

    fn exec_start<'a>(v: &'a Valid<'_>) -> Option<&'a str> {
        let e = v.opt("exec_start").trim();
        (!e.is_empty()).then_some(e)
    }

    fn port(v: &Valid<'_>, plan: &Plan) -> u16 {
        v.opt("port")
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .unwrap_or(plan.app.container_port)
    }

    fn image(v: &Valid<'_>, plan: &Plan) -> String {
        let i = v.opt("image").trim();
        if !i.is_empty() {
            i.to_owned()
        } else if plan.app.image.is_empty() {
            format!("{}:local", Self::service(v))
        } else {
            plan.app.image.clone()
        }
    }

    /// Your own code without an image: `docker build` from the current directory.
    fn builds_locally(v: &Valid<'_>, plan: &Plan) -> bool {
        Self::exec_start(v).is_none()
            && v.opt("image").trim().is_empty()
            && plan.app.image.is_empty()
    }

    fn dir(v: &Valid<'_>) -> String {
        format!("/etc/{}", Self::service(v))
    }

    fn setup(v: &Valid<'_>, plan: &Plan) -> Setup {
        let service = Self::service(v);
        Setup {
            cert_dir: format!("/etc/letsencrypt/live/{service}"),
            service,
            sites: reverse_proxy::sites(&v.origins),
            upstream_host: "127.0.0.1".to_owned(),
            upstream_port: Self::port(v, plan),
            replicas: 1,
            sticky: false,
            websockets: v.app.websockets(),
            ipv6: true,
        }
    }

    fn env_text(v: &Valid<'_>, plan: &Plan, header: &Header) -> String {
        let dir = Self::dir(v);
        let inline = Self::inline(v);
        let mut out = header.hash_comment("env");
        out.push_str(&format!(
            "# systemd EnvironmentFile for {}: {dir}/environment. One NAME=value per line;\n\
             # values are in single quotes, where systemd takes every character literally.\n",
            plan.app_name
        ));
        let secrets: Vec<&EnvVar> = plan.deploy_env().filter(|e| e.is_secret()).collect();
        if !inline && !secrets.is_empty() {
            out.push_str(&format!(
                "# Secrets are not in this file but in {dir}/secrets (mode 0600, written by the\n\
                 # deploy script): {}.\n",
                secrets
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for var in plan.deploy_env() {
            match &var.value {
                EnvValue::Literal(val) => out.push_str(&systemd::env_line(&var.name, val)),
                EnvValue::Secret(spec) if inline => out.push_str(&systemd::env_line(
                    &var.name,
                    spec.value.as_deref().unwrap_or(""),
                )),
                EnvValue::Secret(_) => {}
            }
        }
        out
    }

    fn unit_text(v: &Valid<'_>, plan: &Plan, header: &Header) -> String {
        let svc = Self::service(v);
        let dir = Self::dir(v);
        let port = Self::port(v, plan);
        let has_secret_file = !Self::inline(v) && plan.deploy_env().any(EnvVar::is_secret);
        let mut unit = vec![UnitLine::Set(
            "Description",
            systemd::escape_specifiers(&format!("{} (generated by ProxyTrust)", plan.app_name)),
        )];
        unit.push(UnitLine::Set("Wants", "network-online.target".to_owned()));
        let mut service = vec![
            UnitLine::Comment(
                "Settings, then secrets (root-only file): systemd reads both before starting the app."
                    .to_owned(),
            ),
            UnitLine::Set("EnvironmentFile", format!("{dir}/environment")),
        ];
        if has_secret_file {
            service.push(UnitLine::Set("EnvironmentFile", format!("{dir}/secrets")));
        }
        match Self::exec_start(v) {
            Some(cmd) => {
                unit.push(UnitLine::Set("After", "network-online.target".to_owned()));
                service.push(UnitLine::Comment(format!(
                    "Your command; it must listen on 127.0.0.1:{port}."
                )));
                service.push(UnitLine::Set("ExecStart", cmd.to_owned()));
                service.push(UnitLine::Set("DynamicUser", "yes".to_owned()));
                service.push(UnitLine::Set("StateDirectory", svc.clone()));
                service.push(UnitLine::Set("WorkingDirectory", format!("/var/lib/{svc}")));
            }
            None => {
                unit.push(UnitLine::Set(
                    "After",
                    "network-online.target docker.service".to_owned(),
                ));
                unit.push(UnitLine::Set("Requires", "docker.service".to_owned()));
                service.push(UnitLine::Comment(
                    "The container gets each variable by name (-e NAME): docker copies the value\n\
                     from its own environment, so no value is on the command line."
                        .to_owned(),
                ));
                service.push(UnitLine::Set(
                    "ExecStartPre",
                    format!("-/usr/bin/docker rm --force {svc}"),
                ));
                let mut words = vec![
                    "/usr/bin/docker".to_owned(),
                    "run".to_owned(),
                    "--rm".to_owned(),
                    "--name".to_owned(),
                    svc.clone(),
                    "--publish".to_owned(),
                    format!("127.0.0.1:{port}:{}", plan.app.container_port),
                ];
                for var in plan.deploy_env() {
                    words.push("--env".to_owned());
                    words.push(var.name.clone());
                }
                words.push(Self::image(v, plan));
                service.push(UnitLine::Set(
                    "ExecStart",
                    words
                        .iter()
                        .map(|w| systemd::exec_word(w))
                        .collect::<Vec<_>>()
                        .join(" "),
                ));
                service.push(UnitLine::Set(
                    "ExecStop",
                    format!("/usr/bin/docker stop {svc}"),
                ));
            }
        }
        service.push(UnitLine::Set("Restart", "on-failure".to_owned()));
        service.push(UnitLine::Set("RestartSec", "5".to_owned()));
        let mut out = header.hash_comment("unit");
        out.push_str(&format!(
            "# systemd unit for {}: /etc/systemd/system/{svc}.service\n",
            plan.app_name
        ));
        out.push_str(&systemd::render_unit(&[
            ("Unit", unit),
            ("Service", service),
            (
                "Install",
                vec![UnitLine::Set("WantedBy", "multi-user.target".to_owned())],
            ),
        ]));
        out
    }

    fn proxy_file(v: &Valid<'_>) -> String {
        match Self::kind(v) {
            Kind::Nginx => format!("{}.nginx.conf", Self::service(v)),
            _ => "Caddyfile".to_owned(),
        }
    }

    fn proxy_text(v: &Valid<'_>, s: &Setup, header: &Header) -> String {
        let mut out = header.hash_comment("proxy");
        match Self::kind(v) {
            Kind::Nginx => {
                out.push_str(&format!(
                    "# nginx site: /etc/nginx/sites-available/{0}.conf, enabled by a link in\n\
                     # /etc/nginx/sites-enabled/ (included inside http {{ }}).\n",
                    s.service
                ));
                out.push_str(&nginx::render(&reverse_proxy::nginx(s)));
            }
            _ => {
                out.push_str(
                    "# Caddyfile: /etc/caddy/Caddyfile (the deploy script keeps a copy of the one it\n\
                     # replaces). On a machine that serves other sites, merge this site block into\n\
                     # your Caddyfile instead.\n",
                );
                out.push_str(&caddy::render(&reverse_proxy::caddyfile(s)));
            }
        }
        out
    }

    fn deploy_script(v: &Valid<'_>, plan: &Plan, s: &Setup, header: &Header) -> Script {
        let kind = Self::kind(v);
        let svc = &s.service;
        let dir = Self::dir(v);
        let inline = Self::inline(v);
        let secret_vars: Vec<&EnvVar> = plan.deploy_env().filter(|e| e.is_secret()).collect();
        let container = Self::exec_start(v).is_none();
        let mut sc = Script::default();
        sc.raw("#!/usr/bin/env bash");
        for l in header.lines("deploy") {
            sc.comment(l);
        }
        sc.comment("");
        sc.comment(format!(
            "Installs {} on this machine as the systemd service {svc}, behind {}.",
            plan.app_name,
            kind.name()
        ));
        sc.comment(
            "Run it as root on Debian 12 or Ubuntu 24.04 (sudo bash deploy.sh), or paste it into a",
        );
        sc.comment("root shell: the commands run in a subshell, so a failure stops the script.");
        if Self::builds_locally(v, plan) {
            sc.comment(
                "Run it in your project's directory: the image is built from its Dockerfile.",
            );
        }
        if !inline && !secret_vars.is_empty() {
            super::secret_variables_comment(
                &mut sc,
                [
                    &format!(
                        "Secret values are read from these shell variables when {dir}/secrets does not"
                    ),
                    "exist yet (export them first):",
                ],
                secret_vars.iter().copied(),
            );
        }
        sc.raw("(");
        sc.raw("set -euo pipefail");
        sc.raw("if [ \"$(id -u)\" -ne 0 ]; then echo 'Run this as root (sudo bash deploy.sh)' >&2; exit 1; fi");
        let mut packages = vec!["openssl"];
        if container {
            packages.push("docker.io");
        }
        match kind {
            Kind::Nginx => packages.extend(["nginx", "certbot"]),
            _ => packages.push("caddy"),
        }
        sc.raw("export DEBIAN_FRONTEND=noninteractive");
        sc.cmd(vec![Word::lit("apt-get"), Word::lit("update")]);
        let mut argv = vec![
            Word::lit("apt-get"),
            Word::lit("install"),
            Word::lit("--yes"),
            Word::lit("--no-install-recommends"),
        ];
        argv.extend(packages.iter().map(|p| Word::lit(*p)));
        sc.cmd(argv);
        sc.blank();
        sc.comment("Settings (the env block).");
        sc.cmd(vec![
            Word::lit("install"),
            Word::lit("-d"),
            Word::lit("-m"),
            Word::lit("0755"),
            Word::lit(&dir),
        ]);
        let env_mode = if inline && !secret_vars.is_empty() {
            "0600"
        } else {
            "0644"
        };
        let env_path = format!("{dir}/environment");
        sc.cmd(vec![
            Word::lit("install"),
            Word::lit("-m"),
            Word::lit(env_mode),
            Word::lit("/dev/null"),
            Word::lit(&env_path),
        ]);
        sc.write_file(&quote(&env_path), &Self::env_text(v, plan, header));
        if !inline && !secret_vars.is_empty() {
            let path = format!("{dir}/secrets");
            sc.blank();
            sc.comment(format!(
                "Secrets: {path}, written once, root only (umask 077). Values are single-quoted for"
            ));
            sc.comment(
                "systemd (' written '\"'\"'); printf is a bash builtin, so no value appears in a",
            );
            sc.comment("process list. Delete the file to write new values.");
            sc.raw(format!("if [ ! -e {} ]; then", quote(&path)));
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
            }
            sc.comment("Each ' in a value is written '\"'\"' (end quote, quoted ', reopen).");
            sc.raw("sq=\"'\" q=\"'\\\"'\\\"'\"");
            sc.raw("(");
            sc.raw("umask 077");
            let mut fmt = String::new();
            let mut args = String::new();
            for var in &secret_vars {
                fmt.push_str(&format!("{}='%s'\\n", var.name));
                let local = var.name.to_ascii_lowercase();
                args.push_str(&format!(" \"${{{local}//$sq/$q}}\""));
            }
            sc.raw(format!("printf \"{fmt}\"{args} > {}", quote(&path)));
            sc.raw(")");
            sc.raw("fi");
        }
        sc.blank();
        sc.comment(format!(
            "The service (the unit block): /etc/systemd/system/{svc}.service."
        ));
        sc.write_file(
            &quote(&format!("/etc/systemd/system/{svc}.service")),
            &Self::unit_text(v, plan, header),
        );
        if Self::builds_locally(v, plan) {
            sc.cmd(vec![
                Word::lit("docker"),
                Word::lit("build"),
                Word::lit("--tag"),
                Word::lit(Self::image(v, plan)),
                Word::lit("."),
            ]);
        } else if container {
            sc.cmd(vec![
                Word::lit("docker"),
                Word::lit("pull"),
                Word::lit(Self::image(v, plan)),
            ]);
        }
        sc.cmd(vec![Word::lit("systemctl"), Word::lit("daemon-reload")]);
        sc.cmd(vec![
            Word::lit("systemctl"),
            Word::lit("enable"),
            Word::lit(format!("{svc}.service")),
        ]);
        sc.cmd(Self::restart_argv(v));
        sc.blank();
        match kind {
            Kind::Nginx => {
                let hosts = reverse_proxy::https_hosts(&s.sites);
                if !hosts.is_empty() {
                    sc.comment("TLS certificate (once): certbot's standalone server answers Let's Encrypt on");
                    sc.comment("port 80 while nginx is stopped; certbot keeps these hooks for its renewal timer.");
                    sc.raw(format!(
                        "if [ ! -e /etc/letsencrypt/live/{svc}/fullchain.pem ]; then"
                    ));
                    let mut argv = vec![
                        Word::lit("certbot"),
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
                    argv.push(Word::lit("--pre-hook=systemctl stop nginx"));
                    argv.push(Word::lit("--post-hook=systemctl start nginx"));
                    sc.cmd(argv);
                    sc.raw("fi");
                }
                let site = format!("/etc/nginx/sites-available/{svc}.conf");
                sc.comment("The nginx site (the proxy block), enabled, checked, then loaded.");
                sc.write_file(&quote(&site), &Self::proxy_text(v, s, header));
                sc.cmd(vec![
                    Word::lit("ln"),
                    Word::lit("-sf"),
                    Word::lit(&site),
                    Word::lit(format!("/etc/nginx/sites-enabled/{svc}.conf")),
                ]);
                sc.cmd(vec![Word::lit("nginx"), Word::lit("-t")]);
                sc.cmd(vec![
                    Word::lit("systemctl"),
                    Word::lit("reload"),
                    Word::lit("nginx"),
                ]);
            }
            _ => {
                sc.comment("The Caddyfile (the proxy block); the one it replaces is kept once as");
                sc.comment("/etc/caddy/Caddyfile.before-proxytrust. Checked, then loaded.");
                sc.raw("if [ -e /etc/caddy/Caddyfile ] && ! grep -q '^# Generated by ProxyTrust' /etc/caddy/Caddyfile; then");
                sc.cmd(vec![
                    Word::lit("cp"),
                    Word::lit("-n"),
                    Word::lit("/etc/caddy/Caddyfile"),
                    Word::lit("/etc/caddy/Caddyfile.before-proxytrust"),
                ]);
                sc.raw("fi");
                sc.write_file("/etc/caddy/Caddyfile", &Self::proxy_text(v, s, header));
                sc.cmd(vec![
                    Word::lit("caddy"),
                    Word::lit("validate"),
                    Word::lit("--config"),
                    Word::lit("/etc/caddy/Caddyfile"),
                    Word::lit("--adapter"),
                    Word::lit("caddyfile"),
                ]);
                sc.cmd(vec![
                    Word::lit("systemctl"),
                    Word::lit("reload"),
                    Word::lit("caddy"),
                ]);
            }
        }
        sc.raw(")");
        sc
    }

    fn restart_argv(v: &Valid<'_>) -> Vec<Word> {
        vec![
            Word::lit("systemctl"),
            Word::lit("restart"),
            Word::lit(format!("{}.service", Self::service(v))),
        ]
    }
}

impl Platform for Vm {
    fn id(&self) -> &'static str {
        "vm"
    }
    fn name(&self) -> &'static str {
        "VM with systemd"
    }
    fn summary(&self) -> &'static str {
        "One Linux VM: the app as a systemd service, nginx or Caddy in front ending TLS"
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
                    "VM001",
                    field::option("service"),
                    format!("Not a usable service name: {typed}"),
                )
                .with_fix(Fix::unsafe_(format!("Use {fixed}"), set("service", &fixed))),
            );
        }
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "VM002",
                    field::option("secrets"),
                    "Secret values are written inline into the environment file",
                )
                .with_fix(Fix::unsafe_(
                    "Keep secrets in the root-only secrets file",
                    set("secrets", "file"),
                )),
            );
        }
        let port = v.opt("port").trim();
        if !port.is_empty() && port.parse::<u16>().map_or(true, |p| p == 0) {
            diags.push(
                Diagnostic::new(
                    "VM003",
                    field::option("port"),
                    format!("Not a TCP port (1-65535): {port}"),
                )
                .with_fix(Fix::unsafe_("Use the app's own port", set("port", ""))),
            );
        }
        if let Ok(p) = port.parse::<u16>() {
            let public: Vec<u16> = reverse_proxy::sites(&v.origins)
                .iter()
                .map(|s| s.port)
                .chain([80, 443])
                .collect();
            if public.contains(&p) {
                diags.push(
                    Diagnostic::new(
                        "VM006",
                        field::option("port"),
                        format!("The app cannot listen on the proxy's port: {p}"),
                    )
                    .with_fix(Fix::unsafe_("Use the app's own port", set("port", ""))),
                );
            }
        }
        if Self::exec_start(v).is_some() && !v.opt("image").trim().is_empty() {
            diags.push(
                Diagnostic::new(
                    "VM004",
                    field::option("image"),
                    "The image is not used: your own command runs instead",
                )
                .with_fix(Fix::safe("Clear the image", set("image", ""))),
            );
        }
        forwarded_port_check(v, Self::kind(v), "VM005", diags);
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
            format!("{}/secrets", Self::dir(v))
        }
    }

    fn deploy_command(&self, v: &Valid<'_>, _plan: &Plan) -> Vec<String> {
        shell::unquoted(Self::restart_argv(v))
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        let s = Self::setup(v, plan);
        let kind = Self::kind(v);
        let inline_secret = Self::inline(v)
            && plan
                .env
                .iter()
                .any(|e| e.is_secret() && e.known_value().is_some());
        vec![
            Block {
                id: "env",
                title: "Environment (systemd EnvironmentFile)".to_owned(),
                language: "systemd",
                filename: "environment".to_owned(),
                content: Self::env_text(v, plan, header),
                contains_secret: inline_secret,
            },
            Block {
                id: "deploy",
                title: "Deploy script (systemd)".to_owned(),
                language: "bash",
                filename: "deploy.sh".to_owned(),
                content: Self::deploy_script(v, plan, &s, header).render(),
                contains_secret: inline_secret,
            },
            Block {
                id: "unit",
                title: format!("systemd unit ({}.service)", s.service),
                language: "systemd",
                filename: format!("{}.service", s.service),
                content: Self::unit_text(v, plan, header),
                contains_secret: false,
            },
            Block {
                id: "proxy",
                title: format!("{} configuration ({})", kind.name(), Self::proxy_file(v)),
                language: match kind {
                    Kind::Nginx => "nginx",
                    _ => "caddyfile",
                },
                filename: Self::proxy_file(v),
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
        code: "VM001",
        severity: Error,
        name: "invalid-service-name",
        explanation: "What: the service name has characters ProxyTrust does not use there.\n\
Why: the name becomes the systemd unit (`NAME.service`), the directory `/etc/NAME`, the container \
name and names inside the nginx configuration; lower-case letters, digits and `-` are valid in all \
of them (systemd.unit: unit names are ASCII letters, digits, `:-_.\\`).\n\
Example: `Label Studio` -> `label-studio`.\n\
References: systemd man/systemd.unit.xml (unit names).",
    },
    Code {
        code: "VM002",
        severity: Warning,
        name: "inline-secrets",
        explanation: "What: secret values are written into the environment file with the settings.\n\
Why: by default ProxyTrust keeps them in a second EnvironmentFile, /etc/SERVICE/secrets, mode \
0600 owned by root; systemd reads it as root before the app starts, so only the app gets the \
values. Inline, they are in the file you copy around and in the deploy script. (`Environment=` \
lines are worse still: unprivileged users can read them over D-Bus.)\n\
Example: `--set secrets=file`.\n\
References: systemd man/systemd.exec.xml (Environment=, EnvironmentFile=, LoadCredential=).",
    },
    Code {
        code: "VM003",
        severity: Error,
        name: "invalid-port",
        explanation: "What: the local port is not a TCP port.\n\
Why: the app listens on 127.0.0.1:PORT and the proxy forwards there; TCP ports are 1 to 65535.\n\
Example: `--set port=8080`, or leave it empty for the app's own port.\n\
References: RFC 793 (16-bit port numbers).",
    },
    Code {
        code: "VM004",
        severity: Info,
        name: "image-unused",
        explanation: "What: both a container image and your own command are set.\n\
Why: with a command (`exec_start`) systemd runs that command directly and Docker is not used, so \
the image is ignored.\n\
Example: clear `image`, or clear `exec_start` to run the image.\n\
References: systemd man/systemd.service.xml (ExecStart=).",
    },
    Code {
        code: "VM005",
        severity: Info,
        name: "no-forwarded-port-from-caddy",
        explanation: "What: an extra variable tells the app to read X-Forwarded-Port, but Caddy does not \
send that header.\n\
Why: Caddy's reverse_proxy sets X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host only; \
the app falls back to its own listening port. The public port is already in the Host header \
Caddy passes through, which is what CSRF origin checks use.\n\
Example: remove `USE_X_FORWARDED_PORT=true`, or choose nginx.\n\
References: caddyserver/caddy modules/caddyhttp/reverseproxy/reverseproxy.go addForwardedHeaders; \
shared/knowledge/platforms.md §4.4 and Pitfalls 10.",
    },
    Code {
        code: "VM006",
        severity: Error,
        name: "port-taken-by-proxy",
        explanation: "What: the app's local port is a port the proxy listens on.\n\
Why: nginx and Caddy listen on 80, 443 and every port in the public URLs, on all addresses; the \
app (on 127.0.0.1) and the proxy cannot both bind it, so one of them fails to start.\n\
Example: `--set port=8080`, or leave it empty for the app's own port.\n\
References: nginx `listen`, Caddy site addresses; shared/knowledge/platforms.md §10.",
    },
];
