//! Django (django/django): the framework, for your own project behind a TLS-terminating front end
//! (Cloud Run, a load balancer, an ingress). ProxyTrust writes a `settings.py` fragment that
//! reads the environment, and the environment it reads.
//!
//! What matters (shared/knowledge/seed-systems.md §6, checked against the Django 3.2.25 and
//! 5.2.19 wheels; proven in tests/e2e_django.rs):
//! * `CsrfViewMiddleware.process_view` (django/middleware/csrf.py): from 4.0 an `Origin` header
//!   is compared with `https://` or `http://` + `request.get_host()`, chosen by
//!   `request.is_secure()`, then with `CSRF_TRUSTED_ORIGINS` as **exact strings** (wildcards via
//!   `is_same_domain`). Behind a TLS-terminating front end the request reaches Django as plain
//!   http, so without `SECURE_PROXY_SSL_HEADER` Django expects `http://HOST`, the browser sends
//!   `https://HOST`, and the login POST gets 403 `Origin checking failed - … does not match any
//!   trusted origins.`
//! * `CSRF_TRUSTED_ORIGINS`: from 4.0 full origins with a scheme (system check `4_0.E001`,
//!   core/checks/compatibility/django_4_0.py, only looks for `://`); before 4.0 host names,
//!   matched against the `Referer` netloc of https requests only (3.2 csrf.py `good_hosts`).
//!   Django 3.2 has no Origin check at all.
//! * `SECURE_PROXY_SSL_HEADER` must be a 2-tuple in settings.py: anything that does not unpack
//!   into two values raises `ImproperlyConfigured: The SECURE_PROXY_SSL_HEADER setting must be a
//!   tuple containing two values.` (http/request.py `scheme`). From 4.1 the leftmost of a
//!   comma-separated header value counts; 3.2/4.0 compare the whole value.
//! * `USE_X_FORWARDED_HOST`: `get_host()` prefers `X-Forwarded-Host` (request.py `_get_raw_host`).
//!   Cloud Run and AWS ALB send none (shared/knowledge/platforms.md §1.4, §2) and pass the public
//!   `Host`, so it stays off there. `USE_X_FORWARDED_PORT` never affects the Origin check.
//! * `ALLOWED_HOSTS` gates `get_host()`: any other host gives 400 (`DisallowedHost`).
//! * Secure cookies: `SESSION_COOKIE_SECURE`, `CSRF_COOKIE_SECURE` (default `False`,
//!   conf/global_settings.py).
//! * `SECRET_KEY` signs sessions' auth hash (contrib/auth/base_user.py
//!   `_get_session_auth_hash`, `salted_hmac`): one value on every instance.
//!
//! The environment variable names (`DJANGO_ALLOWED_HOSTS`, `DJANGO_CSRF_TRUSTED_ORIGINS`,
//! `DJANGO_SECRET_KEY`) are this module's own: the generated settings fragment reads them.
//!
//! References: seed-systems.md §6 (check order, strings, versions, verified behaviour), §10.1
//! (the write-up's string SECURE_PROXY_SSL_HEADER); platforms.md §1.4, §2-§4.

use std::collections::BTreeSet;

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

pub struct Django;

/// Versions read for this module (PyPI wheels, seed-systems.md §0), newest first.
static VERSIONS: &[&str] = &["5.2.19", "4.2.30", "4.0.10", "3.2.25"];

/// The Origin check and scheme-qualified `CSRF_TRUSTED_ORIGINS` arrived in 4.0
/// (docs releases/4.0.txt; seed-systems.md §6.4).
const ORIGIN_CHECK_FROM: Version = Version::new(4, 0, 0);
/// `SECURE_PROXY_SSL_HEADER` takes the leftmost of comma-separated values from 4.1
/// (docs releases/4.1.txt; http/request.py `scheme`).
const LEFTMOST_PROTO_FROM: Version = Version::new(4, 1, 0);

/// Platforms whose front end sends no `X-Forwarded-Host` (platforms.md §1.4 Cloud Run, §2 ALB).
const NO_X_FORWARDED_HOST: &[&str] = &["cloud-run", "ecs-fargate"];

const ENV_ALLOWED_HOSTS: &str = "DJANGO_ALLOWED_HOSTS";
const ENV_TRUSTED_ORIGINS: &str = "DJANGO_CSRF_TRUSTED_ORIGINS";
const ENV_SECRET_KEY: &str = "DJANGO_SECRET_KEY";

const SRC_CSRF: &str = "django/middleware/csrf.py CsrfViewMiddleware._origin_verified, \
_check_referer (5.2.19; 3.2.25 process_view); core/checks/compatibility/django_4_0.py; \
seed-systems.md §6.1-6.5";
const SRC_HOST: &str = "django/http/request.py get_host, _get_raw_host, validate_host (5.2.19); \
seed-systems.md §6.1";

const FORWARDED_HOST: &[(&str, &str)] = &[
    (
        "host",
        "The front end passes the public Host header (Cloud Run, ALB, ingress-nginx, Traefik, Caddy)",
    ),
    (
        "x-forwarded-host",
        "The front end rewrites Host and sends X-Forwarded-Host",
    ),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "forwarded_host",
        label: "Public host arrives in",
        help: "Where Django finds the public host: the Host header, or X-Forwarded-Host (USE_X_FORWARDED_HOST)",
        kind: OptionKind::Choice(FORWARDED_HOST),
        default: "host",
    },
    OptionSpec {
        key: "login_path",
        label: "Login page path",
        help: "Path of a page with a CSRF-protected form, for the verify script (Django's LOGIN_URL default)",
        kind: OptionKind::Text,
        default: "/accounts/login/",
    },
];

