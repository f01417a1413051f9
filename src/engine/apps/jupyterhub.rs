//! JupyterHub (jupyterhub/jupyterhub): the Hub, its configurable-http-proxy, and the single-user
//! servers it spawns.
//!
//! What matters behind a TLS-terminating front end (Cloud Run, a load balancer, an ingress):
//! * XSRF: since 4.0 the Hub checks an `_xsrf` token on every cookie-authenticated request that is
//!   not a read-only navigation (`jupyterhub/_xsrf_utils.py::_needs_check_xsrf`,
//!   `check_xsrf_cookie`). The token comes from the `_xsrf` argument or the `X-XSRFToken` /
//!   `X-CSRFToken` header. Requests authenticated with `Authorization: token <t>` (or `bearer`)
//!   are marked `_token_authenticated` and skip the check, on the Hub
//!   (`handlers/base.py::get_current_user_token`, regex `^(?:token|bearer)\s+([^\s]+)$`) and on
//!   single-user servers (`services/auth.py::HubOAuth.check_xsrf_cookie`). That is the legitimate
//!   path for scripts and extensions.
//! * Login behind several front-end addresses: before login the token is bound to an anonymous id,
//!   a hash of the client IP and `User-Agent` (`_anonymous_xsrf_id`). When the address the Hub sees
//!   changes between the login page and the POST (load-balancer replicas that do not forward the
//!   client IP), the login fails with `XSRF cookie does not match POST argument`. From 5.3.0
//!   `JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS` (`;`-separated networks) collapses addresses
//!   (#4991; docs/source/faq/troubleshooting.md). The Hub's HTTP server runs with `xheaders=True`
//!   and `trusted_downstream=trusted_downstream_ips` (app.py), and configurable-http-proxy in front
//!   of it appends its own peer to `X-Forwarded-For` (http-proxy-3 `web-incoming.js` XHeaders, the
//!   proxy in the official image, configurable-http-proxy 5.1.0), so the Hub sees that peer.
//! * `public_url` (5.0.0+, #4479): skips detecting the protocol from requests; an https
//!   `public_url` marks the Hub's cookies `Secure` (`handlers/base.py::_set_cookie`). Without it
//!   the flag follows `request.protocol`, which Tornado takes from the *last* `X-Forwarded-Proto`
//!   entry (`tornado/httpserver.py::_apply_xheaders`) and configurable-http-proxy appends `,http`
//!   to it. `tornado_settings["cookie_options"]` is merged into every Hub cookie and is the default
//!   for the `_xsrf` cookie (app.py `init_tornado_settings`), in 4.1 as in 5.x.
//! * `bind_url` (`http://:8000` by default): where the proxy listens. One Hub process only: the Hub
//!   owns its database and its proxy's routing table (jupyterhub#1932).
//! * Versions: 4.1.0-4.1.2 ignore the single-user `disable_check_xsrf` setting (fixed in 4.1.3,
//!   #4753); 5.4.5 fixed a CSRF vulnerability (CVE-2026-40864) and 5.4.6 its regression (#5380),
//!   so anything older than 5.4.6 lacks it (the 4.1 line ends at 4.1.6). `?token=` in URLs is
//!   ignored by default from 5.0 (`JUPYTERHUB_ALLOW_TOKEN_IN_URL`). Failed logins answer 403 from
//!   5.3.0 (handlers/login.py).
//! * Cookie secret: `JPY_COOKIE_SECRET` is decoded with `binascii.a2b_hex` (app.py `init_secrets`),
//!   so it must be hex; 32 bytes (`cookie_secret` help: "exactly 256 bits").
//! * Image: `quay.io/jupyterhub/jupyterhub:<version>` runs `jupyterhub` in `/srv/jupyterhub` and
//!   reads `jupyterhub_config.py` there; it has the Hub and configurable-http-proxy only, no
//!   single-user server (jupyterhub/jupyterhub-container-images `base/Dockerfile`, README).
//!
//! References: shared/knowledge/seed-systems.md §2 (knobs, changelog, errors), §7, §10.2 (where the
//! seed write-up is wrong); jupyterhub tags 4.1.1, 4.1.3, 4.1.6, 5.0.0, 5.3.0, 5.4.6, 5.5.1 and the
//! 6.1.1 wheel; tests/e2e_jupyter.rs runs the real packages.

use crate::engine::Valid;
use crate::engine::diagnose::Signature;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, FieldEdit, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{AppPlan, EnvVar, Reason, SecretGen, SecretSpec, Snippet};
use crate::engine::render::python::str_literal;
use crate::engine::render::shell::{Script, quote};
use crate::engine::version::Version;

use super::App;

pub struct JupyterHub;

/// Versions read (tags of jupyterhub/jupyterhub; 6.1.1 from its PyPI wheel), newest first.
static VERSIONS: &[&str] = &[
    "6.1.1", "5.5.1", "5.4.6", "5.3.0", "5.0.0", "4.1.6", "4.1.3", "4.1.1",
];

/// XSRF tokens replaced header checks in 4.0.0 (#4032); ProxyTrust read 4.1.1 and newer.
const OLDEST_READ: Version = Version::new(4, 1, 0);
/// 4.1.0-4.1.2: `HubOAuth.check_xsrf_cookie` ignores `disable_check_xsrf` (#4752, fixed by #4753).
const DISABLE_XSRF_RESPECTED_FROM: Version = Version::new(4, 1, 3);
/// 5.4.5 fixed CVE-2026-40864, 5.4.6 its regression (#5380): recommend >= 5.4.6.
const CSRF_FIX_FROM: Version = Version::new(5, 4, 6);
/// `JupyterHub.public_url` (#4479) and `allow_token_in_url=False` by default.
const PUBLIC_URL_FROM: Version = Version::new(5, 0, 0);
/// `$JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS` (#4991) and the login-form XSRF message (#5022).
const ANON_CIDRS_FROM: Version = Version::new(5, 3, 0);

/// The container port: `bind_url` default `http://:8000`, the image's `EXPOSE 8000`.
const PORT: u16 = 8000;

/// Every address, IPv4 and IPv6: configurable-http-proxy listening on all interfaces reports IPv4
/// peers as IPv4-mapped IPv6 (`::ffff:a.b.c.d`), which `0.0.0.0/0` alone does not contain.
const CIDRS_ALL: &str = "0.0.0.0/0;::/0";
/// The private networks of JupyterHub's troubleshooting FAQ, and the same networks as
/// IPv4-mapped IPv6 (how configurable-http-proxy on all interfaces reports IPv4 peers).
const CIDRS_PRIVATE: &str = "10.0.0.0/8;172.16.0.0/12;192.168.0.0/16;::ffff:10.0.0.0/104;::ffff:172.16.0.0/108;::ffff:192.168.0.0/112";

