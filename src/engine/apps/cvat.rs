//! CVAT (cvat-ai/cvat): the annotation server (Django + DRF behind its own Traefik) and its
//! Python SDK (`cvat-sdk` on PyPI).
//!
//! SDK side, the write-up's subject (shared/knowledge/seed-systems.md §5.1, §10.5; read in the
//! cvat-sdk 2.24.0 and 2.48.0 wheels; proven in tests/e2e_cvat.rs):
//! * `make_client(host, credentials=(user, password))` posts `/api/auth/login` and then
//!   `assert "sessionid" in self.api_client.cookies` / `assert "csrftoken" in …`
//!   (cvat_sdk/core/client.py `Client.login`). The cookie jar is
//!   `SimpleCookie(response.headers.get("Set-Cookie"))` (api_client/api_client.py), so cookie
//!   attributes (Secure, Domain) do not matter: the assertion fails only when the login response
//!   *as received* has no such `Set-Cookie`, i.e. something between the SDK and CVAT drops it.
//!   Before 2.41 the SDK then authenticates with the legacy `Authorization: Token <key>`;
//!   2.41-2.47 use the session cookie with `X-CSRFToken` and an `Origin` built from the host
//!   (`build_origin_header`), so every write also passes Django's Origin check on the server.
//! * From 2.48.0 `make_client(host, access_token=PAT)` sends `Authorization: Bearer <PAT>`
//!   (configuration.py `auth_settings`, `accessTokenAuth`) and returns before the assertions: no
//!   cookies, no CSRF. The server must be 2.48+ too (v2.48.0 release notes: server API access
//!   tokens, #9680). The SDK accepts servers of its own minor version and the next
//!   (`Client.SUPPORTED_SERVER_VERSIONS`), so one version input stands for both.
//!
//! Server side (CVAT 2.42 settings via the fork snapshot dataup-io/cvat-dataup, seed-systems.md
//! §5.2; compose files of cvat-ai/cvat):
//! * `cvat/settings/base.py` hard-codes `SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO",
//!   "https")` and `USE_X_FORWARDED_HOST = True` and has no `CSRF_TRUSTED_ORIGINS` knob: the proxy
//!   in front of `cvat_server` must pass the real scheme and host. `ALLOWED_HOSTS` is
//!   `os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")` (the compose file sets
//!   `'*'`); `DJANGO_SECRET_KEY` else a key generated into `keys/`; `CVAT_HOST` (default
//!   `localhost`) and `CVAT_BASE_URL` (default `http://{CVAT_HOST}:8080`).
//! * `docker-compose.yml`: Traefik routes `Host(\`${CVAT_HOST:-localhost}\`)` to `cvat_server`
//!   (port 8080) and `cvat_ui`, entry point `web` on :8080. `docker-compose.https.yml`: `web` on
//!   :80 redirects to `websecure` on :443 with a Let's Encrypt TLS-ALPN resolver that requires
//!   `ACME_EMAIL`.
//! * Behind another TLS-terminating load balancer, Traefik deletes `X-Forwarded-*` from peers it
//!   does not trust (traefik pkg/middlewares/forwardedheaders; platforms.md §4.3); trust is
//!   `entryPoints.<name>.forwardedHeaders.trustedIPs` / `.insecure`, as environment
//!   `TRAEFIK_ENTRYPOINTS_<NAME>_FORWARDEDHEADERS_TRUSTEDIPS` (traefik docs
//!   reference/static-configuration/env-ref.md).
//! * Server images: `cvat/server:<release tag>` (`v2.48.0`), .github/workflows/publish-artifacts.yml
//!   and `image: cvat/server:${CVAT_VERSION:-dev}` in docker-compose.yml.

use std::net::IpAddr;

use crate::engine::Valid;
use crate::engine::diagnose::Signature;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, FieldEdit, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{AppPlan, EnvVar, Reason, SecretGen, SecretSpec, Snippet};
use crate::engine::render::python::str_literal;
use crate::engine::render::shell::{Script, quote};
use crate::engine::render::yaml;
use crate::engine::version::Version;

use super::{App, looks_like_email};

pub struct Cvat;

/// Versions read (cvat-sdk wheels; server settings 2.42 via the fork snapshot), newest first.
static VERSIONS: &[&str] = &["2.80.0", "2.48.0", "2.47.0", "2.41.0", "2.24.0"];

/// `make_client(..., access_token=...)` and server access tokens (v2.48.0 release notes;
/// cvat_sdk/core/client.py 2.48.0).
const PAT_FROM: Version = Version::new(2, 48, 0);
/// Session authentication (cookie + X-CSRFToken + Origin) in the SDK after a password login
/// (seed-systems.md §5.1).
const SESSION_AUTH_FROM: Version = Version::new(2, 41, 0);

/// Platforms where CVAT's own Docker Compose stack (with its Traefik) runs.
const COMPOSE_PLATFORMS: &[&str] = &["compose", "vm"];

const SRC_SETTINGS: &str = "cvat/settings/base.py (CVAT 2.42, fork snapshot dataup-io/cvat-dataup): \
ALLOWED_HOSTS, DJANGO_SECRET_KEY, SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST, CVAT_HOST, \
CVAT_BASE_URL; seed-systems.md §5.2";
const SRC_SDK: &str = "cvat_sdk/core/client.py Client.login, make_client (cvat-sdk 2.24.0, 2.48.0); \
cvat_sdk/api_client/api_client.py _update_cookies_from_response; seed-systems.md §5.1, §10.5";