/// Variables someone might set for Django that the generated settings do not read.
const NOT_READ: &[(&str, &str)] = &[
    ("CSRF_TRUSTED_ORIGINS", ENV_TRUSTED_ORIGINS),
    ("ALLOWED_HOSTS", ENV_ALLOWED_HOSTS),
    ("SECRET_KEY", ENV_SECRET_KEY),
];

/// Which CSRF rules apply.
fn origin_check(v: &Valid<'_>) -> bool {
    v.version.is_none_or(|ver| ver >= ORIGIN_CHECK_FROM)
}

fn use_x_forwarded_host(v: &Valid<'_>) -> bool {
    v.opt("forwarded_host").trim() == "x-forwarded-host"
}

/// Secure cookies only when every public URL is https (a Secure cookie is never stored over
/// plain http).
fn all_https(v: &Valid<'_>) -> bool {
    !v.origins.is_empty() && v.origins.iter().all(|o| o.scheme == "https")
}

/// Host names for `ALLOWED_HOSTS` (no port: `validate_host` compares the domain part), in input
/// order, each once.
fn allowed_hosts(v: &Valid<'_>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    v.origins
        .iter()
        .filter(|o| seen.insert(o.host.clone()))
        .map(|o| o.host.clone())
        .collect()
}

/// `CSRF_TRUSTED_ORIGINS` in the version's form: origins from 4.0, `host[:port]` before.
fn trusted_origins(v: &Valid<'_>) -> Vec<String> {
    if origin_check(v) {
        return v.origin_strings();
    }
    let mut seen = BTreeSet::new();
    v.origins
        .iter()
        .map(|o| match o.port {
            Some(p) => format!("{}:{p}", o.host),
            None => o.host.clone(),
        })
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

fn version_label(v: &Valid<'_>) -> String {
    v.version
        .map_or_else(|| VERSIONS[0].to_owned(), |ver| ver.to_string())
}

impl App for Django {
    fn id(&self) -> &'static str {
        "django"
    }
    fn name(&self) -> &'static str {
        "Django (your project)"
    }
    fn summary(&self) -> &'static str {
        "Your own Django project: settings.py for CSRF, proxies and secure cookies behind a TLS front end"
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
        if let Some(ver) = v.version
            && ver < ORIGIN_CHECK_FROM
        {
            diags.push(Diagnostic::new(
                "DJ003",
                field::VERSION,
                format!(
                    "Django {ver} has no Origin check; CSRF_TRUSTED_ORIGINS holds host names until 4.0"
                ),
            ));
        }
        if use_x_forwarded_host(v) && NO_X_FORWARDED_HOST.contains(&v.platform.id()) {
            diags.push(
                Diagnostic::new(
                    "DJ004",
                    field::option("forwarded_host"),
                    format!(
                        "{} sends no X-Forwarded-Host; it passes the public Host header",
                        v.platform.name()
                    ),
                )
                .with_fix(Fix::unsafe_(
                    "Use the Host header",
                    vec![FieldEdit::SetOption {
                        key: "forwarded_host".into(),
                        value: "host".into(),
                    }],
                )),
            );
        }
        let path = v.opt("login_path").trim();
        if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c == '\'') {
            diags.push(
                Diagnostic::new(
                    "DJ006",
                    field::option("login_path"),
                    format!("The login page path must start with / and have no spaces: {path}"),
                )
                .with_fix(Fix::unsafe_(
                    "Use /accounts/login/",
                    vec![FieldEdit::SetOption {
                        key: "login_path".into(),
                        value: "/accounts/login/".into(),
                    }],
                )),
            );
        }
        for (i, extra) in v.raw.extra_env.iter().enumerate() {
            let name = extra.name.trim();
            let remove = Fix::safe(
                format!("Remove {name}"),
                vec![FieldEdit::RemoveExtra { index: i }],
            );
            match name {
                "SECURE_PROXY_SSL_HEADER" | "DJANGO_SECURE_PROXY_SSL_HEADER" => diags.push(
                    Diagnostic::new(
                        "DJ001",
                        field::extra(i),
                        format!(
                            "{name} belongs in settings.py as a 2-tuple, not in the environment: the snippet sets it"
                        ),
                    )
                    .with_fix(remove),
                ),
                "USE_X_FORWARDED_PORT" | "DJANGO_USE_X_FORWARDED_PORT" => diags.push(
                    Diagnostic::new(
                        "DJ002",
                        field::extra(i),
                        format!("{name} never affects Django's Origin check"),
                    )
                    .with_fix(remove),
                ),
                _ => {
                    if let Some((_, read)) = NOT_READ.iter().find(|(n, _)| *n == name) {
                        diags.push(
                            Diagnostic::new(
                                "DJ005",
                                field::extra(i),
                                format!("The generated settings read {read}, not {name}"),
                            )
                            .with_fix(remove),
                        );
                    }
                }
            }
        }
    }

    fn plan(&self, v: &Valid<'_>) -> AppPlan {
        let origin_check = origin_check(v);
        let mut env = Vec::new();
        env.push(EnvVar::literal(
            ENV_ALLOWED_HOSTS,
            allowed_hosts(v).join(","),
            "The public host names, comma-separated; the settings fragment turns them into \
             ALLOWED_HOSTS. Django answers any other Host with 400 Bad Request (DisallowedHost), \
             so every name users open must be listed.",
            SRC_HOST,
        ));
        env.push(EnvVar::literal(
            ENV_TRUSTED_ORIGINS,
            trusted_origins(v).join(","),
            if origin_check {
                "The public origins, comma-separated, for CSRF_TRUSTED_ORIGINS. Since Django 4.0 \
                 the browser's Origin header is compared with them as exact strings: scheme and \
                 host, no path, no trailing slash, no default port. With the settings fragment the \
                 origin also matches through SECURE_PROXY_SSL_HEADER and the Host header; the list \
                 keeps login working where the Host reaching Django differs from the public host."
            } else {
                "The public host names (no scheme), comma-separated, for CSRF_TRUSTED_ORIGINS: \
                 before Django 4.0 the setting lists hosts, matched against the Referer of https \
                 requests. Django 4.0+ wants full origins (https://HOST) and reports 4_0.E001 \
                 for these values: regenerate when you upgrade."
            },
            SRC_CSRF,
        ));
        env.push(EnvVar::secret(
            ENV_SECRET_KEY,
            SecretSpec {
                slug: "secret-key",
                value: None,
                generate: Some(SecretGen::Text { bytes: 48 }),
                describe: "Django SECRET_KEY; the same on every instance",
            },
            "SECRET_KEY: signs sessions' authentication hash, password reset links and signed \
             cookies. One random value on every instance and across deploys, or users are logged \
             out when a request reaches another instance. Kept in the platform's secret store.",
            "django/contrib/auth/base_user.py _get_session_auth_hash (salted_hmac), \
             django/core/signing.py (5.2.19); Django deployment checklist (security.W009)",
        ));

        let mut reasons = vec![
            Reason {
                subject: "SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")"
                    .to_owned(),
                why: format!(
                    "TLS ends at the front end; Django gets plain http plus X-Forwarded-Proto: \
                     https. Without this setting request.is_secure() is False{}. It is a \
                     2-tuple in settings.py: a string such as \"HTTP_X_FORWARDED_PROTO,https\" \
                     (the popular copy-paste) raises ImproperlyConfigured. Safe only because every \
                     request passes through the front end, which sets the header. {}",
                    if origin_check {
                        ", so the Origin check expects http://HOST and refuses the browser's \
                         https:// origin (403 \"Origin checking failed\")"
                    } else {
                        " and Django 3.2 skips its strict https Referer check; the setting makes \
                         that check (and secure redirects) apply"
                    },
                    if v.version.is_some_and(|ver| ver < LEFTMOST_PROTO_FROM) {
                        "Before Django 4.1 the whole header must equal `https`: a chain of proxies \
                         that appends values (`https, http`) does not count as secure."
                    } else {
                        "From Django 4.1 the leftmost of comma-separated values counts."
                    }
                ),
                source: "django/http/request.py HttpRequest.scheme (5.2.19, 3.2.25); docs \
                         releases/4.1.txt; seed-systems.md §6.1, §6.5, §10.1"
                    .to_owned(),
            },
            Reason {
                subject: format!(
                    "USE_X_FORWARDED_HOST = {}",
                    if use_x_forwarded_host(v) {
                        "True"
                    } else {
                        "False"
                    }
                ),
                why: if use_x_forwarded_host(v) {
                    "Your front end rewrites Host and puts the public host in X-Forwarded-Host: \
                     get_host() then reads that header. Only safe when the front end overwrites \
                     a client's own X-Forwarded-Host; ALLOWED_HOSTS still limits the names."
                        .to_owned()
                } else {
                    format!(
                        "The front end passes the public Host header{}: Django's default reads \
                         it. Turning this on where the front end does not overwrite \
                         X-Forwarded-Host would let clients choose the host Django sees.",
                        if NO_X_FORWARDED_HOST.contains(&v.platform.id()) {
                            format!(" and {} sends no X-Forwarded-Host", v.platform.name())
                        } else {
                            String::new()
                        }
                    )
                },
                source: "django/http/request.py _get_raw_host (5.2.19); platforms.md §1.4, §2, \
                         §3, §4.3"
                    .to_owned(),
            },
            Reason {
                subject: "USE_X_FORWARDED_PORT is not set".to_owned(),
                why: "It is only read when a request has no Host header and for the Referer \
                      check with CSRF_COOKIE_DOMAIN; it never changes the Origin comparison."
                    .to_owned(),
                source:
                    "django/http/request.py get_port, _get_raw_host; django/middleware/csrf.py \
                         _check_referer; seed-systems.md §6.1"
                        .to_owned(),
            },
        ];
        if all_https(v) {
            reasons.push(Reason {
                subject: "SESSION_COOKIE_SECURE = True, CSRF_COOKIE_SECURE = True".to_owned(),
                why: "Every public URL is https: browsers then never send the session or CSRF \
                      cookie over plain http (both default to False)."
                    .to_owned(),
                source: "django/conf/global_settings.py (5.2.19); Django deployment checklist \
                         (security.W012, security.W016)"
                    .to_owned(),
            });
        }
        if v.platform.id() == "cloud-run" {
            reasons.push(Reason {
                subject: "Your server listens on $PORT".to_owned(),
                why: "Cloud Run sets PORT (8080 here) and sends requests there; start your WSGI \
                      or ASGI server on it, e.g. `gunicorn --bind :$PORT PROJECT.wsgi`."
                    .to_owned(),
                source: "cloud.google.com/run/docs/container-contract; platforms.md §1.2"
                    .to_owned(),
            });
        }

        AppPlan {
            env,
            container_port: 8080,
            // Your own code: no official image (Cloud Run then builds with --source=.).
            image: String::new(),
            snippet: Snippet {
                title: "settings.py fragment".to_owned(),
                language: "python",
                filename: "proxytrust_settings.py".to_owned(),
                body: snippet(v),
            },
            verify: verify_script(v),
            reasons,
        }
    }
}