const SRC_XSRF: &str = "jupyterhub/_xsrf_utils.py _needs_check_xsrf, check_xsrf_cookie (5.5.1, 6.1.1); \
handlers/base.py get_current_user_token; seed-systems.md §2.2";
const SRC_CIDRS: &str = "jupyterhub/_xsrf_utils.py _get_anonymous_ip_cidrs, _anonymous_xsrf_id (5.3.0+); \
docs/source/faq/troubleshooting.md \"403 Forbidden XSRF cookie does not match POST\"; #4991; \
seed-systems.md §2.1-2.2";
const SRC_PUBLIC_URL: &str = "jupyterhub/app.py public_url (5.0.0+, #4479), handlers/base.py _set_cookie; \
tornado/httpserver.py _apply_xheaders (last X-Forwarded-Proto entry); http-proxy-3 1.21.1 \
web-incoming.js XHeaders (configurable-http-proxy 5.1.0); seed-systems.md §2.1, §2.5";
const SRC_SECRET: &str = "jupyterhub/app.py cookie_secret (env JPY_COOKIE_SECRET), init_secrets (binascii.a2b_hex); \
seed-systems.md §2.1";

const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];
const XSRF_IP: &[(&str, &str)] = &[
    (
        "ignore",
        "Ignore the client address at login (JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS=0.0.0.0/0;::/0)",
    ),
    (
        "private",
        "Treat private networks as one address (10/8, 172.16/12, 192.168/16)",
    ),
    (
        "forwarded",
        "Trust forwarded client addresses (trusted_downstream_ips)",
    ),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "xsrf_ip",
        label: "Client address in the login XSRF check",
        help: "Front ends with several addresses make the login fail with 'XSRF cookie does not match POST argument' unless the address is ignored (JupyterHub 5.3+) or forwarded and trusted",
        kind: OptionKind::Choice(XSRF_IP),
        default: "ignore",
    },
    OptionSpec {
        key: "trusted_downstream_ips",
        label: "Trusted proxy addresses",
        help: "c.JupyterHub.trusted_downstream_ips: exact IP addresses, comma-separated (Tornado compares whole addresses, not networks)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "disable_xsrf",
        label: "Turn off XSRF checks in single-user servers",
        help: "c.Spawner.args --ServerApp.disable_check_xsrf=True: not recommended; scripts should send an API token instead",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
];

fn yes(v: &Valid<'_>, key: &str) -> bool {
    v.opt(key).trim() == "yes"
}

fn https(v: &Valid<'_>) -> bool {
    v.origins.first().is_some_and(|o| o.scheme == "https")
}

/// The version rules apply to: the typed one, or the newest read.
fn version(v: &Valid<'_>) -> Version {
    v.version
        .or_else(|| Version::parse(newest()))
        .unwrap_or(Version::new(0, 0, 0))
}

fn newest() -> &'static str {
    VERSIONS[0]
}