const TLS_MODES: &[(&str, &str)] = &[
    (
        "front-end",
        "A load balancer or the platform's front end ends TLS in front of CVAT",
    ),
    (
        "traefik",
        "CVAT's Traefik ends TLS (docker-compose.https.yml, Let's Encrypt)",
    ),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "tls",
        label: "TLS ends at",
        help: "Who holds the certificate: a front end in front of CVAT, or CVAT's own Traefik with Let's Encrypt",
        kind: OptionKind::Choice(TLS_MODES),
        default: "front-end",
    },
    OptionSpec {
        key: "acme_email",
        label: "Let's Encrypt e-mail",
        help: "ACME_EMAIL, required by docker-compose.https.yml when Traefik ends TLS",
        kind: OptionKind::Email,
        default: "",
    },
    OptionSpec {
        key: "trusted_ips",
        label: "Front end addresses",
        help: "Addresses or CIDRs of the load balancer in front of CVAT's Traefik, comma-separated (forwardedHeaders.trustedIPs)",
        kind: OptionKind::Text,
        default: "",
    },
];

/// Variables CVAT's settings never read (base.py hard-codes or lacks them).
const IGNORED: &[(&str, &str)] = &[
    (
        "CSRF_TRUSTED_ORIGINS",
        "CVAT's settings have no such knob; the proxy must pass X-Forwarded-Proto and the public host instead",
    ),
    (
        "SECURE_PROXY_SSL_HEADER",
        "CVAT hard-codes it to (\"HTTP_X_FORWARDED_PROTO\", \"https\")",
    ),
    ("USE_X_FORWARDED_HOST", "CVAT hard-codes it to True"),
    (
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "CVAT's settings have no CSRF_TRUSTED_ORIGINS knob",
    ),
];

/// How the SDK logs in at this version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SdkAuth {
    /// < 2.41: password login, cookie assertions, then `Authorization: Token`.
    PasswordThenToken,
    /// 2.41-2.47: password login, cookie assertions, then session cookie + X-CSRFToken + Origin.
    PasswordSession,
    /// >= 2.48: personal access token, `Authorization: Bearer`.
    AccessToken,
}

impl SdkAuth {
    fn of(v: &Valid<'_>) -> Self {
        match v.version {
            Some(ver) if ver < SESSION_AUTH_FROM => Self::PasswordThenToken,
            Some(ver) if ver < PAT_FROM => Self::PasswordSession,
            _ => Self::AccessToken,
        }
    }
}

fn version_label(v: &Valid<'_>) -> String {
    v.version
        .map_or_else(|| VERSIONS[0].to_owned(), |ver| ver.to_string())
}

fn traefik_tls(v: &Valid<'_>) -> bool {
    v.opt("tls").trim() == "traefik"
}

fn on_compose(v: &Valid<'_>) -> bool {
    COMPOSE_PLATFORMS.contains(&v.platform.id())
}

/// One address or CIDR (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`).
fn valid_cidr(s: &str) -> bool {
    let (ip, prefix) = match s.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (s, None),
    };
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= max))
}

/// The trusted addresses as typed, split and trimmed; `None` when one is not an address.
fn trusted_ips(v: &Valid<'_>) -> Option<Vec<String>> {
    let list: Vec<String> = v
        .opt("trusted_ips")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    list.iter().all(|s| valid_cidr(s)).then_some(list)
}

impl Cvat {
    fn image(v: &Valid<'_>) -> String {
        let typed = v.raw.app_version.trim();
        let tag = if typed.is_empty() {
            format!("v{}", VERSIONS[0])
        } else if typed.starts_with(|c: char| c.is_ascii_digit()) {
            format!("v{typed}")
        } else {
            typed.to_owned()
        };
        format!("docker.io/cvat/server:{tag}")
    }
}