/// The settings fragment: valid Python, reading the env block's variables.
fn snippet(v: &Valid<'_>) -> String {
    let origin_check = origin_check(v);
    let mut s = format!(
        "# Django {} behind a TLS-terminating front end ({}).\n\
         # Append to settings.py (or import it at its end): it reads the variables\n\
         # of the env block.\n\
         import os\n\n\n\
         def _env_list(name):\n    \
             \"\"\"A comma-separated environment variable as a list, spaces dropped.\"\"\"\n    \
             return [item.strip() for item in os.environ.get(name, \"\").split(\",\") if item.strip()]\n\n\n",
        version_label(v),
        v.platform.name()
    );
    s.push_str(
        "# One random key on every instance (sessions, password reset links).\n\
         SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n\n\
         # The public host names; any other Host gets 400 Bad Request.\n\
         ALLOWED_HOSTS = _env_list(\"DJANGO_ALLOWED_HOSTS\")\n\n",
    );
    if origin_check {
        s.push_str(
            "# Full origins (https://host[:port], no path, no trailing slash): Django 4.0+\n\
             # compares them as exact strings with the browser's Origin header.\n",
        );
    } else {
        s.push_str(
            "# Django before 4.0: host names (no scheme), matched against the Referer of\n\
             # https requests. Django 4.0+ wants full origins: regenerate when upgrading.\n",
        );
    }
    s.push_str("CSRF_TRUSTED_ORIGINS = _env_list(\"DJANGO_CSRF_TRUSTED_ORIGINS\")\n\n");
    s.push_str(
        "# TLS ends at the front end, which sends X-Forwarded-Proto: https. Without\n\
         # this, request.is_secure() is False",
    );
    if origin_check {
        s.push_str(
            " and the Origin check expects\n\
             # http://HOST (403 \"Origin checking failed\").",
        );
    } else {
        s.push('.');
    }
    s.push_str(
        " A 2-tuple, here in settings.py:\n\
         # a string from the environment raises ImproperlyConfigured.\n",
    );
    if v.version.is_some_and(|ver| ver < LEFTMOST_PROTO_FROM) {
        s.push_str("# Before Django 4.1 the header must be exactly \"https\".\n");
    }
    s.push_str(&format!(
        "SECURE_PROXY_SSL_HEADER = ({}, {})\n\n",
        str_literal("HTTP_X_FORWARDED_PROTO"),
        str_literal("https")
    ));
    if use_x_forwarded_host(v) {
        s.push_str(
            "# The front end rewrites Host and sends the public host in X-Forwarded-Host.\n\
             USE_X_FORWARDED_HOST = True\n\n",
        );
    } else {
        s.push_str(
            "# The front end passes the public Host header; X-Forwarded-Host is not trusted.\n\
             USE_X_FORWARDED_HOST = False\n\n",
        );
    }
    if all_https(v) {
        s.push_str(
            "# The public URLs are https: keep both cookies off plain http.\n\
             SESSION_COOKIE_SECURE = True\n\
             CSRF_COOKIE_SECURE = True\n",
        );
    } else {
        s.push_str(
            "# A public URL is plain http: Secure cookies would never be stored there.\n\
             SESSION_COOKIE_SECURE = False\n\
             CSRF_COOKIE_SECURE = False\n",
        );
    }
    s
}