/// Typed trusted addresses, split on commas, trimmed, empty entries dropped.
fn trusted_ips(v: &Valid<'_>) -> Vec<String> {
    v.opt("trusted_downstream_ips")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The value of `JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS`, if the option asks for one.
fn cidrs(v: &Valid<'_>) -> Option<&'static str> {
    match v.opt("xsrf_ip").trim() {
        "ignore" => Some(CIDRS_ALL),
        "private" => Some(CIDRS_PRIVATE),
        _ => None,
    }
}

fn parse_count(s: &str) -> Option<u32> {
    s.trim().parse::<u32>().ok()
}

fn platform_has(v: &Valid<'_>, key: &str) -> bool {
    v.platform.options().iter().any(|s| s.key == key)
}

use crate::engine::diagnostics::set_option;

fn upgrade_fix() -> Fix {
    Fix::unsafe_(
        format!("Use JupyterHub {}", newest()),
        vec![FieldEdit::SetVersion {
            value: newest().to_owned(),
        }],
    )
}

/// The image tag for the typed version (`quay.io/jupyterhub/jupyterhub` is tagged
/// `MAJOR.MINOR.PATCH`: jupyterhub-container-images README).
fn image_tag(v: &Valid<'_>) -> String {
    let typed = v.raw.app_version.trim().trim_start_matches(['v', 'V']);
    if typed.is_empty() {
        newest().to_owned()
    } else {
        typed.to_owned()
    }
}

impl App for JupyterHub {
    fn id(&self) -> &'static str {
        "jupyterhub"
    }
    fn name(&self) -> &'static str {
        "JupyterHub"
    }
    fn summary(&self) -> &'static str {
        "Multi-user Jupyter (Tornado): 403 '_xsrf' argument missing / XSRF cookie does not match behind a proxy"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn known_versions(&self) -> &'static [&'static str] {
        VERSIONS
    }
    fn websockets(&self) -> bool {
        // Kernels talk to the browser over WebSockets through the Hub's proxy.
        true
    }
    fn codes(&self) -> &'static [Code] {
        CODES
    }
    fn signatures(&self) -> &'static [Signature] {
        SIGNATURES
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let ver = version(v);
        if ver < OLDEST_READ {
            diags.push(Diagnostic::new(
                "JH010",
                field::VERSION,
                format!("JupyterHub {ver} is older than the versions read (4.1.1 and newer): the 4.1 rules are applied"),
            ));
        }
        if ver < CSRF_FIX_FROM {
            diags.push(
                Diagnostic::new(
                    "JH003",
                    field::VERSION,
                    format!("JupyterHub {ver} lacks the CSRF fix of 5.4.5 (CVE-2026-40864): use 5.4.6 or newer"),
                )
                .with_fix(upgrade_fix()),
            );
        }
        if ver < PUBLIC_URL_FROM {
            diags.push(Diagnostic::new(
                "JH004",
                field::VERSION,
                format!("JupyterHub {ver} has no public_url: cookies are marked Secure with cookie_options instead"),
            ));
        }
        if yes(v, "disable_xsrf") {
            let keep = Fix::unsafe_(
                "Keep XSRF checks (use API tokens)",
                set_option("disable_xsrf", "no"),
            );
            if ver >= OLDEST_READ && ver < DISABLE_XSRF_RESPECTED_FROM {
                diags.push(
                    Diagnostic::new(
                        "JH002",
                        field::VERSION,
                        format!("JupyterHub {ver} ignores disable_check_xsrf in single-user servers (fixed in 4.1.3)"),
                    )
                    .with_fix(upgrade_fix())
                    .with_fix(keep.clone()),
                );
            }
            diags.push(
                Diagnostic::new(
                    "JH006",
                    field::option("disable_xsrf"),
                    "Without XSRF checks any web page a user visits can run code in their server with their cookies; scripts should send an API token instead",
                )
                .with_fix(keep),
            );
        }

        // The client address in the login check.
        let mode = v.opt("xsrf_ip").trim();
        if mode != "forwarded" && ver < ANON_CIDRS_FROM {
            diags.push(
                Diagnostic::new(
                    "JH005",
                    field::option("xsrf_ip"),
                    format!("JupyterHub {ver} does not read JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS (5.3+): logins can fail with 'XSRF cookie does not match POST argument'"),
                )
                .with_fix(upgrade_fix()),
            );
        }
        let ips = trusted_ips(v);
        let bad: Vec<&String> = ips
            .iter()
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_err())
            .collect();
        if !bad.is_empty() {
            let good: Vec<&str> = ips
                .iter()
                .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
                .map(String::as_str)
                .collect();
            diags.push(
                Diagnostic::new(
                    "JH007",
                    field::option("trusted_downstream_ips"),
                    format!(
                        "Trusted proxy addresses must be single IP addresses (Tornado compares whole addresses): {}",
                        bad.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_fix(Fix::unsafe_(
                    "Keep only the IP addresses",
                    set_option("trusted_downstream_ips", good.join(",")),
                )),
            );
        }
        if mode == "forwarded" && ips.is_empty() {
            diags.push(
                Diagnostic::new(
                    "JH008",
                    field::option("trusted_downstream_ips"),
                    "No trusted proxy addresses: the Hub sees the address configurable-http-proxy connects from, which changes when the front end does",
                )
                .with_fix(Fix::unsafe_(
                    "Ignore the client address at login",
                    set_option("xsrf_ip", "ignore"),
                )),
            );
        }

        // One Hub process.
        if platform_has(v, "max_instances")
            && let Some(n) = parse_count(v.opt("max_instances")).filter(|n| *n > 1)
        {
            let mut edits = set_option("max_instances", "1");
            if platform_has(v, "min_instances")
                && parse_count(v.opt("min_instances")).is_some_and(|m| m > 1)
            {
                edits.extend(set_option("min_instances", "1"));
            }
            diags.push(
                Diagnostic::new(
                    "JH001",
                    field::option("max_instances"),
                    format!("JupyterHub runs as one Hub process, not up to {n} instances"),
                )
                .with_fix(Fix::unsafe_("Run one instance", edits)),
            );
        }

        if v.origins.len() > 1
            && let Some(first) = v.origins.first()
        {
            diags.push(Diagnostic::new(
                "JH012",
                field::URLS,
                format!(
                    "JupyterHub has one public URL; links and redirects use the first: {}",
                    first.origin()
                ),
            ));
        }

        if let Some(secret) = v
            .raw
            .secrets
            .get("JPY_COOKIE_SECRET")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            let hex = secret.len() % 2 == 0 && secret.bytes().all(|b| b.is_ascii_hexdigit());
            if !hex {
                diags.push(Diagnostic::new(
                    "JH009",
                    field::secret("JPY_COOKIE_SECRET"),
                    "JPY_COOKIE_SECRET must be hexadecimal (an even number of 0-9a-f): the Hub decodes it with a2b_hex and stops otherwise",
                ));
            } else if secret.len() != 64 {
                diags.push(Diagnostic::new(
                    "JH011",
                    field::secret("JPY_COOKIE_SECRET"),
                    format!(
                        "JPY_COOKIE_SECRET should be 32 bytes (64 hex characters): {} characters",
                        secret.len()
                    ),
                ));
            }
        }
    }

    fn plan(&self, v: &Valid<'_>) -> AppPlan {
        let ver = version(v);
        let origins = v.origin_strings();
        let mut env = Vec::new();
        env.push(EnvVar::secret(
            "JPY_COOKIE_SECRET",
            SecretSpec {
                slug: "cookie-secret",
                value: None,
                generate: Some(SecretGen::Hex { bytes: 32 }),
                describe: "signs the Hub's login cookie and _xsrf tokens (hex)",
            },
            "Signs the Hub's login and session cookies and its _xsrf tokens. Unset, the Hub writes a \
             new secret file inside the container, so every restart logs everybody out and \
             invalidates open login forms. JupyterHub decodes the variable as hex (a2b_hex): 32 \
             random bytes, 64 hex characters.",
            SRC_SECRET,
        ));
        let cidr_value = cidrs(v).filter(|_| ver >= ANON_CIDRS_FROM);
        if let Some(c) = cidr_value {
            env.push(EnvVar::literal(
                "JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS",
                c,
                if c == CIDRS_ALL {
                    "Before login, the _xsrf token is bound to the client address and User-Agent. \
                     Behind the front end the Hub sees the address configurable-http-proxy connects \
                     from, which can change between the login page and the login POST (several \
                     front-end replicas): the login then fails with 'XSRF cookie does not match POST \
                     argument'. These networks cover every IPv4 and IPv6 address (the proxy reports \
                     IPv4 peers as ::ffff:a.b.c.d), so only the User-Agent and the signed cookie \
                     bind the login form. Used only while logged out (JupyterHub FAQ)."
                } else {
                    "Before login, the _xsrf token is bound to the client address and User-Agent. \
                     Addresses in these private networks (the JupyterHub FAQ's example, plus the \
                     same networks as IPv4-mapped IPv6, which is how the proxy reports IPv4 peers \
                     when it listens on all interfaces) are treated as one, so a login that passes \
                     through different proxy replicas keeps its token. Public client addresses \
                     still count."
                },
                SRC_CIDRS,
            ));
        }

        let mut reasons = vec![
            Reason {
                subject: "Scripts and extensions: API tokens, not disabled XSRF".to_owned(),
                why: "Requests with `Authorization: token <api-token>` (or `bearer`) are token-\
                      authenticated and skip the XSRF check on the Hub and on single-user servers; \
                      only cookie-authenticated requests need `_xsrf`. The snippet's client code \
                      sends the token header. Turning XSRF off instead lets any page a user visits \
                      post to their server with their cookies."
                    .to_owned(),
                source: SRC_XSRF.to_owned(),
            },
            Reason {
                subject: "One Hub process".to_owned(),
                why: "The Hub owns its database and the proxy's routing table; several Hub \
                      replicas are not supported, and single-user servers spawned in one \
                      container are unknown to another."
                    .to_owned(),
                source:
                    "jupyterhub#1932 (minrk: \"The Hub itself is a single-point-of-failure and \
                         must own the database\"); seed-systems.md §2.5"
                        .to_owned(),
            },
            Reason {
                subject: "Image: built from the current folder".to_owned(),
                why: format!(
                    "quay.io/jupyterhub/jupyterhub:{} has the Hub and configurable-http-proxy but no \
                     configuration and no single-user server; it reads \
                     /srv/jupyterhub/jupyterhub_config.py. The snippet's header shows the Dockerfile \
                     the deploy builds (`--source=.`).",
                    image_tag(v)
                ),
                source: "jupyterhub/jupyterhub-container-images base/Dockerfile (WORKDIR \
                         /srv/jupyterhub, EXPOSE 8000, CMD jupyterhub) and README; jupyterhub \
                         README \"Docker\""
                    .to_owned(),
            },
        ];
        if ver >= PUBLIC_URL_FROM && !origins.is_empty() {
            reasons.push(Reason {
                subject: "c.JupyterHub.public_url".to_owned(),
                why: "The URL browsers use. The Hub stops guessing the protocol from forwarded \
                      headers (configurable-http-proxy appends `,http` to the front end's \
                      `X-Forwarded-Proto: https`, and Tornado reads the last entry) and marks its \
                      cookies Secure when it is https."
                    .to_owned(),
                source: SRC_PUBLIC_URL.to_owned(),
            });
        }
        if cidrs(v).is_some() && ver < ANON_CIDRS_FROM {
            reasons.push(Reason {
                subject: "No JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS".to_owned(),
                why: format!(
                    "JupyterHub {ver} does not read it (added in 5.3.0); upgrade, or forward and trust \
                     client addresses (trusted_downstream_ips)."
                ),
                source: SRC_CIDRS.to_owned(),
            });
        }

        AppPlan {
            env,
            container_port: PORT,
            // No official image runs with this configuration: build from the current folder.
            image: String::new(),
            snippet: Snippet {
                title: "jupyterhub_config.py".to_owned(),
                language: "python",
                filename: "jupyterhub_config.py".to_owned(),
                body: snippet(v, ver, &origins),
            },
            verify: verify_script(&origins),
            reasons,
        }
    }
}