impl App for Cvat {
    fn id(&self) -> &'static str {
        "cvat"
    }
    fn name(&self) -> &'static str {
        "CVAT"
    }
    fn summary(&self) -> &'static str {
        "Annotation server (Django) and Python SDK: make_client's cookie AssertionError behind a proxy"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn known_versions(&self) -> &'static [&'static str] {
        VERSIONS
    }
    fn codes(&self) -> &'static [Code] {
        CODES
    }
    fn signatures(&self) -> &'static [Signature] {
        SIGNATURES
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let ver = version_label(v);
        match SdkAuth::of(v) {
            SdkAuth::AccessToken => {}
            SdkAuth::PasswordThenToken => diags.push(Diagnostic::new(
                "CV001",
                field::VERSION,
                format!(
                    "CVAT {ver}: the SDK logs in with a password and asserts the sessionid and csrftoken cookies"
                ),
            )),
            SdkAuth::PasswordSession => diags.push(Diagnostic::new(
                "CV002",
                field::VERSION,
                format!(
                    "CVAT {ver}: the SDK needs the login cookies and passes Django's Origin check on every write"
                ),
            )),
        }
        let email = v.opt("acme_email").trim();
        if traefik_tls(v) {
            if v.platform.https_only() {
                diags.push(
                    Diagnostic::new(
                        "CV004",
                        field::option("tls"),
                        format!(
                            "{} ends TLS itself: Traefik cannot get a Let's Encrypt certificate behind it",
                            v.platform.name()
                        ),
                    )
                    .with_fix(Fix::unsafe_(
                        "TLS ends at the front end",
                        vec![FieldEdit::SetOption {
                            key: "tls".into(),
                            value: "front-end".into(),
                        }],
                    )),
                );
            }
            if email.is_empty() {
                diags.push(Diagnostic::new(
                    "CV003",
                    field::option("acme_email"),
                    "docker-compose.https.yml stops without ACME_EMAIL: set the Let's Encrypt e-mail",
                ));
            }
        }
        if !email.is_empty() && !looks_like_email(email) {
            diags.push(Diagnostic::new(
                "CV008",
                field::option("acme_email"),
                format!("The Let's Encrypt e-mail is not an e-mail address: {email}"),
            ));
        }
        match trusted_ips(v) {
            None => diags.push(Diagnostic::new(
                "CV007",
                field::option("trusted_ips"),
                format!(
                    "Front end addresses must be IP addresses or CIDRs, comma-separated: {}",
                    v.opt("trusted_ips").trim()
                ),
            )),
            Some(list) if list.is_empty() && !traefik_tls(v) && on_compose(v) => {
                diags.push(Diagnostic::new(
                    "CV005",
                    field::option("trusted_ips"),
                    "Traefik drops X-Forwarded-Proto from a front end it does not trust: CVAT then sees http",
                ));
            }
            Some(_) => {}
        }
        if !on_compose(v) {
            diags.push(Diagnostic::new(
                "CV006",
                field::PLATFORM,
                format!(
                    "CVAT is a Compose stack; on {} this deploys the API server container alone",
                    v.platform.name()
                ),
            ));
        }
        for (i, extra) in v.raw.extra_env.iter().enumerate() {
            let name = extra.name.trim();
            if let Some((_, why)) = IGNORED.iter().find(|(n, _)| *n == name) {
                diags.push(
                    Diagnostic::new(
                        "CV009",
                        field::extra(i),
                        format!("CVAT ignores {name}: {why}"),
                    )
                    .with_fix(Fix::safe(
                        format!("Remove {name}"),
                        vec![FieldEdit::RemoveExtra { index: i }],
                    )),
                );
            }
        }
    }

    fn plan(&self, v: &Valid<'_>) -> AppPlan {
        let origins = v.origin_strings();
        let mut hosts: Vec<String> = Vec::new();
        for o in &v.origins {
            if !hosts.contains(&o.host) {
                hosts.push(o.host.clone());
            }
        }
        let mut env = vec![EnvVar::literal(
            "ALLOWED_HOSTS",
            hosts.join(","),
            "The public host names, comma-separated without spaces (CVAT splits on `,` and does \
             not strip). Unset, CVAT allows only localhost and 127.0.0.1 and answers the public \
             host with 400; CVAT's compose file sets `*`.",
            SRC_SETTINGS,
        )];
        if let Some(first) = v.origins.first() {
            env.push(EnvVar::literal(
                "CVAT_HOST",
                first.host.clone(),
                "The public host name. CVAT's compose file routes `Host(CVAT_HOST)` through Traefik \
                 (docker compose reads it from the shell or a .env file beside the compose file), \
                 and the server derives CVAT_BASE_URL from it.",
                "docker-compose.yml traefik router rules (cvat-ai/cvat); cvat/settings/base.py \
                 CVAT_HOST; seed-systems.md §5.2, §5.4",
            ));
        }
        if let Some(first) = origins.first() {
            env.push(EnvVar::literal(
                "CVAT_BASE_URL",
                first.clone(),
                "The public URL in links CVAT sends (e-mails, notifications). Unset it is \
                 http://CVAT_HOST:8080, wrong behind an https front end.",
                SRC_SETTINGS,
            ));
        }
        env.push(EnvVar::secret(
            "DJANGO_SECRET_KEY",
            SecretSpec {
                slug: "secret-key",
                value: None,
                generate: Some(SecretGen::Text { bytes: 48 }),
                describe: "CVAT's Django SECRET_KEY; the same on every server container",
            },
            "CVAT's Django SECRET_KEY. Unset, the server generates one into its keys/ directory: \
             the compose stack shares that volume, but containers without it (several instances, \
             restarts on an ephemeral disk) each make their own and log users out.",
            SRC_SETTINGS,
        ));
        if traefik_tls(v) {
            env.push(EnvVar::literal(
                "ACME_EMAIL",
                v.opt("acme_email").trim(),
                "Contact address for Let's Encrypt. docker-compose.https.yml requires it \
                 (`${ACME_EMAIL:?Please set the ACME_EMAIL env variable}`); docker compose reads \
                 it from the shell or the .env file.",
                "docker-compose.https.yml (cvat-ai/cvat develop); seed-systems.md §5.2",
            ));
        }

        let mut reasons = vec![
            Reason {
                subject: "No CSRF_TRUSTED_ORIGINS for the server".to_owned(),
                why: "CVAT hard-codes SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \
                      \"https\") and USE_X_FORWARDED_HOST = True and has no CSRF_TRUSTED_ORIGINS \
                      setting. Django's Origin check passes when the proxy in front of cvat_server \
                      passes X-Forwarded-Proto: https and the public host (Host or \
                      X-Forwarded-Host); otherwise session logins fail with `CSRF Failed: Origin \
                      checking failed`."
                    .to_owned(),
                source: SRC_SETTINGS.to_owned(),
            },
            Reason {
                subject: "The proxy must pass Set-Cookie".to_owned(),
                why: "A password login answers with two Set-Cookie headers, sessionid and \
                      csrftoken. The web UI and the SDK before 2.48 need both; the SDK asserts \
                      them in make_client (AssertionError at `assert \"sessionid\" in \
                      self.api_client.cookies`). Their Secure or Domain attributes do not matter to \
                      the SDK: only a proxy that removes the header breaks it. The verify script \
                      shows whether the login response carries both."
                    .to_owned(),
                source: SRC_SDK.to_owned(),
            },
        ];
        if traefik_tls(v) {
            reasons.push(Reason {
                subject: "CVAT's Traefik ends TLS".to_owned(),
                why: format!(
                    "Start the stack with the https compose file: `export CVAT_HOST={} \
                     ACME_EMAIL={}` then `docker compose -f docker-compose.yml -f \
                     docker-compose.https.yml up -d`. Traefik listens on 80 (redirect) and 443 and \
                     gets a certificate from Let's Encrypt (TLS-ALPN challenge), so both ports \
                     must be reachable from the internet.",
                    quote(v.origins.first().map_or("HOST", |o| o.host.as_str())),
                    quote(v.opt("acme_email").trim())
                ),
                source:
                    "docker-compose.https.yml (cvat-ai/cvat develop); seed-systems.md §5.2, §5.4"
                        .to_owned(),
            });
        } else {
            let ips = trusted_ips(v).unwrap_or_default();
            let value = if ips.is_empty() {
                "<front end CIDRs>".to_owned()
            } else {
                ips.join(",")
            };
            reasons.push(Reason {
                subject: "Traefik behind another load balancer (CVAT's compose stack)".to_owned(),
                why: format!(
                    "When a load balancer ends TLS in front of CVAT's Traefik, do not add \
                     docker-compose.https.yml. Traefik deletes X-Forwarded-Proto and the other \
                     forwarded headers from peers it does not trust, so CVAT would see http and \
                     refuse https logins. Trust the load balancer on the `web` entry point with a \
                     file beside docker-compose.yml, docker-compose.proxytrust.yml:\n\n    \
                     services:\n      traefik:\n        environment:\n          \
                     TRAEFIK_ENTRYPOINTS_web_FORWARDEDHEADERS_TRUSTEDIPS: {}\n\n\
                     (`TRAEFIK_ENTRYPOINTS_web_FORWARDEDHEADERS_INSECURE: \"true\"` trusts every \
                     peer: only when nothing else can reach port 8080). Then `export CVAT_HOST={}` \
                     and `docker compose -f docker-compose.yml -f docker-compose.proxytrust.yml up \
                     -d`.",
                    yaml::quoted(&value),
                    quote(v.origins.first().map_or("HOST", |o| o.host.as_str()))
                ),
                source: "traefik pkg/middlewares/forwardedheaders/forwarded_header.go, docs \
                         reference/static-configuration/env-ref.md; docker-compose.yml (entry point \
                         `web` on :8080, cvat-ai/cvat); platforms.md §4.3; seed-systems.md §5.4"
                    .to_owned(),
            });
        }
        reasons.push(Reason {
            subject: match SdkAuth::of(v) {
                SdkAuth::AccessToken => "SDK: a personal access token".to_owned(),
                _ => "SDK: password login".to_owned(),
            },
            why: match SdkAuth::of(v) {
                SdkAuth::AccessToken => "From 2.48 (SDK and server) make_client(host, \
                     access_token=...) sends `Authorization: Bearer <token>` and skips the cookie \
                     assertions: no cookies and no CSRF are involved, so proxies that drop \
                     Set-Cookie do not matter. The snippet reads the token from CVAT_ACCESS_TOKEN \
                     (the name cvat-cli 2.48 reads too)."
                    .to_owned(),
                SdkAuth::PasswordSession => "SDK 2.41-2.47 log in with a password, assert the \
                     sessionid and csrftoken cookies, then send the session cookie with \
                     X-CSRFToken and an Origin built from the host you give make_client: give it \
                     the exact public URL, and the server must see that origin as its own \
                     (X-Forwarded-Proto and host passed). From 2.48 use an access token instead."
                    .to_owned(),
                SdkAuth::PasswordThenToken => {
                    "SDKs before 2.41 log in with a password, assert the \
                     sessionid and csrftoken cookies, then authenticate with the legacy \
                     `Authorization: Token` key from the login response. Commenting the \
                     assertions out (the write-up's workaround) hides a proxy that drops cookies; \
                     fix the proxy, or upgrade server and SDK to 2.48+ for access tokens."
                        .to_owned()
                }
            },
            source: format!(
                "{SRC_SDK}; cvat_sdk/api_client/configuration.py auth_settings (2.48.0); v2.48.0 \
                 release notes (#9563, #9680, CVAT_ACCESS_TOKEN)"
            ),
        });
        reasons.push(Reason {
            subject: "Image".to_owned(),
            why: format!(
                "{}: the API server image with the release tag, listening on 8080. The web UI is \
                 the separate cvat/ui image, and the server needs PostgreSQL, Redis, Kvrocks and \
                 OPA (CVAT_POSTGRES_HOST, CVAT_REDIS_INMEM_HOST, CVAT_REDIS_ONDISK_HOST, ...), all \
                 wired together by CVAT's docker-compose.yml.",
                Self::image(v)
            ),
            source: ".github/workflows/publish-artifacts.yml, docker-compose.yml (cvat-ai/cvat); \
                     cvat/settings/base.py DATABASES, CACHES (2.42 snapshot)"
                .to_owned(),
        });

        AppPlan {
            env,
            container_port: 8080,
            image: Self::image(v),
            snippet: Snippet {
                title: "Python SDK login".to_owned(),
                language: "python",
                filename: "cvat_client.py".to_owned(),
                body: snippet(v),
            },
            verify: verify_script(v),
            reasons,
        }
    }
}