/// The verify script: for every origin, fetch the login page and post its form back from that
/// origin with wrong credentials, as a browser does. 200 (the form again) means CSRF passed.
fn verify_script(v: &Valid<'_>) -> Script {
    let origins = v.origin_strings();
    let path = v.opt("login_path").trim();
    let path = if path.starts_with('/') {
        path
    } else {
        "/accounts/login/"
    };
    let mut s = Script::default();
    s.comment("Checks every public URL the way a browser posts a form (needs curl).");
    s.comment("Good: \"good:\" lines. Bad: a \"BAD:\" line says what to change.");
    s.raw("set -u");
    if origins.is_empty() {
        s.raw("echo 'BAD: no public URL was given to ProxyTrust'");
        return s;
    }
    let list: Vec<String> = origins.iter().map(|o| quote(o)).collect();
    s.raw(format!("origins=({})", list.join(" ")));
    s.raw(format!("login_path={}", quote(path)));
    s.raw("for origin in \"${origins[@]}\"; do");
    s.raw("jar=\"$(mktemp)\"");
    s.raw("headers=\"$(mktemp)\"");
    s.comment("1. The login page: 200 (400 means the host is missing from ALLOWED_HOSTS).");
    s.raw(
        "status=\"$(curl -sS -o \"$jar.html\" -w '%{http_code}' -c \"$jar\" -D \"$headers\" \"$origin$login_path\")\"",
    );
    s.raw("case \"$status\" in");
    s.raw("  200) echo \"good: $origin$login_path answers 200\" ;;");
    s.raw("  400) echo \"BAD: $origin answers 400: add its host to DJANGO_ALLOWED_HOSTS\" ;;");
    s.raw("  *) echo \"BAD: $origin$login_path answers HTTP $status\" ;;");
    s.raw("esac");
    s.raw(
        "token=\"$(sed -n 's/.*name=\"csrfmiddlewaretoken\" value=\"\\([^\"]*\\)\".*/\\1/p' \"$jar.html\" | head -n 1)\"",
    );
    s.raw("cookie=\"$(grep -i '^set-cookie: *csrftoken=' \"$headers\" | head -n 1 | tr -d '\\r' | tr '[:upper:]' '[:lower:]')\"");
    s.raw("if [ -z \"$cookie\" ]; then");
    s.raw("echo \"BAD: $origin sets no csrftoken cookie: is a proxy dropping Set-Cookie?\"");
    if all_https(v) {
        s.raw("else");
        s.raw("case \"$cookie\" in *'; secure'*) echo \"good: csrftoken is Secure\" ;; *) echo \"BAD: csrftoken is not Secure: set CSRF_COOKIE_SECURE = True\" ;; esac");
    }
    s.raw("fi");
    s.comment("2. Post the form back from this origin, as the browser does.");
    s.raw(
        "status=\"$(curl -sS -o /dev/null -w '%{http_code}' -b \"$jar\" \\\n    \
         -H \"Origin: $origin\" -H \"Referer: $origin$login_path\" \\\n    \
         --data-urlencode \"csrfmiddlewaretoken=$token\" \\\n    \
         --data-urlencode 'username=proxytrust-verify' --data-urlencode 'password=not-the-password' \\\n    \
         \"$origin$login_path\")\"",
    );
    s.raw("case \"$status\" in");
    s.raw("  200|302) echo \"good: $origin passes the CSRF check (HTTP $status)\" ;;");
    s.raw("  403) echo \"BAD: $origin gets 403: check SECURE_PROXY_SSL_HEADER and that $origin is in DJANGO_CSRF_TRUSTED_ORIGINS\" ;;");
    s.raw("  *) echo \"BAD: $origin: unexpected HTTP $status\" ;;");
    s.raw("esac");
    s.raw("rm -f \"$jar\" \"$jar.html\" \"$headers\"");
    s.raw("done");
    s
}