/// The `jupyterhub_config.py` body (valid Python; `get_config` is provided by JupyterHub).
fn snippet(v: &Valid<'_>, ver: Version, origins: &[String]) -> String {
    let first = origins.first().cloned();
    let public = first.clone().unwrap_or_else(|| "https://HUB".to_owned());
    let mut s = String::new();
    s.push_str(&format!(
        "# JupyterHub {ver} behind {}: TLS ends at the front end, the Hub's proxy\n\
         # listens on plain http in the container.\n\
         #\n\
         # Deploy it from a folder holding this file and a Dockerfile such as:\n\
         #\n\
         #   FROM quay.io/jupyterhub/jupyterhub:{}\n\
         #   RUN python3 -m pip install --no-cache-dir jupyterlab\n\
         #   COPY jupyterhub_config.py /srv/jupyterhub/jupyterhub_config.py\n\
         #\n\
         # and choose an authenticator and a spawner for your users (the defaults\n\
         # are PAM and local processes).\n\n",
        v.platform.name(),
        image_tag(v)
    ));
    s.push_str(
        "c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)\n\n",
    );
    s.push_str("# The proxy listens on plain http on port 8000 inside the container.\n");
    s.push_str("c.JupyterHub.bind_url = \"http://:8000\"\n");
    if let Some(first) = &first {
        if ver >= PUBLIC_URL_FROM {
            s.push_str(
                "\n# The URL browsers use. The Hub stops guessing http/https from forwarded\n\
                 # headers and marks its cookies Secure when this is https.\n",
            );
            s.push_str(&format!(
                "c.JupyterHub.public_url = {}\n",
                str_literal(&format!("{first}/"))
            ));
        } else {
            s.push_str(&format!(
                "\n# JupyterHub {ver} has no public_url (5.0+). Public URL: {first}/\n"
            ));
        }
    }
    if https(v) {
        s.push_str(
            "\n# Hub cookies (login, session and, by default, _xsrf) only over https.\n\
             c.JupyterHub.tornado_settings = {\"cookie_options\": {\"secure\": True}}\n",
        );
    }
    let ips = trusted_ips(v);
    let valid_ips: Vec<String> = ips
        .iter()
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
        .map(|ip| str_literal(ip))
        .collect();
    if !valid_ips.is_empty() {
        s.push_str(
            "\n# Proxies whose X-Forwarded-For entries are skipped to find the client address\n\
             # (exact addresses).\n",
        );
        s.push_str(&format!(
            "c.JupyterHub.trusted_downstream_ips = [{}]\n",
            valid_ips.join(", ")
        ));
    }
    match (cidrs(v), ver >= ANON_CIDRS_FROM) {
        (Some(c), true) => s.push_str(&format!(
            "\n# The login form's XSRF check: JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS={c}\n\
             # is set in the environment (see the env block).\n"
        )),
        (Some(_), false) => s.push_str(&format!(
            "\n# JupyterHub {ver} cannot ignore the client address in the login form's XSRF\n\
             # check (JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS is 5.3+).\n"
        )),
        _ => {}
    }
    if yes(v, "disable_xsrf") {
        s.push_str(
            "\n# NOT RECOMMENDED: single-user servers accept cookie-authenticated requests\n\
             # without an _xsrf token, so any web page a user visits can run code in their\n\
             # server. Send an API token from scripts instead (below).\n",
        );
        if ver >= OLDEST_READ && ver < DISABLE_XSRF_RESPECTED_FROM {
            s.push_str(&format!(
                "# JupyterHub {ver} ignores this setting (fixed in 4.1.3).\n"
            ));
        }
        s.push_str("c.Spawner.args = [\"--ServerApp.disable_check_xsrf=True\"]\n");
    } else {
        s.push_str(
            "\n# Single-user servers keep their XSRF checks: browsers send _xsrf, scripts send\n\
             # an API token.\n",
        );
    }
    s.push_str(&client_code(&public));
    s
}

/// The client code for scripts and extensions, as comments (the harness runs it).
fn client_code(public: &str) -> String {
    format!(
        "\n# Scripts and extensions: call the REST API with an API token. Requests with\n\
         # `Authorization: token <token>` skip the XSRF check on the Hub and on single-user\n\
         # servers. Make a token at {public}/hub/token and keep it in JUPYTERHUB_API_TOKEN.\n\
         #\n\
         # --- client ---\n\
         #   import json\n\
         #   import os\n\
         #   import urllib.request\n\
         #\n\
         #   HUB = {}\n\
         #\n\
         #   def hub_api(method, path, body=None):\n\
         #       req = urllib.request.Request(\n\
         #           HUB + path,\n\
         #           method=method,\n\
         #           data=None if body is None else json.dumps(body).encode(),\n\
         #           headers={{\n\
         #               \"Authorization\": \"token \" + os.environ[\"JUPYTERHUB_API_TOKEN\"],\n\
         #               \"Content-Type\": \"application/json\",\n\
         #           }},\n\
         #       )\n\
         #       with urllib.request.urlopen(req) as resp:\n\
         #           return resp.status, json.loads(resp.read() or b\"null\")\n\
         #\n\
         #   # e.g. start your server, then create a notebook in it:\n\
         #   # hub_api(\"POST\", \"/hub/api/users/NAME/server\")\n\
         #   # hub_api(\"POST\", \"/user/NAME/api/contents\", {{\"type\": \"notebook\"}})\n\
         # --- end client ---\n",
        str_literal(public)
    )
}