/// The SDK script for this version: valid Python, credentials from the environment.
fn snippet(v: &Valid<'_>) -> String {
    let ver = version_label(v);
    let url = v
        .origins
        .first()
        .map_or_else(|| "https://cvat.example.org".to_owned(), |o| o.origin());
    let mut s = String::new();
    match SdkAuth::of(v) {
        SdkAuth::AccessToken => {
            s.push_str(&format!(
                "# CVAT {ver}: log in to the SDK with a personal access token (server and SDK\n\
                 # 2.48 or newer). No cookies and no CSRF: a proxy that drops Set-Cookie\n\
                 # cannot break it.\n\
                 #   pip install 'cvat-sdk=={ver}'\n\
                 #   export CVAT_ACCESS_TOKEN=...  (create one in CVAT; docs.cvat.ai/docs/api_sdk/access_tokens)\n\
                 import os\n\n\
                 from cvat_sdk import make_client\n\n\
                 CVAT_URL = {}\n\n\
                 with make_client(CVAT_URL, access_token=os.environ[\"CVAT_ACCESS_TOKEN\"]) as client:\n    \
                     user = client.users.retrieve_current_user()\n    \
                     print(f\"Logged in to {{CVAT_URL}} as {{user.username}}\")\n",
                str_literal(&url)
            ));
        }
        auth => {
            s.push_str(&format!(
                "# CVAT {ver}: the SDK logs in with a user name and password.\n\
                 # make_client asserts that the login response set the sessionid and\n\
                 # csrftoken cookies (cvat_sdk/core/client.py). Every proxy between this\n\
                 # script and CVAT must pass Set-Cookie; commenting the assertions out only\n\
                 # hides the problem. Server and SDK 2.48+ can use an access token instead.\n"
            ));
            if auth == SdkAuth::PasswordSession {
                s.push_str(
                    "# This SDK then sends the session cookie with X-CSRFToken and an Origin\n\
                     # made from CVAT_URL: use the exact public URL.\n",
                );
            }
            s.push_str(&format!(
                "#   pip install 'cvat-sdk=={ver}'\n\
                 #   export CVAT_USER=... CVAT_PASSWORD=...\n\
                 import os\n\
                 import sys\n\n\
                 from cvat_sdk import make_client\n\n\
                 CVAT_URL = {}\n\n\
                 try:\n    \
                     client = make_client(CVAT_URL, credentials=(os.environ[\"CVAT_USER\"], os.environ[\"CVAT_PASSWORD\"]))\n\
                 except AssertionError:\n    \
                     print(\n        \
                         \"The login response had no sessionid or csrftoken cookie: a proxy between \"\n        \
                         \"this machine and CVAT drops Set-Cookie. Run the ProxyTrust verify script.\",\n        \
                         file=sys.stderr,\n    \
                     )\n    \
                     raise\n\n\
                 with client:\n    \
                     user = client.users.retrieve_current_user()\n    \
                     print(f\"Logged in to {{CVAT_URL}} as {{user.username}}\")\n",
                str_literal(&url)
            ));
        }
    }
    s
}