use Severity::{Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "DJ001",
        severity: Warning,
        name: "secure-proxy-ssl-header-in-env",
        explanation: "What: SECURE_PROXY_SSL_HEADER is set as an environment variable.\n\
Why: Django reads settings from settings.py, not from the environment, and the setting must be a \
2-tuple: a string such as `HTTP_X_FORWARDED_PROTO,https` that a settings file passes through \
raises `ImproperlyConfigured: The SECURE_PROXY_SSL_HEADER setting must be a tuple containing two \
values.` the first time `request.is_secure()` runs. The generated settings fragment sets \
`SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")`.\n\
Example: remove `SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https`.\n\
References: django/http/request.py HttpRequest.scheme (5.2.19); seed-systems.md §6.1, §6.5, §10.1.",
    },
    Code {
        code: "DJ002",
        severity: Warning,
        name: "forwarded-port-no-effect",
        explanation: "What: USE_X_FORWARDED_PORT is set.\n\
Why: Django reads X-Forwarded-Port only when a request has no Host header, and in the Referer \
check when CSRF_COOKIE_DOMAIN is set. It never changes the Origin comparison, so it does not fix \
`Origin checking failed`. The fix is SECURE_PROXY_SSL_HEADER plus the trusted origins.\n\
Example: remove `USE_X_FORWARDED_PORT=true`.\n\
References: django/http/request.py get_port, _get_raw_host; django/middleware/csrf.py \
_check_referer; seed-systems.md §6.1, §10.1.",
    },
    Code {
        code: "DJ003",
        severity: Info,
        name: "before-django-4",
        explanation: "What: the Django version is older than 4.0.\n\
Why: Django 3.2 has no Origin check; behind a TLS-terminating front end the request looks like \
plain http and even the Referer check is skipped, so forms work without settings. \
CSRF_TRUSTED_ORIGINS then holds host names (no scheme), matched against the Referer of https \
requests. Django 4.0 checks Origin and wants full origins (`https://host`): an upgrade without \
new values gives 403 and system check 4_0.E001. Regenerate with the new version when upgrading.\n\
Example: `svc-abc123-uc.a.run.app` (3.2) becomes `https://svc-abc123-uc.a.run.app` (4.0+).\n\
References: django/middleware/csrf.py (3.2.25, 5.2.19); core/checks/compatibility/django_4_0.py; \
seed-systems.md §6.4.",
    },
    Code {
        code: "DJ004",
        severity: Warning,
        name: "x-forwarded-host-not-sent",
        explanation: "What: USE_X_FORWARDED_HOST is chosen on a platform whose front end sends no \
X-Forwarded-Host.\n\
Why: Cloud Run and AWS ALB pass the public Host header and add no X-Forwarded-Host. With \
USE_X_FORWARDED_HOST on, Django would read the header whenever a client sends one itself, letting \
clients choose the host Django builds links with (ALLOWED_HOSTS still limits it). Keep it off.\n\
Example: `--set forwarded_host=host`.\n\
References: platforms.md §1.4 (Cloud Run), §2 (ALB); django/http/request.py _get_raw_host.",
    },
    Code {
        code: "DJ005",
        severity: Warning,
        name: "not-read-by-settings",
        explanation: "What: an extra variable has a name the generated settings fragment does not read.\n\
Why: the fragment reads DJANGO_CSRF_TRUSTED_ORIGINS, DJANGO_ALLOWED_HOSTS and DJANGO_SECRET_KEY \
and sets the settings after anything earlier in settings.py, so a bare CSRF_TRUSTED_ORIGINS, \
ALLOWED_HOSTS or SECRET_KEY variable changes nothing. ProxyTrust already writes the DJANGO_ \
names.\n\
Example: remove `CSRF_TRUSTED_ORIGINS=https://app.example.org`.\n\
References: the settings fragment (snippet block).",
    },
    Code {
        code: "DJ006",
        severity: Warning,
        name: "login-path-invalid",
        explanation: "What: the login page path does not start with `/` or has spaces or quotes.\n\
Why: the verify script fetches ORIGIN + path; anything else is not a path on the site.\n\
Example: `/accounts/login/` (Django's LOGIN_URL default) or `/admin/login/`.\n\
References: django/conf/global_settings.py LOGIN_URL.",
    },
];