/// The verify script: for every origin, the Hub answers, the login form sets a (Secure) `_xsrf`
/// cookie, and posting it back passes the XSRF check; with `JUPYTERHUB_API_TOKEN` set, a token
/// request works without `_xsrf`.
fn verify_script(origins: &[String]) -> Script {
    let mut s = Script::default();
    s.comment("Checks the deployed Hub the way a browser logs in (needs curl).");
    s.comment("Good: every line starts with \"good:\". Bad: a \"BAD:\" line says what to change.");
    s.comment(
        "Optional: export JUPYTERHUB_API_TOKEN=<a token from /hub/token> to check token access.",
    );
    s.raw("set -u");
    if origins.is_empty() {
        s.raw("echo 'BAD: no public URL was given to ProxyTrust'");
        return s;
    }
    let list: Vec<String> = origins.iter().map(|o| quote(o)).collect();
    s.raw(format!("origins=({})", list.join(" ")));
    s.raw("for origin in \"${origins[@]}\"; do");
    s.raw("jar=\"$(mktemp)\"");
    s.raw("headers=\"$(mktemp)\"");
    s.raw("body=\"$(mktemp)\"");
    s.comment("1. The Hub answers GET /hub/api/ with its version, without login.");
    s.raw("version=\"$(curl -sS \"$origin/hub/api/\" | sed -n 's/.*\"version\": *\"\\([^\"]*\\)\".*/\\1/p')\"");
    s.raw("if [ -n \"$version\" ]; then");
    s.raw("echo \"good: $origin runs JupyterHub $version\"");
    s.raw("else");
    s.raw("echo \"BAD: $origin/hub/api/ gave no version: is the Hub running and bind_url http://:8000?\"");
    s.raw("fi");
    s.comment("2. The login page sets the _xsrf cookie and puts the same token in the form.");
    s.raw(
        "token=\"$(curl -sS -c \"$jar\" -D \"$headers\" -H 'Sec-Fetch-Mode: navigate' \"$origin/hub/login\" \\\n    \
         | sed -n 's/.*name=\"_xsrf\" value=\"\\([^\"]*\\)\".*/\\1/p' | head -n 1)\"",
    );
    s.raw("cookie=\"$(grep -i '^set-cookie: *_xsrf=' \"$headers\" | head -n 1 | tr -d '\\r' | tr '[:upper:]' '[:lower:]')\"");
    s.raw("if [ -z \"$token\" ] || [ -z \"$cookie\" ]; then");
    s.raw("echo \"BAD: $origin/hub/login set no _xsrf cookie or form token (is a proxy dropping Set-Cookie?)\"");
    s.raw("fi");
    s.raw("case \"$origin\" in https://*) case \"$cookie\" in *'; secure'*) echo \"good: $origin _xsrf cookie is Secure\" ;; *) echo \"BAD: $origin _xsrf cookie is not Secure: set the generated cookie_options\" ;; esac ;; esac");
    s.comment("3. Post the form back (wrong password on purpose), as the browser does.");
    s.raw(
        "status=\"$(curl -sS -o \"$body\" -w '%{http_code}' -b \"$jar\" \\\n    \
         -H 'Sec-Fetch-Mode: navigate' -H \"Origin: $origin\" -H \"Referer: $origin/hub/login\" \\\n    \
         --data-urlencode \"_xsrf=$token\" --data-urlencode 'username=proxytrust-verify' \\\n    \
         --data-urlencode 'password=not-the-password' \"$origin/hub/login\")\"",
    );
    s.raw("if [ \"$status\" = 302 ] || grep -q 'Invalid username or password' \"$body\"; then");
    s.raw("echo \"good: $origin login form passed the XSRF check (HTTP $status)\"");
    s.raw("else");
    s.raw("if grep -q -e 'Login form invalid or expired' -e 'XSRF cookie does not match' \"$body\"; then");
    s.raw("echo \"BAD: $origin login failed the XSRF check: set JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS (5.3+) or forward client addresses\"");
    s.raw("else");
    s.raw("echo \"BAD: $origin login answered HTTP $status\"");
    s.raw("fi");
    s.raw("fi");
    s.comment("4. Scripts: a token request needs no _xsrf.");
    s.raw("if [ -n \"${JUPYTERHUB_API_TOKEN:-}\" ]; then");
    s.raw("status=\"$(curl -sS -o /dev/null -w '%{http_code}' -H \"Authorization: token $JUPYTERHUB_API_TOKEN\" \"$origin/hub/api/user\")\"");
    s.raw("if [ \"$status\" = 200 ]; then echo \"good: $origin accepts the API token\"; else echo \"BAD: $origin/hub/api/user with the token gave HTTP $status\"; fi");
    s.raw("fi");
    s.raw("rm -f \"$jar\" \"$headers\" \"$body\"");
    s.raw("done");
    s
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "JH001",
        severity: Error,
        name: "several-hub-instances",
        explanation: "What: the platform may run more than one instance of the Hub.\n\
Why: the Hub owns its database and its proxy's routing table, and single-user servers run next \
to the Hub that spawned them; several Hub processes are not supported. Logins, servers and the \
login form's XSRF token end up on different instances.\n\
Example: `--set max_instances=1`.\n\
References: jupyterhub#1932 (\"The Hub itself is a single-point-of-failure and must own the \
database\"); shared/knowledge/seed-systems.md §2.5.",
    },
    Code {
        code: "JH002",
        severity: Error,
        name: "disable-check-xsrf-ignored",
        explanation: "What: JupyterHub 4.1.0-4.1.2 with single-user XSRF checks turned off.\n\
Why: in those versions `HubOAuth.check_xsrf_cookie` ignores the single-user server's \
`disable_check_xsrf` setting, so cookie-authenticated requests without `_xsrf` are still refused \
(`HTTP 403: Forbidden ('_xsrf' argument missing from POST)`). 4.1.3 respects it (#4752, #4753). \
Better than either: keep the checks and send an API token from scripts.\n\
Example: upgrade to 4.1.3 or newer (5.4.6+ recommended), or `--set disable_xsrf=no`.\n\
References: jupyterhub/services/auth.py HubOAuth.check_xsrf_cookie (4.1.1 vs 4.1.3); \
seed-systems.md §2.3, §10.2; tests/e2e_jupyter.rs.",
    },
    Code {
        code: "JH003",
        severity: Warning,
        name: "csrf-fix-missing",
        explanation: "What: a JupyterHub older than 5.4.6.\n\
Why: 5.4.5 fixed a CSRF vulnerability (CVE-2026-40864: an unconditional XSRF bypass for `no-cors` \
requests in `_needs_check_xsrf`) and 5.4.6 fixed its regression for same-origin `no-cors` GETs \
(#5380). The 4.1 line ends at 4.1.6 and does not have the fix.\n\
Example: JupyterHub 5.4.6, 5.5.1 or 6.1.1.\n\
References: docs/source/reference/changelog.md 5.4.5, 5.4.6; jupyterhub/_xsrf_utils.py (4.1.6 vs \
5.4.6); seed-systems.md §2.3.",
    },
    Code {
        code: "JH004",
        severity: Info,
        name: "no-public-url",
        explanation: "What: a JupyterHub older than 5.0.\n\
Why: `c.JupyterHub.public_url` arrived in 5.0.0 (#4479). Without it the Hub decides whether its \
cookies are Secure from the request's protocol, which behind configurable-http-proxy is `http` \
(the proxy appends `,http` to `X-Forwarded-Proto`, Tornado reads the last entry). ProxyTrust sets \
`tornado_settings['cookie_options'] = {'secure': True}` instead. Also: 4.1 honours `?token=` in \
URLs by default (5.0 turned it off).\n\
Example: upgrade to 5.4.6 or newer.\n\
References: jupyterhub/app.py public_url (5.0.0), handlers/base.py _set_cookie; \
services/auth.py allow_token_in_url (4.1.6 vs 5.0.0); seed-systems.md §2.1.",
    },
    Code {
        code: "JH005",
        severity: Warning,
        name: "anonymous-ip-cidrs-unsupported",
        explanation: "What: a JupyterHub older than 5.3 where the login form's XSRF check should not \
depend on the client address.\n\
Why: before login the `_xsrf` token is bound to a hash of the client address and User-Agent. \
Behind a front end with several addresses that do not forward the client IP the address changes \
between the login page and the POST, and the login fails with `XSRF cookie does not match POST \
argument`. `JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS` (5.3.0, #4991) fixes it; older versions only \
work when the real client address reaches the Hub (trusted_downstream_ips).\n\
Example: upgrade to 5.4.6 or newer.\n\
References: jupyterhub/_xsrf_utils.py _anonymous_xsrf_id; docs/source/faq/troubleshooting.md; \
seed-systems.md §2.2-2.3.",
    },
    Code {
        code: "JH006",
        severity: Warning,
        name: "xsrf-disabled",
        explanation: "What: single-user servers would accept cookie-authenticated requests without an \
`_xsrf` token.\n\
Why: the browser sends the user's cookies with requests any web page makes to the server, so \
without the check any page the user visits can create files, start kernels and run code as them. \
Scripts and extensions do not need it off: `Authorization: token <api-token>` requests skip the \
check legitimately (Hub and single-user servers).\n\
Example: keep `disable_xsrf=no`; send `Authorization: token $JUPYTERHUB_API_TOKEN`.\n\
References: jupyter_server/serverapp.py disable_check_xsrf help; jupyterhub/services/auth.py \
HubOAuth.check_xsrf_cookie; seed-systems.md §2.5, §10.2.",
    },
    Code {
        code: "JH007",
        severity: Error,
        name: "trusted-ip-not-an-address",
        explanation: "What: a trusted proxy entry is not a single IP address.\n\
Why: JupyterHub hands `trusted_downstream_ips` to Tornado's HTTPServer, which skips \
`X-Forwarded-For` entries by exact string comparison; a network (`10.0.0.0/8`) or a host name \
never matches.\n\
Example: `10.0.0.5,10.0.0.6`.\n\
References: jupyterhub/app.py trusted_downstream_ips; tornado/httpserver.py _apply_xheaders.",
    },
    Code {
        code: "JH008",
        severity: Warning,
        name: "forwarded-without-trusted-ips",
        explanation: "What: the login check should use forwarded client addresses, but no proxy \
address is trusted.\n\
Why: configurable-http-proxy appends the address it was reached from to `X-Forwarded-For`, and \
Tornado takes the last entry that is not trusted: without trusted addresses the Hub sees the \
front end's address, which changes between requests when the front end has several.\n\
Example: `--set xsrf_ip=ignore`, or list the front end's addresses.\n\
References: http-proxy-3 web-incoming.js XHeaders; tornado/httpserver.py _apply_xheaders; \
seed-systems.md §2.2, §7.",
    },
    Code {
        code: "JH009",
        severity: Error,
        name: "cookie-secret-not-hex",
        explanation: "What: the JPY_COOKIE_SECRET you gave is not hexadecimal.\n\
Why: the Hub decodes it with `binascii.a2b_hex`, which fails on anything but an even number of \
hex digits, and the Hub does not start.\n\
Example: `openssl rand -hex 32`.\n\
References: jupyterhub/app.py init_secrets; seed-systems.md §2.1.",
    },
    Code {
        code: "JH010",
        severity: Info,
        name: "version-not-read",
        explanation: "What: a JupyterHub older than 4.1.\n\
Why: ProxyTrust read 4.1.1 and newer. XSRF tokens replaced header-based cross-origin checks in \
4.0.0 (#4032); the 4.1 rules are applied.\n\
Example: `4.1.6`.\n\
References: docs/source/reference/changelog.md 4.0.0; seed-systems.md §2.2.",
    },
    Code {
        code: "JH011",
        severity: Warning,
        name: "cookie-secret-length",
        explanation: "What: the JPY_COOKIE_SECRET you gave is not 32 bytes.\n\
Why: the `cookie_secret` help says it \"Should be exactly 256 bits (32 bytes)\": 64 hex \
characters.\n\
Example: `openssl rand -hex 32`.\n\
References: jupyterhub/app.py cookie_secret.",
    },
    Code {
        code: "JH012",
        severity: Warning,
        name: "several-public-urls",
        explanation: "What: more than one public URL.\n\
Why: `c.JupyterHub.public_url` names one URL; the Hub builds links and redirects from it. The \
XSRF checks do not depend on the host, so other URLs still log in, but users are sent to the \
first.\n\
Example: redirect the other names to the first at the front end.\n\
References: jupyterhub/app.py public_url.",
    },
];