/// The verify script: the API answers; an access token works (2.48+); a password login's
/// response carries both cookies; a session request passes Django's CSRF Origin check.
fn verify_script(v: &Valid<'_>) -> Script {
    let mut s = Script::default();
    s.comment("Checks the deployed CVAT through its public URL (needs curl).");
    s.comment("Credentials come from the environment, never from this file:");
    s.comment("CVAT_ACCESS_TOKEN (2.48+) and/or CVAT_USER and CVAT_PASSWORD.");
    s.comment("Good: \"good:\" lines. Bad: a \"BAD:\" line says what to change.");
    s.raw("set -u");
    let Some(origin) = v.origins.first().map(|o| o.origin()) else {
        s.raw("echo 'BAD: no public URL was given to ProxyTrust'");
        return s;
    };
    s.raw(format!("origin={}", quote(&origin)));
    s.comment("1. The API answers without login (GET /api/server/about).");
    s.raw("status=\"$(curl -sS -o /dev/null -w '%{http_code}' \"$origin/api/server/about\")\"");
    s.raw("case \"$status\" in");
    s.raw("  200) echo \"good: $origin/api/server/about answers 200\" ;;");
    s.raw("  400) echo \"BAD: $origin answers 400: add the host to ALLOWED_HOSTS\" ;;");
    s.raw("  *) echo \"BAD: $origin/api/server/about answers HTTP $status\" ;;");
    s.raw("esac");
    if SdkAuth::of(v) == SdkAuth::AccessToken {
        s.comment("2. A personal access token (what the SDK snippet uses).");
        s.raw("if [ -n \"${CVAT_ACCESS_TOKEN:-}\" ]; then");
        s.raw("status=\"$(curl -sS -o /dev/null -w '%{http_code}' -H \"Authorization: Bearer $CVAT_ACCESS_TOKEN\" \"$origin/api/users/self\")\"");
        s.raw("case \"$status\" in");
        s.raw("  200) echo 'good: the access token works (GET /api/users/self answers 200)' ;;");
        s.raw("  401) echo 'BAD: the access token is refused (401): a wrong or expired token, or a server older than 2.48' ;;");
        s.raw("  *) echo \"BAD: GET /api/users/self with the token answers HTTP $status\" ;;");
        s.raw("esac");
        s.raw("else");
        s.raw("echo 'skipped: set CVAT_ACCESS_TOKEN to check the access token'");
        s.raw("fi");
    }
    s.comment("3. A password login, as the web UI and SDKs before 2.48 do: its response must");
    s.comment("carry both cookies, or make_client fails with an AssertionError.");
    s.raw("if [ -n \"${CVAT_USER:-}\" ] && [ -n \"${CVAT_PASSWORD:-}\" ]; then");
    s.raw("json_escape() { local t=${1//\\\\/\\\\\\\\}; printf '%s' \"${t//\\\"/\\\\\\\"}\"; }");
    s.raw("headers=\"$(mktemp)\"");
    s.raw("body=\"$(mktemp)\"");
    s.raw("status=\"$(curl -sS -o /dev/null -D \"$headers\" -w '%{http_code}' -H 'Content-Type: application/json' \\\n    \
           --data-binary \"{\\\"username\\\":\\\"$(json_escape \"$CVAT_USER\")\\\",\\\"password\\\":\\\"$(json_escape \"$CVAT_PASSWORD\")\\\"}\" \\\n    \
           \"$origin/api/auth/login\")\"");
    s.raw("if [ \"$status\" = 200 ]; then echo 'good: POST /api/auth/login answers 200'; else echo \"BAD: POST /api/auth/login answers HTTP $status (wrong credentials?)\"; fi");
    s.raw("for name in sessionid csrftoken; do");
    s.raw("if grep -qi \"^set-cookie: *$name=\" \"$headers\"; then");
    s.raw("echo \"good: the login response sets the $name cookie\"");
    s.raw("else");
    s.raw("echo \"BAD: the login response sets no $name cookie: a proxy between you and CVAT drops Set-Cookie (SDK before 2.48: AssertionError in make_client)\"");
    s.raw("fi");
    s.raw("done");
    s.comment("4. A session request with X-CSRFToken and Origin, as the web UI and SDK 2.41-2.47");
    s.comment("send it: 403 \"CSRF Failed\" means CVAT does not see https://<public host>.");
    s.raw("cookie_value() { grep -i \"^set-cookie: *$1=\" \"$headers\" | head -n 1 | sed 's/^[^=]*=\\([^;]*\\).*/\\1/' | tr -d '\\r'; }");
    s.raw("sessionid=\"$(cookie_value sessionid)\"");
    s.raw("csrftoken=\"$(cookie_value csrftoken)\"");
    s.raw("if [ -n \"$sessionid\" ] && [ -n \"$csrftoken\" ]; then");
    s.raw("status=\"$(curl -sS -o \"$body\" -w '%{http_code}' -X POST -H \"Origin: $origin\" -H \"X-CSRFToken: $csrftoken\" \\\n    \
           -b \"sessionid=$sessionid; csrftoken=$csrftoken\" \"$origin/api/auth/logout\")\"");
    s.raw("case \"$status\" in");
    s.raw("  200) echo 'good: a session request passes the CSRF Origin check (POST /api/auth/logout answers 200)' ;;");
    s.raw("  403) echo \"BAD: POST /api/auth/logout answers 403: $(head -c 300 \"$body\")\"");
    s.raw("       echo 'BAD: CVAT does not see the request as https to its public host: the proxy in front of cvat_server must pass X-Forwarded-Proto and the host (Traefik: forwardedHeaders.trustedIPs)' ;;");
    s.raw("  *) echo \"BAD: POST /api/auth/logout answers HTTP $status\" ;;");
    s.raw("esac");
    s.raw("fi");
    s.raw("rm -f \"$headers\" \"$body\"");
    s.raw("else");
    s.raw("echo 'skipped: set CVAT_USER and CVAT_PASSWORD to check the login cookies'");
    s.raw("fi");
    s
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "CV001",
        severity: Info,
        name: "password-login-token-era",
        explanation: "What: CVAT and its SDK before 2.41.\n\
Why: make_client(host, credentials=(user, password)) posts /api/auth/login, asserts that the \
response set the sessionid and csrftoken cookies, then authenticates with the legacy \
`Authorization: Token <key>` from the response. A proxy that drops Set-Cookie makes the assertion \
fail even though the login answered 200 (issue cvat-ai/cvat#9318, SDK 2.24.0). Commenting the \
assertions out, the write-up's workaround, hides the proxy problem. Server and SDK 2.48+ can log in \
with a personal access token and need no cookies.\n\
Example: `make_client(\"https://cvat.example.org\", credentials=(user, password))` with 2.24.0.\n\
References: cvat_sdk/core/client.py Client.login (2.24.0); seed-systems.md §5.1, §10.5.",
    },
    Code {
        code: "CV002",
        severity: Info,
        name: "password-login-session-era",
        explanation: "What: CVAT and its SDK 2.41 to 2.47.\n\
Why: after the same cookie assertions as older SDKs, these use session authentication: the \
session cookie, `X-CSRFToken` from the csrftoken cookie, and an `Origin` built from the URL given \
to make_client. Every write then passes Django's Origin check on the server, which needs the \
proxy to pass X-Forwarded-Proto and the public host. Server and SDK 2.48+ can use a personal \
access token (no cookies, no CSRF).\n\
Example: SDK 2.47 against a CVAT behind a load balancer that Traefik does not trust: login \
works, creating a task fails with `CSRF Failed: Origin checking failed`.\n\
References: cvat_sdk/core/client.py, api_client/api_client.py build_origin_header (2.41-2.47); \
seed-systems.md §5.1.",
    },
    Code {
        code: "CV003",
        severity: Error,
        name: "acme-email-missing",
        explanation: "What: CVAT's Traefik ends TLS but no Let's Encrypt e-mail is set.\n\
Why: docker-compose.https.yml sets TRAEFIK_CERTIFICATESRESOLVERS_lets-encrypt_ACME_EMAIL from \
`${ACME_EMAIL:?Please set the ACME_EMAIL env variable}`: docker compose refuses to start without it.\n\
Example: `--set acme_email=ops@example.org`.\n\
References: docker-compose.https.yml (cvat-ai/cvat develop); seed-systems.md §5.2.",
    },
    Code {
        code: "CV004",
        severity: Error,
        name: "traefik-tls-behind-front-end",
        explanation: "What: CVAT's Traefik is set to end TLS on a platform whose front end ends TLS.\n\
Why: Cloud Run serves the service over https only and terminates TLS before the container; \
Traefik's Let's Encrypt TLS-ALPN challenge on port 443 never reaches it. Let the front end hold \
the certificate.\n\
Example: `--set tls=front-end`.\n\
References: cloud.google.com/run/docs/triggering/https-request (platforms.md §1.4); \
docker-compose.https.yml (TLSCHALLENGE).",
    },
    Code {
        code: "CV005",
        severity: Warning,
        name: "traefik-trusted-ips-missing",
        explanation: "What: a load balancer ends TLS in front of CVAT's Traefik, and Traefik is not \
told to trust it.\n\
Why: Traefik deletes X-Forwarded-Proto, X-Forwarded-Host and the other forwarded headers from \
peers that are not in `forwardedHeaders.trustedIPs` (or `insecure`), then sets its own: \
`X-Forwarded-Proto: http`. CVAT hard-codes SECURE_PROXY_SSL_HEADER, so it sees plain http and \
Django's Origin check refuses the browser's https:// origin: web UI logins and SDK 2.41-2.47 \
writes fail with `CSRF Failed: Origin checking failed`.\n\
Example: `--set trusted_ips=10.0.0.0/8`, giving \
`TRAEFIK_ENTRYPOINTS_web_FORWARDEDHEADERS_TRUSTEDIPS: \"10.0.0.0/8\"` on the traefik service.\n\
References: traefik pkg/middlewares/forwardedheaders/forwarded_header.go, docs \
reference/static-configuration/env-ref.md; platforms.md §4.3; seed-systems.md §5.4.",
    },
    Code {
        code: "CV006",
        severity: Warning,
        name: "single-container-platform",
        explanation: "What: CVAT on a platform that runs single containers.\n\
Why: CVAT is a Docker Compose stack: Traefik in front of cvat_server (the API) and cvat_ui, with \
PostgreSQL, Redis, Kvrocks, OPA and worker containers. The generated deploy runs the API server \
image with the proxy settings; the database, caches, OPA and UI must exist and be configured \
separately (CVAT_POSTGRES_HOST, CVAT_REDIS_INMEM_HOST, ...). The SDK only talks to /api, so the \
SDK settings and the verify script apply as they are.\n\
Example: run CVAT's compose stack on a VM behind the load balancer instead (`--platform vm`).\n\
References: docker-compose.yml (cvat-ai/cvat); cvat/settings/base.py DATABASES, CACHES (2.42).",
    },
    Code {
        code: "CV007",
        severity: Error,
        name: "trusted-ips-invalid",
        explanation: "What: a front end address is not an IP address or CIDR.\n\
Why: Traefik's forwardedHeaders.trustedIPs takes IP addresses and CIDR ranges, comma-separated.\n\
Example: `10.0.0.0/8,192.0.2.7`.\n\
References: traefik docs routing/entrypoints (forwarded headers); platforms.md §4.3.",
    },
    Code {
        code: "CV008",
        severity: Error,
        name: "acme-email-invalid",
        explanation: "What: the Let's Encrypt e-mail is not an e-mail address.\n\
Why: Let's Encrypt registers the account with it; Traefik cannot get a certificate otherwise.\n\
Example: `ops@example.org`.\n\
References: docker-compose.https.yml (ACME_EMAIL).",
    },
    Code {
        code: "CV009",
        severity: Warning,
        name: "ignored-by-cvat",
        explanation: "What: an extra variable CVAT's settings never read.\n\
Why: cvat/settings/base.py hard-codes SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \
\"https\") and USE_X_FORWARDED_HOST = True and has no CSRF_TRUSTED_ORIGINS knob. CSRF passes when \
the proxy passes X-Forwarded-Proto and the public host; setting these variables changes nothing.\n\
Example: remove `CSRF_TRUSTED_ORIGINS=https://cvat.example.org`.\n\
References: cvat/settings/base.py (2.42 snapshot); seed-systems.md §5.2, §10.5.",
    },
];