/// Django's own messages, read generically. Apps built on Django come earlier in the registry
/// with their specific readings (Label Studio's `/user/login/`), which win on overlap.
static SIGNATURES: &[Signature] = &[
    Signature {
        id: "django-origin-checking-failed",
        pattern: r"Origin checking failed - (?P<origin>\S+?) does not match any trusted origins\.",
        apps: &["django", "cvat", "label-studio"],
        emitter: "Django's CSRF middleware (4.0+), on an unsafe request with an Origin header",
        cause: "The browser's Origin is neither the request's own scheme://host nor listed in \
                CSRF_TRUSTED_ORIGINS. Behind a TLS-terminating front end the request reaches \
                Django as plain http, so without SECURE_PROXY_SSL_HEADER Django expects \
                http://HOST while the browser sends https://HOST.",
        fix: "Set SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\") in settings.py \
              and list every public origin exactly in CSRF_TRUSTED_ORIGINS (ProxyTrust adds the \
              origin from the message).",
        references: "django/middleware/csrf.py REASON_BAD_ORIGIN, _origin_verified (5.2.19); \
                     seed-systems.md §6.2-6.5; tests/e2e_django.rs",
    },
    Signature {
        id: "django-referer-checking-failed",
        pattern: r"Referer checking failed - (?P<origin>https?://[^/\s]+)\S* does not match any trusted origins\.",
        apps: &["django", "cvat", "label-studio"],
        emitter: "Django's CSRF middleware, on an https request without an Origin header",
        cause: "The request counts as https (SECURE_PROXY_SSL_HEADER) and its Referer host is \
                neither the request's host nor in CSRF_TRUSTED_ORIGINS: typically the front end \
                rewrites Host, or the page posting the form lives on another host.",
        fix: "Add the Referer's origin to CSRF_TRUSTED_ORIGINS (Django 4.0+: https://HOST; before: \
              HOST), or pass the public Host through (USE_X_FORWARDED_HOST when the front end \
              sends X-Forwarded-Host).",
        references: "django/middleware/csrf.py REASON_BAD_REFERER, _check_referer (5.2.19; 3.2.25 \
                     process_view); seed-systems.md §6.2-6.3",
    },
    Signature {
        id: "django-referer-insecure",
        pattern: r"Referer checking failed - Referer is insecure while host is secure\.",
        apps: &["django", "cvat", "label-studio"],
        emitter: "Django's CSRF middleware, on an https request without an Origin header",
        cause: "Django sees the request as https but the Referer is http://: the form was served \
                over plain http (the front end lets http through, or absolute links point to \
                http://).",
        fix: "Serve every page over https (the front end's redirect, SECURE_SSL_REDIRECT) and make \
              links https://.",
        references: "django/middleware/csrf.py REASON_INSECURE_REFERER (5.2.19); seed-systems.md §6.3",
    },
    Signature {
        id: "django-referer-missing",
        pattern: r"Referer checking failed - no Referer\.",
        apps: &["django", "cvat", "label-studio"],
        emitter: "Django's CSRF middleware, on an https request without Origin and Referer",
        cause: "The request counts as https and carries neither Origin nor Referer: a \
                Referrer-Policy of no-referrer, or a script or tool posting without them.",
        fix: "Keep a Referrer-Policy that sends same-origin referrers (Django's default \
              SECURE_REFERRER_POLICY is same-origin), or send the Origin/Referer header from the \
              client.",
        references: "django/middleware/csrf.py REASON_NO_REFERER (5.2.19); seed-systems.md §6.3",
    },
    Signature {
        id: "django-csrf-cookie-not-set",
        pattern: r"CSRF cookie not set\.",
        apps: &["django", "cvat", "label-studio"],
        emitter: "Django's CSRF middleware",
        cause: "The POST came without the csrftoken cookie: a proxy dropped Set-Cookie, the \
                cookie is Secure but the page was loaded over http, or the cookie's domain or \
                SameSite setting kept the browser from sending it.",
        fix: "Make sure the front end passes Set-Cookie and Cookie, serve the site over https when \
              CSRF_COOKIE_SECURE is on, and keep CSRF_COOKIE_DOMAIN unset unless needed.",
        references: "django/middleware/csrf.py REASON_NO_CSRF_COOKIE (5.2.19); seed-systems.md §6.3",
    },
    Signature {
        id: "django-secure-proxy-ssl-header-not-tuple",
        pattern: r"The SECURE_PROXY_SSL_HEADER setting must be a tuple containing two values\.",
        apps: &["django", "cvat", "label-studio"],
        emitter: "Django's request (HttpRequest.scheme), raising ImproperlyConfigured",
        cause: "SECURE_PROXY_SSL_HEADER is not a 2-tuple: usually a string such as \
                \"HTTP_X_FORWARDED_PROTO,https\" copied into an environment variable and passed \
                through by settings.py.",
        fix: "Write SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\") in \
              settings.py (the ProxyTrust settings fragment does).",
        references: "django/http/request.py HttpRequest.scheme (5.2.19, 3.2.25); seed-systems.md \
                     §6.1, §6.5, §10.1",
    },
    Signature {
        id: "django-csrf-trusted-origins-scheme",
        pattern: r"As of Django 4\.0, the values in the CSRF_TRUSTED_ORIGINS setting must start with a scheme \(usually http:// or https://\) but found \S+?\.",
        apps: &["django", "cvat", "label-studio"],
        emitter: "Django's system check 4_0.E001 (manage.py check, runserver, migrate)",
        cause: "A CSRF_TRUSTED_ORIGINS entry has no scheme: the pre-4.0 host-name form. Django 4.0+ \
                compares entries with the Origin header as exact strings, so such an entry never \
                matches.",
        fix: "Write full origins: https://HOST (no path, no trailing slash). Set the Django \
              version in ProxyTrust to the one you run.",
        references: "django/core/checks/compatibility/django_4_0.py (5.2.19); seed-systems.md §6.4",
    },
    Signature {
        id: "django-disallowed-host",
        pattern: r"Invalid HTTP_HOST header: '[^'\s]*'\. You may need to add '[^'\s]*' to ALLOWED_HOSTS\.",
        apps: &["django", "cvat", "label-studio"],
        emitter: "Django's request.get_host() (DisallowedHost, answered with 400 Bad Request)",
        cause: "The Host the request carries (or X-Forwarded-Host with USE_X_FORWARDED_HOST) is not \
                in ALLOWED_HOSTS: a public URL nobody listed, or a front end that rewrites Host to \
                the upstream's address.",
        fix: "List every public host name in ALLOWED_HOSTS (DJANGO_ALLOWED_HOSTS in the generated \
              env); if the front end rewrites Host, let it send X-Forwarded-Host and turn on \
              USE_X_FORWARDED_HOST.",
        references: "django/http/request.py get_host (5.2.19); tests/e2e_django.rs",
    },
];