/// Messages JupyterHub prints. The bare `XSRF cookie does not match POST argument` and
/// `'_xsrf' argument missing from POST` (identical in Tornado) live in the `tornado` module.
static SIGNATURES: &[Signature] = &[
    Signature {
        id: "jupyterhub-login-form-xsrf",
        pattern: r"XSRF error on login form: HTTP 403: Forbidden \((?:XSRF cookie does not match POST argument|'_xsrf' argument missing from POST|'_xsrf' argument invalid)\)",
        apps: &["jupyterhub"],
        emitter: "JupyterHub 5.3+'s login handler (handlers/login.py LoginHandler.check_xsrf_cookie)",
        cause: "The login POST's _xsrf token did not match the one the login page set. Before \
                login the token is bound to the client address and User-Agent; behind a front end \
                with several addresses that do not forward the client IP, the address the Hub sees \
                changes between the two requests.",
        fix: "Set JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS (e.g. 0.0.0.0/0;::/0, or the private \
              networks) or forward and trust client addresses (trusted_downstream_ips). \
              ProxyTrust writes the variable.",
        references: "jupyterhub/handlers/login.py:113-126 (5.3.0+), _xsrf_utils.py \
                     _anonymous_xsrf_id; docs/source/faq/troubleshooting.md; seed-systems.md §2.2, §10.2",
    },
    Signature {
        id: "jupyterhub-login-form-expired",
        pattern: r"Login form invalid or expired\. Try again\.",
        apps: &["jupyterhub"],
        emitter: "JupyterHub 5.3+'s login page (the browser's view of a login XSRF failure)",
        cause: "The login form's _xsrf token was refused; the Hub log says why ('XSRF error on \
                login form'). Behind a load balancer it is usually the client address changing \
                between the login page and the POST.",
        fix: "Set JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS or forward client addresses; ProxyTrust \
              writes the variable.",
        references: "jupyterhub/handlers/login.py:121-124 (5.3.0+); seed-systems.md §2.2",
    },
    Signature {
        id: "jupyterhub-not-accepting-cookie-auth",
        pattern: r"Not accepting cookie auth on [A-Z]+ \S+: (?:HTTP 403: Forbidden \()?(?:'_xsrf' argument missing from [A-Z]+|'_xsrf' argument invalid|XSRF cookie does not match [A-Z]+ argument)\)?",
        apps: &["jupyterhub"],
        emitter: "A JupyterHub single-user server (services/auth.py HubOAuth._get_user_cookie)",
        cause: "A cookie-authenticated request to a single-user server had no valid _xsrf token, \
                so the cookie was not accepted. In JupyterHub 4.1.0-4.1.2 this happens even with \
                c.ServerApp.disable_check_xsrf = True (the setting was ignored until 4.1.3); \
                extensions that post without _xsrf hit it too.",
        fix: "Send an API token (Authorization: token ...) from scripts and extensions, or the \
              _xsrf cookie's value in X-XSRFToken from pages; upgrade to 5.4.6+ (4.1.3+ at \
              least). Turning XSRF off is not needed.",
        references: "jupyterhub/services/auth.py _get_user_cookie (log.error in 4.1.0-4.1.2, \
                     log.debug from 4.1.3); issues #4752, #4753; seed-systems.md §2.4",
    },
    Signature {
        id: "jupyterhub-xsrf-missing-post",
        pattern: r"(?:JupyterHub [^\]\n]*\] [^\n]*|\] 403 [A-Z]+ /user/[^/\s]+/\S* \([^)]*\): )'_xsrf' argument missing from POST",
        apps: &["jupyterhub"],
        emitter: "JupyterHub's XSRF check on the Hub (a JupyterHub log line) or on a single-user \
                  server (a /user/NAME/ path)",
        cause: "A cookie-authenticated POST came without the _xsrf token: a script or extension \
                that uses the browser's cookies instead of an API token, or a page that does not \
                send X-XSRFToken.",
        fix: "Scripts and extensions: send Authorization: token <api-token> (made at \
              /hub/token); pages: send the _xsrf cookie's value in X-XSRFToken. Turning XSRF off \
              is not needed.",
        references: "jupyterhub/_xsrf_utils.py check_xsrf_cookie; jupyter_server/base/handlers.py \
                     check_xsrf_cookie; seen in tests/e2e_jupyter.rs (JupyterHub 6.1.1, 4.1.1); \
                     seed-systems.md §2.4",
    },
    Signature {
        id: "jupyterhub-xsrf-missing-non-post",
        pattern: r"'_xsrf' argument missing from (?:GET|HEAD|OPTIONS|PUT|PATCH|DELETE)",
        apps: &["jupyterhub"],
        emitter: "JupyterHub's XSRF check (_xsrf_utils.py check_xsrf_cookie names the real method; \
                  Tornado's own check always says POST)",
        cause: "A cookie-authenticated request that is not a plain page view had no _xsrf token. \
                For GET it is a fetch()/XHR (Sec-Fetch-Mode cors) or an old JupyterHub 4.1.0-4.1.3 \
                that checked navigation GETs too (fixed in 4.1.4).",
        fix: "Send the token: X-XSRFToken from pages, or an API token (Authorization: token ...) \
              from scripts; upgrade to 5.4.6+.",
        references: "jupyterhub/_xsrf_utils.py check_xsrf_cookie; changelog 4.1.4 (#4759, \
                     jupyterlab#16040); seed-systems.md §2.4, §10.2",
    },
    Signature {
        id: "jupyterhub-xsrf-mismatch-non-post",
        pattern: r"XSRF cookie does not match (?:GET|HEAD|OPTIONS|PUT|PATCH|DELETE) argument",
        apps: &["jupyterhub"],
        emitter: "JupyterHub's XSRF check (_xsrf_utils.py check_xsrf_cookie, method upper-cased)",
        cause: "The _xsrf token sent does not match the _xsrf cookie for this user and session \
                (an old token from before login, or a cookie from another path or host).",
        fix: "Reload the page to get a fresh token; scripts should use an API token instead of \
              cookies.",
        references: "jupyterhub/_xsrf_utils.py check_xsrf_cookie; seed-systems.md §2.4",
    },
    Signature {
        id: "jupyterhub-xsrf-argument-invalid",
        pattern: r"'_xsrf' argument invalid",
        apps: &["jupyterhub"],
        emitter: "JupyterHub's XSRF check (_xsrf_utils.py check_xsrf_cookie)",
        cause: "The _xsrf value could not be encoded (non-ASCII characters): it was not copied \
                from the _xsrf cookie.",
        fix: "Send the _xsrf cookie's value unchanged in X-XSRFToken, or use an API token.",
        references: "jupyterhub/_xsrf_utils.py check_xsrf_cookie; seed-systems.md §2.4",
    },
    Signature {
        id: "jupyterhub-skipping-xsrf-insecure",
        pattern: r"Skipping XSRF check for insecure request [A-Z]+ \S+",
        apps: &["jupyterhub"],
        emitter: "JupyterHub's XSRF check (_xsrf_utils.py _needs_check_xsrf), a warning",
        cause: "The request had no Sec-Fetch-Mode header: browsers send it only to secure \
                contexts (https or localhost). The Hub is reached over plain http, or a proxy \
                drops the header.",
        fix: "Serve the Hub over https (the front end) and set c.JupyterHub.public_url.",
        references: "jupyterhub/_xsrf_utils.py _needs_check_xsrf; seed-systems.md §2.4",
    },
];