/// Messages the CVAT SDK prints.
static SIGNATURES: &[Signature] = &[Signature {
    id: "cvat-sdk-login-cookie-assert",
    pattern: r#"assert "(?:sessionid|csrftoken)" in self\.api_client\.cookies"#,
    apps: &["cvat"],
    emitter: "The CVAT SDK's Client.login (cvat_sdk/core/client.py), called by make_client with credentials",
    cause: "The login response reached the SDK without the sessionid or csrftoken Set-Cookie \
            header: a proxy between the SDK and CVAT (nginx, a load balancer, an API gateway) \
            removes it. The SDK ignores cookie attributes, so Secure or Domain settings are not the \
            cause.",
    fix: "Make every proxy pass Set-Cookie (the verify script shows whether both cookies arrive), \
          or with server and SDK 2.48+ log in with make_client(host, access_token=...) and no \
          cookies at all.",
    references: "cvat_sdk/core/client.py Client.login (2.24.0 lines 192-193; 2.48.0); issues \
                 cvat-ai/cvat#9318, #9946; seed-systems.md §5.1, §5.3; tests/e2e_cvat.rs",
}];

#[cfg(test)]
mod tests {

    use super::*;
    use crate::engine::diagnose::diagnose;
    use crate::engine::generate;
    use crate::engine::inputs::{ExtraVar, RawInputs};
    use crate::engine::test_support::{self, block, codes, env};