#[cfg(test)]
mod tests {

    use super::*;
    use crate::engine::diagnose::diagnose;
    use crate::engine::generate;
    use crate::engine::inputs::{ExtraVar, RawInputs};
    use crate::engine::test_support::{self, block, codes, env};

    const URL: &str = "https://svc-abc123-uc.a.run.app";

    fn raw(version: &str, opts: &[(&str, &str)]) -> RawInputs {
        let mut r = test_support::inputs(
            "django",
            "cloud-run",
            &[URL, "https://app.example.org"],
            &[&[("service", "svc"), ("region", "us-central1")], opts],
        );
        version.clone_into(&mut r.app_version);
        r
    }

    #[test]
    fn django_5_gets_full_origins_and_the_tuple() {
        let g = generate(&raw("", &[]));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        let e = env(&g);
        assert_eq!(
            e["DJANGO_CSRF_TRUSTED_ORIGINS"].0,
            format!("{URL},https://app.example.org")
        );
        assert_eq!(
            e["DJANGO_ALLOWED_HOSTS"].0,
            "svc-abc123-uc.a.run.app,app.example.org"
        );
        assert!(e["DJANGO_SECRET_KEY"].1);
        let s = block(&g, "snippet");
        assert!(s.contains("SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")"));
        assert!(s.contains("USE_X_FORWARDED_HOST = False"));
        assert!(s.contains("SESSION_COOKIE_SECURE = True"));
        assert!(s.contains("CSRF_COOKIE_SECURE = True"));
        assert!(s.contains("# Django 5.2.19 "), "{s}");
        // Your own code: built from source on Cloud Run.
        assert!(block(&g, "deploy").contains("--source=."));
    }

    #[test]
    fn django_3_2_gets_host_names() {
        let g = generate(&raw("3.2.25", &[]));
        assert_eq!(codes(&g), vec!["DJ003"]);
        assert_eq!(
            env(&g)["DJANGO_CSRF_TRUSTED_ORIGINS"].0,
            "svc-abc123-uc.a.run.app,app.example.org"
        );
        let s = block(&g, "snippet");
        assert!(s.contains("Django before 4.0: host names"), "{s}");
        assert!(s.contains("exactly \"https\""), "{s}");
        // 4.0 still compares the whole X-Forwarded-Proto value; 4.1 takes the leftmost.
        assert!(block(&generate(&raw("4.0.10", &[])), "snippet").contains("exactly \"https\""));
        assert!(!block(&generate(&raw("4.2.30", &[])), "snippet").contains("exactly \"https\""));
    }

    #[test]
    fn ports_stay_in_origins_and_leave_allowed_hosts() {
        let mut r = raw("", &[]);
        r.platform = "vm".into();
        r.options.clear();
        r.urls = vec!["http://intranet.example:8443".into()];
        let e = env(&generate(&r));
        assert_eq!(
            e["DJANGO_CSRF_TRUSTED_ORIGINS"].0,
            "http://intranet.example:8443"
        );
        assert_eq!(e["DJANGO_ALLOWED_HOSTS"].0, "intranet.example");
        r.app_version = "3.2".into();
        let g = generate(&r);
        assert_eq!(
            env(&g)["DJANGO_CSRF_TRUSTED_ORIGINS"].0,
            "intranet.example:8443"
        );
        assert!(block(&g, "snippet").contains("SESSION_COOKIE_SECURE = False"));
    }

    #[test]
    fn x_forwarded_host_on_cloud_run_is_reported_and_fixed() {
        let r = raw("", &[("forwarded_host", "x-forwarded-host")]);
        let g = generate(&r);
        assert_eq!(codes(&g), vec!["DJ004"]);
        assert!(block(&g, "snippet").contains("USE_X_FORWARDED_HOST = True"));
        let mut fixed = r.clone();
        g.diagnostics[0].fixes[0].apply(&mut fixed);
        assert!(generate(&fixed).diagnostics.is_empty());
    }

    #[test]
    fn copied_variables_are_reported_with_removal_fixes() {
        let mut r = raw("", &[]);
        for (n, val) in [
            ("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,https"),
            ("USE_X_FORWARDED_PORT", "true"),
            ("CSRF_TRUSTED_ORIGINS", URL),
            ("DJANGO_CSRF_TRUSTED_ORIGINS", URL),
        ] {
            r.extra_env.push(ExtraVar {
                name: n.into(),
                value: val.into(),
            });
        }
        let g = generate(&r);
        let c = codes(&g);
        for code in ["DJ001", "DJ002", "DJ005", "ENV002"] {
            assert!(c.contains(&code), "{code}: {c:?}");
        }
        for d in g.diagnostics.iter().filter(|d| d.code.starts_with("DJ")) {
            let mut fixed = r.clone();
            d.fixes[0].apply(&mut fixed);
            let after = generate(&fixed).diagnostics;
            assert!(!after.iter().any(|a| a.message == d.message), "{d:?}");
            assert!(!after.iter().any(|a| a.severity == Severity::Error));
        }
    }

    #[test]
    fn bad_login_path_is_reported_and_the_script_stays_sane() {
        let g = generate(&raw("", &[("login_path", "accounts login")]));
        assert_eq!(codes(&g), vec!["DJ006"]);
        assert!(block(&g, "verify").contains("login_path=/accounts/login/"));
    }

    #[test]
    fn no_url_never_panics() {
        let mut r = raw("", &[]);
        r.urls.clear();
        let g = generate(&r);
        assert!(block(&g, "verify").contains("BAD: no public URL"));
        assert!(block(&g, "snippet").contains("CSRF_COOKIE_SECURE = False"));
    }

    #[test]
    /// The explanations (What / Why / Example / References) are checked for every module's
    /// codes in diagnostics/codes.rs.
    fn codes_have_the_module_prefix() {
        for c in CODES {
            assert!(c.code.starts_with("DJ"), "{}", c.code);
        }
    }

    #[test]
    fn django_messages_are_recognised_and_label_studio_keeps_its_own() {
        let samples = [
            (
                "Forbidden (Origin checking failed - https://svc-abc123-uc.a.run.app does not match any trusted origins.): /accounts/login/",
                "django-origin-checking-failed",
            ),
            (
                "{\"detail\":\"CSRF Failed: Origin checking failed - https://cvat.example.org does not match any trusted origins.\"}",
                "django-origin-checking-failed",
            ),
            (
                "Forbidden (Referer checking failed - https://app.example.org/accounts/login/ does not match any trusted origins.): /accounts/login/",
                "django-referer-checking-failed",
            ),
            (
                "Forbidden (Referer checking failed - Referer is insecure while host is secure.): /accounts/login/",
                "django-referer-insecure",
            ),
            (
                "Forbidden (Referer checking failed - no Referer.): /accounts/login/",
                "django-referer-missing",
            ),
            (
                "Forbidden (CSRF cookie not set.): /accounts/login/",
                "django-csrf-cookie-not-set",
            ),
            (
                "django.core.exceptions.ImproperlyConfigured: The SECURE_PROXY_SSL_HEADER setting must be a tuple containing two values.",
                "django-secure-proxy-ssl-header-not-tuple",
            ),
            (
                "?: (4_0.E001) As of Django 4.0, the values in the CSRF_TRUSTED_ORIGINS setting must start with a scheme (usually http:// or https://) but found svc-abc123-uc.a.run.app. See the release notes for details.",
                "django-csrf-trusted-origins-scheme",
            ),
            (
                "Invalid HTTP_HOST header: '127.0.0.1:8000'. You may need to add '127.0.0.1' to ALLOWED_HOSTS.",
                "django-disallowed-host",
            ),
        ];
        for (text, id) in samples {
            let found = diagnose(text, &RawInputs::default());
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].signature, id, "{text}");
            assert_eq!(found[0].app, "django", "{text}");
        }
        let found = diagnose(
            "Forbidden (Origin checking failed - https://ls.example.com does not match any trusted origins.): /user/login/",
            &RawInputs::default(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].app, "label-studio");
        // The origin from the message fills the form.
        let found = diagnose(samples[0].0, &RawInputs::default());
        assert!(found[0].edits.contains(&FieldEdit::AddUrl {
            value: URL.to_owned()
        }));
    }

    #[test]
    fn every_signature_has_a_corpus_file_that_it_recognises() {
        for sig in SIGNATURES {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("tests/fixtures/errors/django__{}.txt", sig.id));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let found = diagnose(&text, &RawInputs::default());
            assert_eq!(found.len(), 1, "{}: {found:?}", sig.id);
            assert_eq!(found[0].signature, sig.id);
            assert_eq!(found[0].app, "django");
        }
    }
}