#[cfg(test)]
mod tests {

    use super::*;
    use crate::engine::diagnose::diagnose;
    use crate::engine::generate;
    use crate::engine::inputs::RawInputs;
    use crate::engine::test_support::{self, block, codes, env};

    const URL: &str = "https://hub-abc123-uc.a.run.app";

    fn raw(opts: &[(&str, &str)]) -> RawInputs {
        test_support::inputs(
            "jupyterhub",
            "cloud-run",
            &[URL],
            &[&[("service", "hub"), ("region", "us-central1")], opts],
        )
    }

    #[test]
    fn newest_on_cloud_run_is_clean_and_exact() {
        let g = generate(&raw(&[]));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        let e = env(&g);
        assert!(e["JPY_COOKIE_SECRET"].1, "the cookie secret is a secret");
        assert_eq!(e["JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS"].0, "0.0.0.0/0;::/0");
        assert_eq!(e["PORT"].0, "8000");
        let snippet = block(&g, "snippet");
        assert!(snippet.contains("c.JupyterHub.bind_url = \"http://:8000\""));
        assert!(snippet.contains(&format!("c.JupyterHub.public_url = \"{URL}/\"")));
        assert!(snippet.contains("\"cookie_options\": {\"secure\": True}"));
        assert!(snippet.contains("FROM quay.io/jupyterhub/jupyterhub:6.1.1"));
        assert!(snippet.contains("\"Authorization\": \"token \""));
        assert!(!snippet.contains("disable_check_xsrf=True"));
        let deploy = block(&g, "deploy");
        assert!(deploy.contains("--source=."), "{deploy}");
        assert!(deploy.contains("--port=8000"), "{deploy}");
        assert!(deploy.contains("openssl rand -hex 32"), "{deploy}");
        assert!(
            deploy.contains("JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS=0.0.0.0/0;::/0"),
            "{deploy}"
        );
        assert!(JupyterHub.websockets());
    }