    const URL: &str = "https://cvat.example.org";

    fn raw(platform: &str, version: &str, opts: &[(&str, &str)]) -> RawInputs {
        let cloud_run: &[(&str, &str)] = if platform == "cloud-run" {
            &[("service", "cvat"), ("region", "us-central1")]
        } else {
            &[]
        };
        let mut r = test_support::inputs("cvat", platform, &[URL], &[cloud_run, opts]);
        version.clone_into(&mut r.app_version);
        r
    }

    #[test]
    fn the_sdk_snippet_follows_the_version() {
        let g = generate(&raw("vm", "", &[("trusted_ips", "10.0.0.0/8")]));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        let s = block(&g, "snippet");
        assert!(
            s.contains("make_client(CVAT_URL, access_token=os.environ[\"CVAT_ACCESS_TOKEN\"])"),
            "{s}"
        );
        assert!(s.contains("CVAT_URL = \"https://cvat.example.org\""), "{s}");
        assert!(!s.contains("credentials"), "{s}");
        let g = generate(&raw("vm", "2.24.0", &[("trusted_ips", "10.0.0.0/8")]));
        assert_eq!(codes(&g), vec!["CV001"]);
        let s = block(&g, "snippet");
        assert!(s.contains("credentials=(os.environ[\"CVAT_USER\"]"), "{s}");
        assert!(s.contains("except AssertionError:"), "{s}");
        assert!(!s.contains("access_token"), "{s}");
        let g = generate(&raw("vm", "2.47.0", &[("trusted_ips", "10.0.0.0/8")]));
        assert_eq!(codes(&g), vec!["CV002"]);
        assert!(block(&g, "snippet").contains("X-CSRFToken"));
        assert!(!block(&g, "verify").contains("CVAT_ACCESS_TOKEN\" ]"));
    }