    #[test]
    fn version_rules() {
        let at = |ver: &str, opts: &[(&str, &str)]| {
            let mut r = raw(opts);
            r.app_version = ver.into();
            generate(&r)
        };
        // 4.1.1: disable_check_xsrf ignored, no public_url, no CIDRs, no CSRF fix.
        let g = at("4.1.1", &[("disable_xsrf", "yes")]);
        let c = codes(&g);
        for code in ["JH002", "JH003", "JH004", "JH005", "JH006"] {
            assert!(c.contains(&code), "{code} missing: {c:?}");
        }
        let snippet = block(&g, "snippet");
        assert!(!snippet.contains("public_url ="), "{snippet}");
        assert!(snippet.contains("ignores this setting (fixed in 4.1.3)"));
        assert!(!env(&g).contains_key("JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS"));
        // 4.1.3 respects it.
        let c = codes(&at("4.1.3", &[("disable_xsrf", "yes")]));
        assert!(!c.contains(&"JH002") && c.contains(&"JH006"), "{c:?}");
        // 5.0.0: public_url but no CIDRs.
        let g = at("5.0.0", &[]);
        assert!(block(&g, "snippet").contains("public_url ="));
        assert!(codes(&g).contains(&"JH005") && codes(&g).contains(&"JH003"));
        // 5.3.0: CIDRs, still before the CSRF fix.
        let g = at("5.3.0", &[]);
        assert_eq!(codes(&g), vec!["JH003"]);
        assert!(env(&g).contains_key("JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS"));
        // 5.4.6: clean.
        assert!(at("5.4.6", &[]).diagnostics.is_empty());
        assert!(
            at("3.1.1", &[])
                .diagnostics
                .iter()
                .any(|d| d.code == "JH010")
        );
    }

    #[test]
    fn options_change_the_config() {
        let g = generate(&raw(&[("xsrf_ip", "private")]));
        assert_eq!(
            env(&g)["JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS"].0,
            "10.0.0.0/8;172.16.0.0/12;192.168.0.0/16;::ffff:10.0.0.0/104;::ffff:172.16.0.0/108;::ffff:192.168.0.0/112"
        );
        let g = generate(&raw(&[
            ("xsrf_ip", "forwarded"),
            ("trusted_downstream_ips", "10.0.0.5, ::1"),
        ]));
        assert!(!env(&g).contains_key("JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS"));
        assert!(
            block(&g, "snippet")
                .contains("c.JupyterHub.trusted_downstream_ips = [\"10.0.0.5\", \"::1\"]")
        );
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        let c = codes(&generate(&raw(&[("xsrf_ip", "forwarded")])));
        assert!(c.contains(&"JH008"), "{c:?}");
        let c = codes(&generate(&raw(&[(
            "trusted_downstream_ips",
            "10.0.0.0/8,10.0.0.5",
        )])));
        assert!(c.contains(&"JH007"), "{c:?}");
        let g = generate(&raw(&[("disable_xsrf", "yes")]));
        assert!(
            block(&g, "snippet")
                .contains("c.Spawner.args = [\"--ServerApp.disable_check_xsrf=True\"]")
        );
        assert_eq!(codes(&g), vec!["JH006"]);
        let c = codes(&generate(&raw(&[("max_instances", "3")])));
        assert!(c.contains(&"JH001"), "{c:?}");
    }

    #[test]
    fn given_cookie_secrets_are_checked() {
        let mut r = raw(&[]);
        r.secrets
            .insert("JPY_COOKIE_SECRET".into(), "not hex at all".into());
        assert!(codes(&generate(&r)).contains(&"JH009"));
        r.secrets.insert("JPY_COOKIE_SECRET".into(), "abcd".into());
        assert!(codes(&generate(&r)).contains(&"JH011"));
        r.secrets
            .insert("JPY_COOKIE_SECRET".into(), "ab".repeat(32));
        assert!(generate(&r).diagnostics.is_empty());
    }

    #[test]
    fn fixes_remove_their_diagnostic_and_add_no_error() {
        let mut old = raw(&[
            ("disable_xsrf", "yes"),
            ("max_instances", "3"),
            ("min_instances", "2"),
        ]);
        old.app_version = "4.1.1".into();
        let cases = [
            old,
            raw(&[("xsrf_ip", "forwarded")]),
            raw(&[("trusted_downstream_ips", "10.0.0.0/8,10.0.0.5")]),
        ];
        let checked = crate::engine::diagnostics::check_fixes(&cases, "JH");
        assert!(checked >= 6, "only {checked} fixes checked");
    }

    #[test]
    /// The explanations (What / Why / Example / References) are checked for every module's
    /// codes in diagnostics/codes.rs.
    fn codes_have_the_module_prefix() {
        for c in CODES {
            assert!(c.code.starts_with("JH"), "{}", c.code);
        }
    }

    #[test]
    fn samples_are_recognised_as_jupyterhub() {
        let samples = [
            (
                "[E 2025-06-01 10:00:00.123 JupyterHub login:120] XSRF error on login form: HTTP 403: Forbidden (XSRF cookie does not match POST argument)",
                "jupyterhub-login-form-xsrf",
            ),
            (
                "403 : Forbidden Login form invalid or expired. Try again.",
                "jupyterhub-login-form-expired",
            ),
            (
                "[E 2024-03-25 09:00:00.000 ServerApp] Not accepting cookie auth on POST /user/alice/api/contents: HTTP 403: Forbidden ('_xsrf' argument missing from POST)",
                "jupyterhub-not-accepting-cookie-auth",
            ),
            (
                "[W 2024-03-25 09:00:00.000 ServerApp] 403 GET /user/alice/nbconvert/html/a.ipynb?download=true (alice@10.0.0.1) 2.00ms referer=None: '_xsrf' argument missing from GET",
                "jupyterhub-xsrf-missing-non-post",
            ),
            (
                "HTTP 403: Forbidden (XSRF cookie does not match DELETE argument)",
                "jupyterhub-xsrf-mismatch-non-post",
            ),
            (
                "HTTP 403: Forbidden ('_xsrf' argument invalid)",
                "jupyterhub-xsrf-argument-invalid",
            ),
            (
                "[W 2025-01-01 00:00:00.000 JupyterHub _xsrf_utils:212] Skipping XSRF check for insecure request POST /hub/login",
                "jupyterhub-skipping-xsrf-insecure",
            ),
        ];
        for (text, id) in samples {
            let found = diagnose(text, &RawInputs::default());
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].signature, id, "{text}");
            assert_eq!(found[0].app, "jupyterhub", "{text}");
        }
    }
}