    #[test]
    fn server_env_and_image() {
        let g = generate(&raw("cloud-run", "2.48.0", &[]));
        // CR010 (no run.app URL among the URLs) is Cloud Run's own note.
        assert_eq!(codes(&g), vec!["CV006", "CR010"]);
        let e = env(&g);
        assert_eq!(e["ALLOWED_HOSTS"].0, "cvat.example.org");
        assert_eq!(e["CVAT_HOST"].0, "cvat.example.org");
        assert_eq!(e["CVAT_BASE_URL"].0, URL);
        assert!(e["DJANGO_SECRET_KEY"].1);
        assert!(!e.contains_key("ACME_EMAIL"));
        assert!(block(&g, "deploy").contains("--image=docker.io/cvat/server:v2.48.0"));
        assert!(block(&g, "deploy").contains("--port=8080"));
    }

    #[test]
    fn traefik_tls_needs_an_email_and_no_front_end() {
        let r = raw("cloud-run", "", &[("tls", "traefik")]);
        let g = generate(&r);
        let c = codes(&g);
        assert!(c.contains(&"CV003") && c.contains(&"CV004"), "{c:?}");
        let d = g
            .diagnostics
            .iter()
            .find(|d| d.code == "CV004")
            .expect("CV004");
        let mut fixed = r.clone();
        d.fixes[0].apply(&mut fixed);
        let after = codes(&generate(&fixed));
        assert!(
            !after.contains(&"CV004") && !after.contains(&"CV003"),
            "{after:?}"
        );

        let g = generate(&raw(
            "vm",
            "",
            &[("tls", "traefik"), ("acme_email", "ops@example.org")],
        ));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        assert_eq!(env(&g)["ACME_EMAIL"].0, "ops@example.org");
        assert!(block(&g, "explain").contains("docker-compose.https.yml up -d"));
        let c = codes(&generate(&raw(
            "vm",
            "",
            &[("tls", "traefik"), ("acme_email", "ops")],
        )));
        assert_eq!(c, vec!["CV008"]);
    }

    #[test]
    fn trusted_ips_are_checked_and_written() {
        let c = codes(&generate(&raw("vm", "", &[])));
        assert_eq!(c, vec!["CV005"]);
        let c = codes(&generate(&raw("vm", "", &[("trusted_ips", "10.0.0.0/33")])));
        assert_eq!(c, vec!["CV007"]);
        let g = generate(&raw(
            "vm",
            "",
            &[("trusted_ips", " 10.0.0.0/8, 2001:db8::/32 ,192.0.2.7")],
        ));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        assert!(block(&g, "explain").contains(
            "TRAEFIK_ENTRYPOINTS_web_FORWARDEDHEADERS_TRUSTEDIPS: \"10.0.0.0/8,2001:db8::/32,192.0.2.7\""
        ));
    }

    #[test]
    fn ignored_variables_are_reported() {
        let mut r = raw("vm", "", &[("trusted_ips", "10.0.0.0/8")]);
        r.extra_env.push(ExtraVar {
            name: "CSRF_TRUSTED_ORIGINS".into(),
            value: URL.into(),
        });
        let g = generate(&r);
        assert_eq!(codes(&g), vec!["CV009"]);
        let mut fixed = r.clone();
        g.diagnostics[0].fixes[0].apply(&mut fixed);
        assert!(generate(&fixed).diagnostics.is_empty());
    }

    #[test]
    fn no_url_never_panics() {
        let mut r = raw("cloud-run", "", &[]);
        r.urls.clear();
        let g = generate(&r);
        assert!(block(&g, "verify").contains("BAD: no public URL"));
        assert!(block(&g, "snippet").contains("https://cvat.example.org"));
    }

    #[test]
    /// The explanations (What / Why / Example / References) are checked for every module's
    /// codes in diagnostics/codes.rs.
    fn codes_have_the_module_prefix() {
        for c in CODES {
            assert!(c.code.starts_with("CV"), "{}", c.code);
        }
    }

    #[test]
    fn the_sdk_assertion_is_recognised() {
        let text = "  File \"/venv/lib/python3.12/site-packages/cvat_sdk/core/client.py\", line 192, in login\n    assert \"sessionid\" in self.api_client.cookies\nAssertionError";
        let found = diagnose(text, &RawInputs::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].signature, "cvat-sdk-login-cookie-assert");
        assert_eq!(found[0].app, "cvat");
    }

    #[test]
    fn every_signature_has_a_corpus_file_that_it_recognises() {
        for sig in SIGNATURES {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("tests/fixtures/errors/cvat__{}.txt", sig.id));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let found = diagnose(&text, &RawInputs::default());
            assert_eq!(found.len(), 1, "{}: {found:?}", sig.id);
            assert_eq!(found[0].signature, sig.id);
            assert_eq!(found[0].app, "cvat");
        }
    }
}
