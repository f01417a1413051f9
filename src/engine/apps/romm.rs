//! RomM (rommapp/romm), a FastAPI app protected by starlette-csrf.
//!
//! What matters behind a proxy (shared/knowledge/seed-systems.md §3, §8, §10.3; every fact below
//! re-read from the release tags of rommapp/romm):
//! * CSRF: double submit with cookie `romm_csrftoken` (3.4.0+; `csrftoken` before) and header
//!   `x-csrftoken`, signed with
//!   `ROMM_AUTH_SECRET_KEY` (`backend/main.py`). Unsafe requests are checked unless a pattern in
//!   `exempt_urls` matches `request.url.path` with `re.match`, i.e. the whole path from the start
//!   (starlette_csrf/middleware.py; §8.1).
//! * 3.4.0 put every router under `prefix="/api"` (commit 45aeaf326) but kept the patterns
//!   `^/token.*`, `^/ws`: `POST /api/token` got `403 CSRF token verification failed` until 3.6.0
//!   changed the first to `^/api/token.*` (PR #1303, issue #1218). The Socket.IO apps stayed
//!   mounted at `/ws` (and from 4.5.0 `/netplay`), **outside** `/api`: the write-up's `^/api/ws` is
//!   wrong (§10.3). The per-version lists are [`STOCK_EXEMPT`].
//! * Up to 4.4.0 the middleware is starlette-csrf 3.0.0 (lock files) behind `CustomCSRFMiddleware`,
//!   which only lets non-HTTP scopes through; with `sensitive_cookies` unset it checks API clients
//!   that send `Authorization: Bearer/Basic` too (issue #1505, 3.7.2). 4.4.1 vendors the class as
//!   `CSRFMiddleware` and skips requests whose Authorization scheme is `bearer` or `basic`
//!   (commit 551ff72a8; narrowed after 5.2.0 by PR #4648 to requests no session authenticated).
//! * `ROMM_AUTH_SECRET_KEY`: before 4.1.0 each Python process made its own
//!   (`secrets.token_hex(32)` default), 4.1.0 moved that to the image's init script (one per
//!   container, commit a1519a4b0), 4.2.0 makes the backend refuse to start without it
//!   (`ValueError: ROMM_AUTH_SECRET_KEY environment variable is not set!`, commit 347767e43) while
//!   the image still generates one per container. A token or session signed by one instance fails
//!   on another, so one generated value is shared by all (as `open_webui.rs` does for its key).
//! * Sessions: a JWT cookie signed with the key up to 4.4.x; Redis-backed (`RedisSessionMiddleware`,
//!   cookie `romm_session`) from 4.5.0. Socket.IO uses `AsyncRedisManager`. Without `REDIS_HOST`
//!   each container starts its own Valkey: several instances need one external Redis.
//! * 5.1.0 adds `ROMM_SESSION_SECURE_COOKIE` (Secure on `romm_session` and `romm_csrftoken`) and
//!   `ROMM_CORS_ALLOWED_ORIGINS` (comma list, default `*`); `ROMM_BASE_URL` exists from 3.10.0.
//! * Image `rommapp/romm:<X.Y.Z>` (docker/metadata-action `type=semver,pattern={{version}}`,
//!   .github/workflows/build.yml); nginx listens on `ROMM_PORT` (default 8080) and proxies `/api`,
//!   `/ws`, `/netplay` to gunicorn (docker/nginx/templates/default.conf.template).
//!
//! References: seed-systems.md §3.1-3.5, §8.1, §10.3; rommapp/romm tags 3.0.0-5.2.0
//! (`backend/main.py`, `backend/config/__init__.py`, `backend/handler/auth/middleware*`,
//! `docker/init_scripts/init`, `env.template`); tests/e2e_starlette_csrf.rs.

use crate::engine::Valid;
use crate::engine::diagnose::Signature;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, FieldEdit, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{AppPlan, EnvVar, Reason, SecretGen, SecretSpec, Snippet};
use crate::engine::render::python::{raw_lit, re_escape, str_literal};
use crate::engine::render::shell::{Script, quote};
use crate::engine::version::Version;

use super::App;
use super::fastapi::{Reach, check_route_prefix, normalise_prefix, prefix_ok, reach, with_prefix};

pub struct Romm;

/// Versions whose rules differ, newest first (each a release tag read).
static VERSIONS: &[&str] = &[
    "5.2.0", "5.1.0", "4.4.1", "4.2.0", "3.6.0", "3.5.1", "3.3.0",
];

const fn rv(major: u32, minor: u32, patch: u32) -> Version {
    Version::new(major, minor, patch)
}

/// Oldest tag read.
const OLDEST_READ: Version = rv(3, 0, 0);
/// Routers under `prefix="/api"` (commit 45aeaf326).
const API_PREFIX_FROM: Version = rv(3, 4, 0);
/// `^/api/token.*` (commit f5941ec33, PR #1303).
const TOKEN_FIXED_FROM: Version = rv(3, 6, 0);
/// mysql and postgresql drivers (backend/config/config_manager.py).
const DRIVERS_FROM: Version = rv(3, 7, 0);
/// `ROMM_BASE_URL` is read (backend/config/__init__.py).
const BASE_URL_FROM: Version = rv(3, 10, 0);
/// The backend refuses to start without `ROMM_AUTH_SECRET_KEY` (commit 347767e43).
const KEY_REQUIRED_FROM: Version = rv(4, 2, 0);
/// Vendored `CSRFMiddleware` with the Authorization bypass (commit 551ff72a8).
const AUTH_BYPASS_FROM: Version = rv(4, 4, 1);
/// Redis-backed sessions; `/netplay` mount.
const REDIS_SESSIONS_FROM: Version = rv(4, 5, 0);
/// `ROMM_SESSION_SECURE_COOKIE`, `ROMM_CORS_ALLOWED_ORIGINS` (commit 49e16cd2c).
const SECURE_COOKIE_FROM: Version = rv(5, 1, 0);

/// The `exempt_urls` of the stock image, verbatim from `backend/main.py` at each tag where the
/// list changed (newest first). Checked tags: every X.Y.Z from 3.0.0 to 5.2.0.
pub(crate) static STOCK_EXEMPT: &[(Version, &[&str])] = &[
    (
        rv(5, 0, 0),
        &[
            "^/api/token.*",
            "^/api/client-tokens/exchange",
            "^/api/client-tokens/pair/.+/status",
            "^/api/auth/device/init/?$",
            "^/api/auth/device/token/?$",
            "^/ws",
            "^/netplay",
        ],
    ),
    (
        rv(4, 8, 0),
        &[
            "^/api/token.*",
            "^/api/client-tokens/exchange",
            "^/api/client-tokens/pair/.+/status",
            "^/ws",
            "^/netplay",
        ],
    ),
    (rv(4, 5, 0), &["^/api/token.*", "^/ws", "^/netplay"]),
    (rv(3, 6, 0), &["^/api/token.*", "^/ws"]),
    (rv(3, 0, 0), &["^/token.*", "^/ws"]),
];

/// The same lists as parts: router patterns after the prefix, and the mounts, each with the
/// version that added it. The generated (custom build) list is built from these.
static ROUTER_TAILS: &[(Version, &str)] = &[
    (rv(3, 0, 0), "/token.*"),
    (rv(4, 8, 0), "/client-tokens/exchange"),
    (rv(4, 8, 0), "/client-tokens/pair/.+/status"),
    (rv(5, 0, 0), "/auth/device/init/?$"),
    (rv(5, 0, 0), "/auth/device/token/?$"),
];
static MOUNTS: &[(Version, &str)] = &[(rv(3, 0, 0), "/ws"), (rv(4, 5, 0), "/netplay")];

const SRC_MAIN: &str = "rommapp/romm backend/main.py (tags 3.0.0-5.2.0: CSRF block, include_router \
prefix, app.mount); starlette_csrf/middleware.py _url_is_exempt; seed-systems.md §3.1, §10.3";
const SRC_KEY: &str = "rommapp/romm backend/config/__init__.py (3.5.1: secrets.token_hex(32) default; \
4.2.0+: ValueError when unset), docker/init_scripts/init (4.1.0+: one key per container), \
env.template (`openssl rand -hex 32`); commits a1519a4b0, 347767e43; seed-systems.md §3.2";
const SRC_DB: &str = "rommapp/romm env.template (5.2.0) DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWD, \
ROMM_DB_DRIVER; backend/config/__init__.py; backend/config/config_manager.py (mysql, postgresql \
from 3.7.0)";
const SRC_REDIS: &str = "rommapp/romm backend/config/__init__.py REDIS_HOST/REDIS_PORT; \
docker/init_scripts/init (internal Valkey unless REDIS_HOST is set); \
backend/handler/auth/middleware/redis_session_middleware.py (4.5.0+); \
backend/handler/socket_handler.py (AsyncRedisManager)";

const BUILDS: &[(&str, &str)] = &[
    ("stock", "Official image (rommapp/romm)"),
    ("custom", "Fork or custom build (your main.py)"),
];
const DRIVERS: &[(&str, &str)] = &[
    ("mariadb", "MariaDB"),
    ("mysql", "MySQL (3.7.0+)"),
    ("postgresql", "PostgreSQL (3.7.0+)"),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "build",
        label: "Build",
        help: "The official image, or your fork: then the snippet is the CSRF block for backend/main.py",
        kind: OptionKind::Choice(BUILDS),
        default: "stock",
    },
    OptionSpec {
        key: "route_prefix",
        label: "Route prefix",
        help: "Custom builds: the prefix the routers are included with (stock RomM: /api since 3.4.0)",
        kind: OptionKind::Text,
        default: "/api",
    },
    OptionSpec {
        key: "exempt_urls",
        label: "Exempt patterns in your build",
        help: "Custom builds: the regexes in exempt_urls today, separated by spaces (r\"...\" as pasted from main.py works too); they are checked against the prefix",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "database",
        label: "Database",
        help: "ROMM_DB_DRIVER",
        kind: OptionKind::Choice(DRIVERS),
        default: "mariadb",
    },
    OptionSpec {
        key: "db_host",
        label: "Database host",
        help: "DB_HOST: an address the service can reach (required)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "db_port",
        label: "Database port",
        help: "DB_PORT; empty: 3306 (MariaDB/MySQL) or 5432 (PostgreSQL)",
        kind: OptionKind::Integer,
        default: "",
    },
    OptionSpec {
        key: "db_name",
        label: "Database name",
        help: "DB_NAME",
        kind: OptionKind::Text,
        default: "romm",
    },
    OptionSpec {
        key: "db_user",
        label: "Database user",
        help: "DB_USER; its password is a secret (DB_PASSWD)",
        kind: OptionKind::Text,
        default: "romm",
    },
    OptionSpec {
        key: "redis_host",
        label: "Redis host",
        help: "REDIS_HOST; empty: each container runs its own Valkey (one instance only)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "instances",
        label: "Instances",
        help: "How many instances may run at once; empty: the platform's max instances",
        kind: OptionKind::Integer,
        default: "",
    },
];

// --- Version rules -----------------------------------------------------------------------------

/// The version the rules are applied for (the newest known when none is given).
fn ver(v: &Valid<'_>) -> Version {
    v.version.unwrap_or(rv(5, 2, 0))
}

fn stock_exempt(at: Version) -> &'static [&'static str] {
    STOCK_EXEMPT
        .iter()
        .find(|(from, _)| at >= *from)
        .map_or(STOCK_EXEMPT[STOCK_EXEMPT.len() - 1].1, |(_, l)| *l)
}

fn mounts(at: Version) -> Vec<&'static str> {
    MOUNTS
        .iter()
        .filter(|(from, _)| at >= *from)
        .map(|(_, m)| *m)
        .collect()
}

/// The exempt list a build with routers under `prefix` needs at version `at`.
pub(crate) fn needed_exempt(at: Version, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = ROUTER_TAILS
        .iter()
        .filter(|(from, _)| at >= *from)
        .map(|(_, tail)| format!("^{}{tail}", re_escape(prefix)))
        .collect();
    out.extend(mounts(at).iter().map(|m| format!("^{m}")));
    out
}

/// The CSRF cookie: `romm_csrftoken` from 3.4.0 (commit d17cdd687), starlette-csrf's default
/// `csrftoken` before.
fn csrf_cookie(at: Version) -> &'static str {
    if at >= API_PREFIX_FROM {
        "romm_csrftoken"
    } else {
        "csrftoken"
    }
}

fn custom(v: &Valid<'_>) -> bool {
    v.opt("build").trim() == "custom"
}

/// The prefix the routers really have: stock RomM's, or the typed one for custom builds.
fn prefix(v: &Valid<'_>) -> String {
    if custom(v) {
        normalise_prefix(v.opt("route_prefix"))
    } else if ver(v) >= API_PREFIX_FROM {
        "/api".to_owned()
    } else {
        String::new()
    }
}

/// The patterns typed for a custom build: quoted strings when pasted from Python
/// (`re.compile(r"^/ws")`), otherwise words separated by spaces.
pub(crate) fn typed_patterns(s: &str) -> Vec<String> {
    if !s.contains(['"', '\'']) {
        return s
            .split_whitespace()
            .map(|w| w.trim_end_matches(',').to_owned())
            .filter(|w| !w.is_empty())
            .collect();
    }
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            let mut lit = String::new();
            while let Some(n) = chars.next() {
                if n == '\\' {
                    lit.push(n);
                    if let Some(e) = chars.next() {
                        lit.push(e);
                    }
                } else if n == c {
                    break;
                } else {
                    lit.push(n);
                }
            }
            if !lit.is_empty() {
                out.push(lit);
            }
        }
    }
    out
}

fn https(v: &Valid<'_>) -> bool {
    v.origins.first().is_some_and(|o| o.scheme == "https")
}

fn parse_count(s: &str) -> Option<u32> {
    s.trim().parse::<u32>().ok()
}

fn platform_has(v: &Valid<'_>, key: &str) -> bool {
    v.platform.options().iter().any(|s| s.key == key)
}

/// The larger of the app's `instances` option and the platform's `max_instances`, at least 1.
fn instances(v: &Valid<'_>) -> u32 {
    let app = parse_count(v.opt("instances")).unwrap_or(1);
    let platform = if platform_has(v, "max_instances") {
        parse_count(v.opt("max_instances")).unwrap_or(1)
    } else {
        1
    };
    app.max(platform).max(1)
}

fn one_instance_fix(v: &Valid<'_>) -> Fix {
    let mut edits = Vec::new();
    for key in ["instances", "max_instances", "min_instances"] {
        if (key == "instances" || platform_has(v, key))
            && parse_count(v.opt(key)).is_some_and(|n| n > 1)
        {
            edits.push(FieldEdit::SetOption {
                key: key.into(),
                value: "1".into(),
            });
        }
    }
    Fix::unsafe_("Run one instance", edits)
}

fn db_port(v: &Valid<'_>) -> String {
    let typed = v.opt("db_port").trim();
    if !typed.is_empty() {
        typed.to_owned()
    } else if v.opt("database").trim() == "postgresql" {
        "5432".to_owned()
    } else {
        "3306".to_owned()
    }
}

use crate::engine::diagnostics::set_option;

fn upgrade(to: &str) -> Fix {
    Fix::unsafe_(
        format!("Use RomM {to}"),
        vec![FieldEdit::SetVersion {
            value: to.to_owned(),
        }],
    )
}

/// Writes a typed list back into the option, one pattern per word.
fn join_patterns(list: &[String]) -> String {
    list.join(" ")
}

impl Romm {
    fn image(v: &Valid<'_>) -> String {
        if custom(v) {
            return String::new();
        }
        let typed = v.raw.app_version.trim();
        let tag = if typed.is_empty() {
            VERSIONS[0]
        } else {
            typed.trim_start_matches(['v', 'V'])
        };
        format!("docker.io/rommapp/romm:{tag}")
    }
}

impl App for Romm {
    fn id(&self) -> &'static str {
        "romm"
    }
    fn name(&self) -> &'static str {
        "RomM"
    }
    fn summary(&self) -> &'static str {
        "ROM manager (FastAPI + starlette-csrf): API POST 403 CSRF token verification failed"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn known_versions(&self) -> &'static [&'static str] {
        VERSIONS
    }
    fn websockets(&self) -> bool {
        // Socket.IO at /ws and /netplay (backend/handler/socket_handler.py; nginx passes Upgrade).
        true
    }
    fn codes(&self) -> &'static [Code] {
        CODES
    }
    fn signatures(&self) -> &'static [Signature] {
        SIGNATURES
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let at = ver(v);
        if v.version.is_some_and(|x| x < OLDEST_READ) {
            diags.push(Diagnostic::new(
                "RM014",
                field::VERSION,
                format!("RomM {at} is older than the versions read: the 3.0.0 rules apply"),
            ));
        }
        let prefix = prefix(v);
        let mounts = mounts(at);

        // Stock image: its own list for this version.
        if !custom(v) {
            if at >= API_PREFIX_FROM && at < TOKEN_FIXED_FROM {
                diags.push(
                    Diagnostic::new(
                        "RM001",
                        field::VERSION,
                        format!(
                            "RomM {at} exempts ^/token.* but serves the token endpoint at /api/token: POST /api/token fails"
                        ),
                    )
                    .with_fix(upgrade("3.6.0"))
                    .with_fix(upgrade(VERSIONS[0])),
                );
            }
            let typed_prefix = v.opt("route_prefix").trim();
            let typed_list = v.opt("exempt_urls").trim();
            if typed_prefix != "/api" || !typed_list.is_empty() {
                let mut d = Diagnostic::new(
                    "RM006",
                    field::option("build"),
                    "Route prefix and exempt patterns apply to custom builds; the official image has its own",
                );
                // Switching is offered when it brings no error of its own (RM003, RM004, RM007).
                let custom_prefix = normalise_prefix(typed_prefix);
                let clean = prefix_ok(v.opt("route_prefix"))
                    && typed_patterns(typed_list).iter().all(|p| {
                        !matches!(
                            reach(p, &custom_prefix, &mounts),
                            Reach::Nowhere | Reach::MountUnderPrefix(_)
                        )
                    });
                // On ECS and Kubernetes a custom build also needs the pushed image's reference,
                // which a fix cannot know.
                let image_known = !v.platform.needs_pushed_image_for_own_code()
                    || !v.opt("image").trim().is_empty();
                if clean && image_known {
                    d = d.with_fix(Fix::unsafe_(
                        "It is a custom build",
                        set_option("build", "custom"),
                    ));
                }
                diags.push(d.with_fix(Fix::safe(
                    "Use the official image's",
                    vec![
                        FieldEdit::SetOption {
                            key: "route_prefix".into(),
                            value: "/api".into(),
                        },
                        FieldEdit::SetOption {
                            key: "exempt_urls".into(),
                            value: String::new(),
                        },
                    ],
                )));
            }
        } else {
            check_route_prefix(v, "RM007", diags);
            let typed = typed_patterns(v.opt("exempt_urls"));
            let shown = if prefix.is_empty() { "/" } else { &prefix };
            for (i, p) in typed.iter().enumerate() {
                let replaced = |with: Option<String>| {
                    let mut list = typed.clone();
                    match with {
                        Some(w) if !list.contains(&w) => list[i] = w,
                        _ => {
                            list.remove(i);
                        }
                    }
                    set_option("exempt_urls", join_patterns(&list))
                };
                match reach(p, &prefix, &mounts) {
                    Reach::Nowhere => {
                        let fixed = with_prefix(p, &prefix);
                        diags.push(
                            Diagnostic::new(
                                "RM003",
                                field::option("exempt_urls"),
                                format!(
                                    "This pattern never matches a route under {shown} nor the socket mounts ({}): {p}",
                                    mounts.join(", ")
                                ),
                            )
                            .with_fix(Fix::unsafe_(
                                format!("Use {fixed}"),
                                replaced(Some(fixed.clone())),
                            )),
                        );
                    }
                    Reach::MountUnderPrefix(m) => {
                        let fixed = format!("^{m}");
                        diags.push(
                            Diagnostic::new(
                                "RM004",
                                field::option("exempt_urls"),
                                format!(
                                    "Socket.IO is mounted at {m}, outside {shown}; this pattern matches nothing: {p}"
                                ),
                            )
                            .with_fix(Fix::unsafe_(
                                format!("Use {fixed}"),
                                replaced(Some(fixed.clone())),
                            )),
                        );
                    }
                    Reach::AllRoutes => {
                        diags.push(
                            Diagnostic::new(
                                "RM005",
                                field::option("exempt_urls"),
                                format!(
                                    "This pattern exempts every route under {shown}: CSRF protection is off for the whole API: {p}"
                                ),
                            )
                            .with_fix(Fix::unsafe_(format!("Remove {p}"), replaced(None))),
                        );
                    }
                    Reach::Routes | Reach::Mount(_) | Reach::Unknown => {}
                }
            }
            if platform_has(v, "image") && v.opt("image").trim().is_empty() {
                diags.push(Diagnostic::new(
                    "RM013",
                    field::option("image"),
                    "Custom build: build your image (docker/Dockerfile) and set it as the container image",
                ));
            }
        }

        if at < AUTH_BYPASS_FROM {
            diags.push(
                Diagnostic::new(
                    "RM002",
                    field::VERSION,
                    format!(
                        "RomM {at} checks CSRF on API POST/PUT/DELETE with Basic or Bearer auth too (fixed in 4.4.1)"
                    ),
                )
                .with_fix(upgrade("4.4.1"))
                .with_fix(upgrade(VERSIONS[0])),
            );
        }

        // Database and Redis.
        if v.opt("db_host").trim().is_empty() {
            diags.push(Diagnostic::new(
                "RM009",
                field::option("db_host"),
                "RomM needs a database: DB_HOST is empty",
            ));
        }
        let driver = v.opt("database").trim();
        if at < DRIVERS_FROM && driver != "mariadb" {
            diags.push(
                Diagnostic::new(
                    "RM010",
                    field::option("database"),
                    format!("RomM {at} supports only MariaDB: {driver}"),
                )
                .with_fix(Fix::unsafe_(
                    "Use MariaDB",
                    set_option("database", "mariadb"),
                )),
            );
        }
        let n = instances(v);
        if n > 1 && v.opt("redis_host").trim().is_empty() {
            diags.push(
                Diagnostic::new(
                    "RM008",
                    field::option("redis_host"),
                    format!(
                        "Up to {n} instances without an external Redis: each container keeps its own {}",
                        if at >= REDIS_SESSIONS_FROM {
                            "sessions and Socket.IO events"
                        } else {
                            "Socket.IO events and task queue"
                        }
                    ),
                )
                .with_fix(one_instance_fix(v)),
            );
        }

        // Extra variables.
        for (i, extra) in v.raw.extra_env.iter().enumerate() {
            let name = extra.name.trim();
            let value = extra.value.trim().to_ascii_lowercase();
            let remove = Fix::safe(
                format!("Remove {name}"),
                vec![FieldEdit::RemoveExtra { index: i }],
            );
            if name == "DISABLE_CSRF_PROTECTION"
                && matches!(value.as_str(), "1" | "true" | "yes" | "on")
            {
                diags.push(
                    Diagnostic::new(
                        "RM011",
                        field::extra(i),
                        "DISABLE_CSRF_PROTECTION turns CSRF protection off for every route",
                    )
                    .with_fix(remove),
                );
            } else if matches!(
                name,
                "ROMM_SESSION_SECURE_COOKIE" | "ROMM_CORS_ALLOWED_ORIGINS"
            ) && at < SECURE_COOKIE_FROM
            {
                diags.push(
                    Diagnostic::new(
                        "RM012",
                        field::extra(i),
                        format!("RomM {at} does not read {name} (added in 5.1.0)"),
                    )
                    .with_fix(remove),
                );
            }
        }
    }

    fn plan(&self, v: &Valid<'_>) -> AppPlan {
        let at = ver(v);
        let origins = v.origin_strings();
        let mut env = Vec::new();
        env.push(EnvVar::secret(
            "ROMM_AUTH_SECRET_KEY",
            SecretSpec {
                slug: "auth-secret-key",
                value: None,
                generate: Some(SecretGen::Hex { bytes: 32 }),
                describe: "signs CSRF tokens, sessions and API tokens; the same on every instance",
            },
            if at >= KEY_REQUIRED_FROM {
                "Signs the CSRF token in romm_csrftoken, the session and the API tokens. Required: \
                 the backend stops with `ValueError: ROMM_AUTH_SECRET_KEY environment variable is \
                 not set!` without it, and the image's start script then makes one per container, \
                 so a token from one instance fails on the next (403 CSRF token verification \
                 failed). One value, 32 random bytes as hex (`openssl rand -hex 32`, as RomM's \
                 env.template says), shared by every instance."
            } else {
                "Signs the CSRF token in romm_csrftoken and the session. This version does not \
                 require it, but without it each container (4.1.x) or even each worker process \
                 (before 4.1.0) makes its own, so a token from one fails on another (403 CSRF \
                 token verification failed). One value, 32 random bytes as hex, shared by every \
                 instance; it is required from 4.2.0."
            },
            SRC_KEY,
        ));
        if at >= BASE_URL_FROM
            && let Some(first) = origins.first()
        {
            env.push(EnvVar::literal(
                "ROMM_BASE_URL",
                first.clone(),
                "Public URL of this instance (env.template): used for invite and password-reset \
                 links. It does not affect the CSRF check.",
                "rommapp/romm backend/config/__init__.py, handler/auth/base_handler.py, \
                 env.template (3.10.0+); seed-systems.md §3.2",
            ));
        }
        if at >= SECURE_COOKIE_FROM {
            if !origins.is_empty() {
                env.push(EnvVar::literal(
                    "ROMM_CORS_ALLOWED_ORIGINS",
                    origins.join(","),
                    "The origins the browser uses, comma-separated (each stripped). Unset it is `*` \
                     with credentials allowed; listing the public origins is stricter.",
                    "rommapp/romm backend/config/__init__.py ROMM_CORS_ALLOWED_ORIGINS, main.py \
                     CORSMiddleware (5.1.0+); seed-systems.md §3.2",
                ));
            }
            if https(v) {
                env.push(EnvVar::literal(
                    "ROMM_SESSION_SECURE_COOKIE",
                    "true",
                    "Marks romm_session and romm_csrftoken Secure: the public URL is https. Parsed \
                     as 1/true/yes/on.",
                    "rommapp/romm backend/config/__init__.py, main.py (cookie_secure=, \
                     https_only=) (5.1.0+); utils/database.py safe_str_to_bool",
                ));
            }
        }
        let driver = v.opt("database").trim();
        env.push(EnvVar::literal(
            "ROMM_DB_DRIVER",
            driver,
            "The database driver (mariadb, mysql, postgresql).",
            SRC_DB,
        ));
        for (name, value, why) in [
            (
                "DB_HOST",
                v.opt("db_host").trim().to_owned(),
                "Database host the service can reach (required).",
            ),
            (
                "DB_PORT",
                db_port(v),
                "Database port; RomM's default is 3306, so PostgreSQL needs 5432 written out.",
            ),
            (
                "DB_NAME",
                v.opt("db_name").trim().to_owned(),
                "Database name.",
            ),
            (
                "DB_USER",
                v.opt("db_user").trim().to_owned(),
                "Database user.",
            ),
        ] {
            env.push(EnvVar::literal(name, value, why, SRC_DB));
        }
        env.push(EnvVar::secret(
            "DB_PASSWD",
            SecretSpec {
                slug: "db-password",
                value: None,
                generate: None,
                describe: "password of the database user",
            },
            "Database password. A secret: kept in the platform's secret store.",
            SRC_DB,
        ));
        let redis = v.opt("redis_host").trim();
        if !redis.is_empty() {
            env.push(EnvVar::literal(
                "REDIS_HOST",
                redis,
                "External Redis/Valkey shared by every instance (sessions from 4.5.0, Socket.IO \
                 events, tasks). Set, the image does not start its own Valkey.",
                SRC_REDIS,
            ));
            env.push(EnvVar::literal(
                "REDIS_PORT",
                "6379",
                "Redis port (RomM's default).",
                SRC_REDIS,
            ));
        }

        let mut reasons = vec![Reason {
            subject: "Exempt patterns".to_owned(),
            why: format!(
                "starlette-csrf matches exempt_urls with re.match against the whole request \
                 path. RomM's routers are included with prefix=\"{p}\", so the token endpoint is \
                 {p}/token and its pattern must start with {p}; the Socket.IO apps are mounted at \
                 /ws and /netplay, outside the prefix, so their patterns stay ^/ws and ^/netplay \
                 (^/api/ws matches nothing). RomM {at} exempts: {list}.",
                p = prefix(v),
                list = if custom(v) {
                    exempt_for_snippet(v).join(" ")
                } else {
                    stock_exempt(at).join(" ")
                },
            ),
            source: SRC_MAIN.to_owned(),
        }];
        reasons.push(Reason {
            subject: "API clients".to_owned(),
            why: if at >= AUTH_BYPASS_FROM {
                "Get a token from POST /api/token (exempt) and send `Authorization: Bearer \
                 <token>`: since 4.4.1 requests with a Bearer or Basic Authorization header \
                 skip the CSRF check (after 5.2.0 only when no session cookie authenticated the \
                 request, PR #4648)."
                    .to_owned()
            } else {
                "Before 4.4.1 starlette-csrf checks every unsafe request, Bearer and Basic \
                 included (issue #1505): API clients must send the romm_csrftoken cookie and the \
                 same value in the x-csrftoken header on POST/PUT/DELETE, or upgrade to 4.4.1+."
                    .to_owned()
            },
            source: "rommapp/romm backend/handler/auth/middleware/csrf_middleware.py (4.4.1+, \
                     commit 551ff72a8); issues #1505, #4648; seed-systems.md §3.1, §3.4"
                .to_owned(),
        });
        reasons.push(Reason {
            subject: "Image and port".to_owned(),
            why: if custom(v) {
                "A custom build has no official image: build docker/Dockerfile from your fork and \
                 set it as the platform's container image. The image's nginx listens on 8080 \
                 (ROMM_PORT) and proxies /api, /ws and /netplay to gunicorn."
                    .to_owned()
            } else {
                "docker.io/rommapp/romm with the release tag (X.Y.Z). Its nginx listens on 8080 \
                 (ROMM_PORT) and proxies /api, /ws and /netplay to gunicorn, passing Upgrade for \
                 the sockets."
                    .to_owned()
            },
            source: "rommapp/romm .github/workflows/build.yml (type=semver,pattern={{version}}); \
                     docker/Dockerfile (EXPOSE 8080); docker/init_scripts/docker-entrypoint.sh \
                     (ROMM_PORT=8080); docker/nginx/templates/default.conf.template"
                .to_owned(),
        });
        reasons.push(Reason {
            subject: "Library and resources".to_owned(),
            why: "RomM reads the ROM library from /romm/library and keeps covers and uploads in \
                  /romm/resources and /romm/assets: mount storage there (on Cloud Run a Cloud \
                  Storage or NFS volume); a container's own disk is lost when it stops."
                .to_owned(),
            source: "rommapp/romm examples/docker-compose.example.yml (volumes)".to_owned(),
        });

        AppPlan {
            env,
            container_port: 8080,
            image: Self::image(v),
            snippet: if custom(v) {
                Snippet {
                    title: "CSRF block for backend/main.py (custom build)".to_owned(),
                    language: "python",
                    filename: "romm-csrf.py".to_owned(),
                    body: custom_snippet(v),
                }
            } else {
                Snippet {
                    title: "What the official image does (no code to change)".to_owned(),
                    language: "text",
                    filename: "romm-csrf.txt".to_owned(),
                    body: stock_snippet(v),
                }
            },
            verify: verify_script(v, &origins),
            reasons,
        }
    }
}

/// The exempt list for a custom build: what this version needs under the build's prefix, then
/// the typed patterns that can match something and are not in it yet.
pub(crate) fn exempt_for_snippet(v: &Valid<'_>) -> Vec<String> {
    let at = ver(v);
    let prefix = prefix(v);
    let mounts = mounts(at);
    let mut list = needed_exempt(at, &prefix);
    for p in typed_patterns(v.opt("exempt_urls")) {
        let keep = matches!(
            reach(&p, &prefix, &mounts),
            Reach::Routes | Reach::AllRoutes | Reach::Mount(_) | Reach::Unknown
        );
        if keep && !list.contains(&p) {
            list.push(p);
        }
    }
    list
}

fn custom_snippet(v: &Valid<'_>) -> String {
    let at = ver(v);
    let prefix = prefix(v);
    let class = if at >= AUTH_BYPASS_FROM {
        "CSRFMiddleware"
    } else {
        "CustomCSRFMiddleware"
    };
    // Names main.py defines before its CSRF block, for this version.
    let mut names = vec![class, "ROMM_AUTH_SECRET_KEY", "DISABLE_CSRF_PROTECTION"];
    if at >= API_PREFIX_FROM {
        names.push("IS_PYTEST_RUN");
    }
    if at >= SECURE_COOKIE_FROM {
        names.push("ROMM_SESSION_SECURE_COOKIE");
    }
    let last = names.pop().unwrap_or_default();
    let mut s = format!(
        "# The CSRF block of backend/main.py for a RomM {at} build whose routers are\n\
         # included with prefix={}. starlette-csrf matches each pattern with\n\
         # re.match() against the whole request path, so patterns for routes start\n\
         # with the prefix; the Socket.IO apps are mounted at {}, outside it.\n\
         # main.py already has {} and {last}.\n\
         import re\n",
        str_literal(&prefix),
        mounts(at).join(" and "),
        names.join(", "),
    );
    if at < API_PREFIX_FROM {
        s.push_str("import sys\n");
    }
    s.push('\n');
    s.push_str("CSRF_EXEMPT_URLS = [\n");
    for p in exempt_for_snippet(v) {
        s.push_str(&format!("    re.compile({}),\n", raw_lit(&p)));
    }
    s.push_str("]\n\n");
    // IS_PYTEST_RUN exists from 3.4.0; 3.3.0 tests `"pytest" not in sys.modules` (main.py).
    if at >= API_PREFIX_FROM {
        s.push_str("if not IS_PYTEST_RUN and not DISABLE_CSRF_PROTECTION:\n");
    } else {
        s.push_str("if \"pytest\" not in sys.modules and not DISABLE_CSRF_PROTECTION:\n");
    }
    s.push_str("    app.add_middleware(\n");
    s.push_str(&format!("        {class},\n"));
    s.push_str(&format!(
        "        cookie_name={},\n",
        str_literal(csrf_cookie(at))
    ));
    s.push_str("        secret=ROMM_AUTH_SECRET_KEY,\n");
    if at >= SECURE_COOKIE_FROM {
        s.push_str("        cookie_secure=ROMM_SESSION_SECURE_COOKIE,\n");
    }
    s.push_str("        exempt_urls=CSRF_EXEMPT_URLS,\n");
    s.push_str("    )\n");
    s
}

fn stock_snippet(v: &Valid<'_>) -> String {
    let at = ver(v);
    let prefix = prefix(v);
    let broken = at >= API_PREFIX_FROM && at < TOKEN_FIXED_FROM;
    let mut s = format!(
        "RomM {at}, official image{}. Its CSRF middleware\n\
         (cookie {}, header x-csrftoken) exempts these paths\n\
         (backend/main.py, matched with re.match against the whole path):\n\n",
        if broken { "" } else { ": no code to change" },
        csrf_cookie(at)
    );
    for p in stock_exempt(at) {
        s.push_str(&format!("  {p}\n"));
    }
    s.push_str(&format!(
        "\nRouters: {}. Socket.IO: {}, outside the prefix.\n",
        if prefix.is_empty() {
            "no prefix".to_owned()
        } else {
            format!("prefix {prefix}")
        },
        mounts(at).join(" and ")
    ));
    if broken {
        s.push_str(
            "\nTHIS VERSION'S ^/token.* MISSES THE /api PREFIX: POST /api/token gets\n\
             403 CSRF token verification failed. Upgrade to 3.6.0 or later (PR #1303).\n\
             A fork would use ^/api/token.* and keep ^/ws (not ^/api/ws).\n",
        );
    }
    s.push_str(&format!(
        "\nAPI clients:\n  1. POST {prefix}/token with grant_type=password, username, password\n     \
         (form data; {}) returns an access_token.\n",
        if broken {
            "not exempt in this version: send the cookie and header too"
        } else {
            "exempt"
        }
    ));
    if at >= AUTH_BYPASS_FROM {
        s.push_str(
            "  2. Send Authorization: Bearer <access_token>. Since 4.4.1 requests with a\n     \
             Bearer or Basic Authorization header skip the CSRF check.\n",
        );
    } else {
        s.push_str(&format!(
            "  2. Before 4.4.1 POST/PUT/DELETE need the CSRF token even with Bearer or\n     \
                 Basic auth (issue #1505): GET any page first, keep the {}\n     \
                 cookie and send its value in the x-csrftoken header. Or upgrade to 4.4.1+.\n",
            csrf_cookie(at)
        ));
    }
    s.push_str(
        "\nSeveral instances: one ROMM_AUTH_SECRET_KEY everywhere (generated above,\n\
         kept in the secret store), one external Redis (REDIS_HOST), one database,\n\
         and the same library storage.\n",
    );
    s
}

/// The verify script: heartbeat and the CSRF cookie, the token endpoint answering without a
/// token, another POST refused without it and accepted with it, and the Socket.IO handshake.
fn verify_script(v: &Valid<'_>, origins: &[String]) -> Script {
    let at = ver(v);
    let prefix = prefix(v);
    let mut s = Script::default();
    s.comment("Checks the deployed RomM (needs curl).");
    s.comment("Good: every line starts with \"good:\". Bad: a \"BAD:\" line says what to change.");
    s.raw("set -u");
    if origins.is_empty() {
        s.raw("echo 'BAD: no public URL was given to ProxyTrust'");
        return s;
    }
    let list: Vec<String> = origins.iter().map(|o| quote(o)).collect();
    s.raw(format!("origins=({})", list.join(" ")));
    s.raw(format!("api={}", quote(&prefix)));
    s.raw("for origin in \"${origins[@]}\"; do");
    s.raw("headers=\"$(mktemp)\"");
    let cookie = csrf_cookie(at);
    s.comment(format!(
        "1. The heartbeat answers 200 and sets the {cookie} cookie."
    ));
    s.raw("status=\"$(curl -sS -o /dev/null -D \"$headers\" -w '%{http_code}' \"$origin$api/heartbeat\")\"");
    s.raw("if [ \"$status\" = 200 ]; then echo \"good: $origin$api/heartbeat answers 200\"; else echo \"BAD: $origin$api/heartbeat gave HTTP $status\"; fi");
    s.raw(format!(
        "set_cookie=\"$(grep -i '^set-cookie: *{cookie}=' \"$headers\" | head -n 1 | tr -d '\\r')\""
    ));
    s.raw(format!("token=\"$(printf '%s' \"$set_cookie\" | sed -n 's/^[^:]*: *{cookie}=\\([^;]*\\).*/\\1/p')\""));
    s.raw("if [ -z \"$token\" ]; then");
    s.raw(format!(
        "echo \"BAD: $origin sets no {cookie} cookie: does a proxy drop Set-Cookie?\""
    ));
    s.raw("else");
    s.raw(format!("echo \"good: $origin sets the {cookie} cookie\""));
    if at >= SECURE_COOKIE_FROM && https(v) {
        s.raw("case \"$(printf '%s' \"$set_cookie\" | tr '[:upper:]' '[:lower:]')\" in *'; secure'*) echo 'good: the cookie is Secure' ;; *) echo 'BAD: the cookie is not Secure: set ROMM_SESSION_SECURE_COOKIE=true' ;; esac");
    }
    s.raw("fi");
    s.comment(format!(
        "2. POST {prefix}/token needs no CSRF token (exempt). A wrong password gives 401."
    ));
    s.raw("body=\"$(curl -sS -w ' HTTP %{http_code}' -X POST --data-urlencode 'grant_type=password' --data-urlencode 'username=proxytrust-verify' --data-urlencode 'password=not-the-password' \"$origin$api/token\")\"");
    s.raw("case \"$body\" in");
    s.raw(format!(
        "*'CSRF token verification failed'*) echo {} ;;",
        quote(&format!(
            "BAD: POST {prefix}/token is not exempt: the exempt pattern must start with {prefix} (RomM 3.4.0-3.5.x: upgrade to 3.6.0+)"
        ))
    ));
    s.raw("*) echo \"good: the token endpoint is exempt (${body##* HTTP })\" ;;");
    s.raw("esac");
    s.comment("3. Another POST without the token is refused; with cookie and header it passes.");
    s.raw("status=\"$(curl -sS -o /dev/null -w '%{http_code}' -X POST \"$origin$api/login\")\"");
    s.raw("if [ \"$status\" = 403 ]; then echo \"good: POST without the CSRF token is refused (403)\"; else echo \"BAD: POST $api/login without the CSRF token gave HTTP $status, not 403\"; fi");
    s.raw(format!("body=\"$(curl -sS -w ' HTTP %{{http_code}}' -X POST -H \"Cookie: {cookie}=$token\" -H \"x-csrftoken: $token\" \"$origin$api/login\")\""));
    s.raw("case \"$body\" in");
    s.raw("*'CSRF token verification failed'*) echo \"BAD: the token was refused: instances with different ROMM_AUTH_SECRET_KEY, or a proxy drops x-csrftoken\" ;;");
    s.raw("*) echo \"good: cookie + x-csrftoken pass the CSRF check (${body##* HTTP })\" ;;");
    s.raw("esac");
    s.comment("4. Socket.IO at /ws (outside the prefix): the polling handshake and a POST.");
    s.raw("handshake=\"$(curl -sS \"$origin/ws/socket.io/?EIO=4&transport=polling\")\"");
    s.raw("sid=\"$(printf '%s' \"$handshake\" | sed -n 's/.*\"sid\":\"\\([^\"]*\\)\".*/\\1/p')\"");
    s.raw("if [ -z \"$sid\" ]; then");
    s.raw(
        "echo \"BAD: no Socket.IO handshake at $origin/ws/socket.io/ (does the proxy pass /ws?)\"",
    );
    s.raw("else");
    s.raw("body=\"$(curl -sS -w ' HTTP %{http_code}' -X POST --data '40' \"$origin/ws/socket.io/?EIO=4&transport=polling&sid=$sid\")\"");
    s.raw("case \"$body\" in");
    s.raw("*'CSRF token verification failed'*) echo 'BAD: Socket.IO POSTs are CSRF-checked: the exempt pattern must be ^/ws, not ^/api/ws' ;;");
    s.raw("*) echo \"good: Socket.IO polling is exempt (${body##* HTTP })\" ;;");
    s.raw("esac");
    s.raw("fi");
    s.raw("rm -f \"$headers\"");
    s.raw("done");
    s
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "RM001",
        severity: Error,
        name: "stock-exempt-misses-api-prefix",
        explanation: "What: RomM 3.4.0-3.5.x exempts `^/token.*`, but its token endpoint is `/api/token`.\n\
Why: 3.4.0 included every router with `prefix=\"/api\"` (commit 45aeaf326) and left the CSRF \
patterns as they were. starlette-csrf matches them with re.match against the whole path, so \
`/api/token` is not exempt and `POST /api/token` (OAuth2 password grant, no cookie yet) gets \
`403 CSRF token verification failed`. 3.6.0 changed the pattern to `^/api/token.*` (PR #1303, \
issue #1218) and kept `^/ws` for the Socket.IO mount.\n\
Example: upgrade to 3.6.0 or later (5.2.0 also skips CSRF for Bearer/Basic API requests).\n\
References: rommapp/romm backend/main.py tags 3.4.0, 3.5.1, 3.6.0; seed-systems.md §3.1, §10.3.",
    },
    Code {
        code: "RM002",
        severity: Warning,
        name: "api-auth-still-csrf-checked",
        explanation: "What: before 4.4.1, API requests with Basic or Bearer auth are CSRF-checked.\n\
Why: up to 4.4.0 RomM uses starlette-csrf without `sensitive_cookies`, which checks every unsafe \
request that is not exempt: `POST /api/collections` with `Authorization: Bearer …` still gets \
`403 CSRF token verification failed` (issue #1505, on 3.7.2, after the prefix fix). 4.4.1 vendors \
the middleware and skips requests whose Authorization scheme is bearer or basic (commit \
551ff72a8). Before that, clients must send the romm_csrftoken cookie and the same value in \
x-csrftoken.\n\
Example: upgrade to 4.4.1 or later.\n\
References: backend/handler/auth/middleware/csrf_middleware.py (4.4.1+); issue #1505; \
seed-systems.md §3.1, §3.4.",
    },
    Code {
        code: "RM003",
        severity: Error,
        name: "exempt-pattern-never-matches",
        explanation: "What: an exempt pattern of your build can never match a route under the \
route prefix or a socket mount.\n\
Why: starlette-csrf applies `pattern.match(request.url.path)`: the whole path, from its first \
character. Routes included with `prefix=\"/api\"` have paths `/api/...`, so `^/token.*` (written \
from the decorator) matches none of them and the route it was meant for stays CSRF-checked. The \
fix puts the prefix after the anchor.\n\
Example: `^/token.*` -> `^/api/token.*`.\n\
References: starlette_csrf/middleware.py `_url_is_exempt` (v3.0.0); rommapp/romm PR #1303; \
seed-systems.md §3.5, §8.1.",
    },
    Code {
        code: "RM004",
        severity: Error,
        name: "socket-pattern-under-prefix",
        explanation: "What: an exempt pattern puts a Socket.IO mount under the route prefix \
(`^/api/ws`).\n\
Why: RomM mounts its Socket.IO apps at `/ws` and `/netplay` with `app.mount`, outside the `/api` \
router prefix (the client uses path `/ws/socket.io/`). `^/api/ws` matches no request, and the \
polling transport's POSTs to `/ws/socket.io/` get 403. The upstream fix kept `^/ws`; the \
write-up's `^/api/ws` is wrong.\n\
Example: `^/api/ws` -> `^/ws`.\n\
References: rommapp/romm backend/main.py (app.mount), handler/socket_handler.py, \
frontend/src/services/socket.ts; seed-systems.md §3.1, §10.3.",
    },
    Code {
        code: "RM005",
        severity: Warning,
        name: "exempt-pattern-covers-every-route",
        explanation: "What: an exempt pattern matches every route under the prefix (`^/api`).\n\
Why: the CSRF middleware then checks nothing in the API: any site the user visits can make the \
browser POST to RomM with the user's session cookie. Exempt the token endpoint (and the routes \
RomM itself exempts) instead; API clients with Bearer tokens skip the check from 4.4.1.\n\
Example: remove `^/api`; keep `^/api/token.*`.\n\
References: starlette_csrf/middleware.py (v3.0.0); OWASP CSRF Prevention Cheat Sheet.",
    },
    Code {
        code: "RM006",
        severity: Warning,
        name: "custom-options-with-official-image",
        explanation: "What: a route prefix or exempt patterns are set while the build is the \
official image.\n\
Why: the official image has its own prefix (`/api` since 3.4.0) and its own exempt list for each \
version; these options describe a fork and are not used. Say that it is a custom build, or clear \
them.\n\
Example: `--set build=custom`.\n\
References: rommapp/romm backend/main.py.",
    },
    Code {
        code: "RM007",
        severity: Error,
        name: "route-prefix-invalid",
        explanation: "What: the route prefix of the custom build is not in the form FastAPI accepts.\n\
Why: `include_router(prefix=...)` asserts \"A path prefix must start with '/'\" and \"A path \
prefix must not end with '/', as the routes will start with '/'\"; the exempt patterns are built \
from the same prefix.\n\
Example: `api/` -> `/api`.\n\
References: fastapi/routing.py include_router.",
    },
    Code {
        code: "RM008",
        severity: Error,
        name: "several-instances-without-redis",
        explanation: "What: more than one instance and no external Redis.\n\
Why: without REDIS_HOST the image starts its own Valkey in every container. From 4.5.0 sessions \
live in Redis (RedisSessionMiddleware), so a login made on one instance is unknown on the next; \
Socket.IO events (AsyncRedisManager) and background tasks stay in one container in every \
version. One Redis for all instances, or one instance.\n\
Example: `--set redis_host=10.0.0.4`.\n\
References: backend/config/__init__.py REDIS_HOST; docker/init_scripts/init; \
handler/auth/middleware/redis_session_middleware.py (4.5.0+); handler/socket_handler.py.",
    },
    Code {
        code: "RM009",
        severity: Error,
        name: "database-host-missing",
        explanation: "What: no database host.\n\
Why: RomM stores its library index and users in MariaDB, MySQL or PostgreSQL; `DB_HOST` is \
marked [REQUIRED] in env.template and the image has no database of its own.\n\
Example: `--set db_host=10.0.0.3`.\n\
References: rommapp/romm env.template (5.2.0), backend/config/__init__.py.",
    },
    Code {
        code: "RM010",
        severity: Error,
        name: "driver-not-supported",
        explanation: "What: MySQL or PostgreSQL with RomM before 3.7.0.\n\
Why: before 3.7.0 config_manager.py builds only the mariadb connection and logs \
`<driver> database not supported` otherwise.\n\
Example: `--set database=mariadb`, or RomM 3.7.0+.\n\
References: rommapp/romm backend/config/config_manager.py (3.6.0 vs 3.7.0).",
    },
    Code {
        code: "RM011",
        severity: Warning,
        name: "csrf-protection-disabled",
        explanation: "What: DISABLE_CSRF_PROTECTION is set to a true value.\n\
Why: RomM then does not add the CSRF middleware at all: every route, not only the API, accepts \
cross-site POSTs with the user's cookies. The 403s it hides are fixed by the right exempt \
patterns (3.6.0+) and Bearer tokens (4.4.1+).\n\
Example: remove DISABLE_CSRF_PROTECTION.\n\
References: backend/main.py (`if not IS_PYTEST_RUN and not DISABLE_CSRF_PROTECTION`), \
config/__init__.py; seed-systems.md §3.2.",
    },
    Code {
        code: "RM012",
        severity: Warning,
        name: "variable-not-read-before-5-1",
        explanation: "What: ROMM_SESSION_SECURE_COOKIE or ROMM_CORS_ALLOWED_ORIGINS with RomM \
before 5.1.0.\n\
Why: both were added in 5.1.0 (commit 49e16cd2c); older versions hard-code `https_only=False` \
and `allow_origins=[\"*\"]`.\n\
Example: remove the variable, or use 5.1.0+.\n\
References: rommapp/romm backend/main.py, config/__init__.py (5.0.0 vs 5.1.0).",
    },
    Code {
        code: "RM013",
        severity: Info,
        name: "custom-build-image",
        explanation: "What: a custom build with no container image set.\n\
Why: ProxyTrust cannot name your image. RomM's Dockerfile is docker/Dockerfile (not at the \
repository root, so a plain source deploy does not find it): build and push it, then set the \
platform's container image option.\n\
Example: `--set image=us-docker.pkg.dev/PROJECT/romm/romm:fork`.\n\
References: rommapp/romm docker/Dockerfile, docker/build_local_image.sh.",
    },
    Code {
        code: "RM014",
        severity: Info,
        name: "version-older-than-read",
        explanation: "What: a RomM version older than 3.0.0.\n\
Why: ProxyTrust read the tags from 3.0.0 on; the 3.0.0 rules are applied.\n\
Example: `3.3.0`.\n\
References: rommapp/romm tags.",
    },
];

/// RomM's readings of its messages. The generic starlette-csrf message is in `fastapi.rs`
/// (apps fastapi, romm).
static SIGNATURES: &[Signature] = &[
    Signature {
        id: "romm-unable-to-login-csrf",
        pattern: r"Unable to login: CSRF token verification failed",
        apps: &["romm"],
        emitter: "RomM's login page (frontend/src/views/Auth/Login.vue), from the 403 body",
        cause: "The login POST reached the CSRF middleware without a valid token pair: the \
                romm_csrftoken cookie was not set or not sent (a proxy dropping Set-Cookie, a \
                Secure cookie over http), or it was signed by another instance's \
                ROMM_AUTH_SECRET_KEY.",
        fix: "Give every instance the same ROMM_AUTH_SECRET_KEY, serve RomM over the URL its \
              cookies are set for, and make sure the proxy passes Set-Cookie and x-csrftoken.",
        references: "rommapp/romm frontend/src/views/Auth/Login.vue (`Unable to login: \
                     ${errorMessage}`), frontend/src/services/api/index.ts:48; issue #560; \
                     seed-systems.md §3.3",
    },
    Signature {
        id: "romm-token-endpoint-403",
        pattern: r#""POST /api/token(?:\?[^ "]*)? HTTP/[0-9.]+" 403"#,
        apps: &["romm", "fastapi"],
        emitter: "An access log (nginx, gunicorn/uvicorn) in front of RomM",
        cause: "The OAuth2 token endpoint was refused with 403: on RomM 3.4.0-3.5.x the exempt \
                pattern ^/token.* misses the /api prefix, so the token request is CSRF-checked \
                and has no cookie yet.",
        fix: "Upgrade to RomM 3.6.0 or later (^/api/token.*); in a fork, write the exempt \
              patterns with the /api prefix and keep ^/ws for Socket.IO.",
        references: "rommapp/romm backend/main.py (3.4.0-3.5.1 vs 3.6.0), PR #1303, issue \
                     #1218; nginx log_format combined (\"$request\" $status); seed-systems.md \
                     §3.1, §10.3",
    },
    Signature {
        id: "romm-auth-secret-key-not-set",
        pattern: r"ROMM_AUTH_SECRET_KEY environment variable is not set!?",
        apps: &["romm"],
        emitter: "RomM's backend at start-up (config/__init__.py, 4.2.0+)",
        cause: "The backend was started without ROMM_AUTH_SECRET_KEY (outside the image's init \
                script, which would generate a per-container one).",
        fix: "Set ROMM_AUTH_SECRET_KEY to one random value shared by every instance (ProxyTrust \
              generates 32 bytes as hex and keeps it in the secret store).",
        references: "rommapp/romm backend/config/__init__.py:140-142 (5.2.0), commit 347767e43; \
                     seed-systems.md §3.2",
    },
    Signature {
        id: "romm-auth-secret-key-generated",
        pattern: r"ROMM_AUTH_SECRET_KEY not set, generating (?:a )?random secret key!?",
        apps: &["romm"],
        emitter: "RomM image's init script (docker/init_scripts/init, 4.1.0+)",
        cause: "No ROMM_AUTH_SECRET_KEY was given, so this container made its own. With several \
                instances (or after a restart) CSRF tokens, sessions and API tokens signed by one \
                key fail on another: 403 CSRF token verification failed, logouts.",
        fix: "Set ROMM_AUTH_SECRET_KEY to one generated value on every instance.",
        references: "rommapp/romm docker/init_scripts/init (4.1.0: 'generating random secret \
                     key'; 5.2.0: 'generating a random secret key!'), commit a1519a4b0",
    },
];

#[cfg(test)]
mod tests {

    use super::*;
    use crate::engine::diagnose::diagnose;
    use crate::engine::generate;
    use crate::engine::inputs::{ExtraVar, RawInputs};
    use crate::engine::test_support::{self, block, codes, env};

    const URL: &str = "https://romm-abc123-uc.a.run.app";

    fn raw(opts: &[(&str, &str)]) -> RawInputs {
        test_support::inputs(
            "romm",
            "cloud-run",
            &[URL],
            &[
                &[
                    ("service", "romm"),
                    ("region", "us-central1"),
                    ("db_host", "10.0.0.3"),
                ],
                opts,
            ],
        )
    }

    fn with_version(mut r: RawInputs, ver: &str) -> RawInputs {
        r.app_version = ver.into();
        r
    }

    /// A block without its provenance header (which repeats the typed options).
    fn body(content: &str) -> String {
        content
            .lines()
            .skip_while(|l| {
                l.starts_with("# Generated by")
                    || l.starts_with("# Regenerate")
                    || l.starts_with("#   proxytrust")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn generated_lists_equal_the_stock_lists_under_api() {
        for (from, stock) in STOCK_EXEMPT {
            if *from >= TOKEN_FIXED_FROM {
                assert_eq!(needed_exempt(*from, "/api"), *stock, "{from}");
            } else {
                // Before 3.6.0 the stock list has no prefix: right for 3.0-3.3 only.
                assert_eq!(needed_exempt(*from, ""), *stock, "{from}");
            }
        }
    }

    #[test]
    fn newest_stock_is_clean_and_exact() {
        let g = generate(&raw(&[]));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        let e = env(&g);
        assert!(e["ROMM_AUTH_SECRET_KEY"].1);
        assert_eq!(e["ROMM_BASE_URL"].0, URL);
        assert_eq!(e["ROMM_CORS_ALLOWED_ORIGINS"].0, URL);
        assert_eq!(e["ROMM_SESSION_SECURE_COOKIE"].0, "true");
        assert_eq!(e["DB_PORT"].0, "3306");
        assert!(e["DB_PASSWD"].1);
        let deploy = block(&g, "deploy");
        assert!(
            deploy.contains("--image=docker.io/rommapp/romm:5.2.0"),
            "{deploy}"
        );
        assert!(deploy.contains("openssl rand -hex 32"), "{deploy}");
        let snippet = block(&g, "snippet");
        assert!(snippet.contains("^/api/auth/device/token/?$"), "{snippet}");
        assert!(snippet.contains("^/netplay"), "{snippet}");
        let verify = block(&g, "verify");
        assert!(verify.contains("/ws/socket.io/?EIO=4"), "{verify}");
        assert!(verify.contains("api=/api"), "{verify}");
    }

    #[test]
    fn version_rules() {
        let c = codes(&generate(&with_version(raw(&[]), "3.5.1")));
        assert!(c.contains(&"RM001") && c.contains(&"RM002"), "{c:?}");
        let g = generate(&with_version(raw(&[]), "3.6.0"));
        assert_eq!(codes(&g), vec!["RM002"], "{:?}", g.diagnostics);
        assert!(!env(&g).contains_key("ROMM_SESSION_SECURE_COOKIE"));
        assert!(!env(&g).contains_key("ROMM_BASE_URL"));
        let g = generate(&with_version(raw(&[]), "4.4.1"));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        assert!(block(&g, "snippet").contains("skip the CSRF check"));
        // 3.3.0 had no prefix: ^/token.* was right then.
        let g = generate(&with_version(raw(&[]), "3.3.0"));
        assert!(!codes(&g).contains(&"RM001"));
        assert!(block(&g, "verify").contains("api=''"));
        let c = codes(&generate(&with_version(raw(&[]), "2.3.1")));
        assert!(c.contains(&"RM014"), "{c:?}");
    }

    #[test]
    fn custom_build_writes_the_prefix_and_keeps_sockets_at_root() {
        let g = generate(&with_version(
            raw(&[
                ("build", "custom"),
                ("route_prefix", "/romm/api"),
                (
                    "exempt_urls",
                    "re.compile(r\"^/token.*\"), re.compile(r\"^/api/ws\")",
                ),
                ("image", "example.org/romm:fork"),
            ]),
            "3.5.1",
        ));
        let c = codes(&g);
        assert!(c.contains(&"RM003") && c.contains(&"RM004"), "{c:?}");
        assert!(!c.contains(&"RM001"), "custom builds get RM003: {c:?}");
        let s = body(&block(&g, "snippet"));
        assert!(s.contains("re.compile(r\"^/romm/api/token.*\")"), "{s}");
        assert!(s.contains("re.compile(r\"^/ws\")"), "{s}");
        assert!(!s.contains("^/api/ws"), "{s}");
        assert!(!s.contains("r\"^/token.*\""), "{s}");
        assert!(s.contains("CustomCSRFMiddleware"), "{s}");
        assert!(!s.contains("cookie_secure"), "{s}");
        let deploy = block(&g, "deploy");
        assert!(deploy.contains("--image=example.org/romm:fork"), "{deploy}");

        let g = generate(&raw(&[
            ("build", "custom"),
            (
                "exempt_urls",
                "^/api/token.* ^/api/ws ^/api ^/api/webhooks/.*",
            ),
        ]));
        let c = codes(&g);
        assert!(
            c.contains(&"RM004") && c.contains(&"RM005") && c.contains(&"RM013"),
            "{c:?}"
        );
        let s = body(&block(&g, "snippet"));
        assert!(s.contains("r\"^/api/webhooks/.*\""), "{s}");
        assert!(
            s.contains("cookie_secure=ROMM_SESSION_SECURE_COOKIE"),
            "{s}"
        );
        assert!(s.contains("        CSRFMiddleware,"), "{s}");
    }

    #[test]
    fn several_instances_need_redis() {
        let c = codes(&generate(&raw(&[("max_instances", "3")])));
        assert!(c.contains(&"RM008"), "{c:?}");
        let g = generate(&raw(&[("max_instances", "3"), ("redis_host", "10.0.0.4")]));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        assert_eq!(env(&g)["REDIS_HOST"].0, "10.0.0.4");
    }

    #[test]
    fn fixes_remove_their_diagnostic_and_add_no_error() {
        let cases = [
            with_version(raw(&[]), "3.5.1"),
            raw(&[("route_prefix", "/x"), ("exempt_urls", "^/token")]),
            raw(&[
                ("build", "custom"),
                ("route_prefix", "api/"),
                ("exempt_urls", "^/token.* ^/api/ws ^/api"),
                ("image", "example.org/romm:fork"),
            ]),
            raw(&[("max_instances", "3"), ("min_instances", "2")]),
            with_version(raw(&[("database", "postgresql")]), "3.6.0"),
            {
                let mut r = with_version(raw(&[]), "5.0.0");
                for (n, val) in [
                    ("DISABLE_CSRF_PROTECTION", "true"),
                    ("ROMM_SESSION_SECURE_COOKIE", "true"),
                ] {
                    r.extra_env.push(ExtraVar {
                        name: n.into(),
                        value: val.into(),
                    });
                }
                r
            },
        ];
        let checked = crate::engine::diagnostics::check_fixes(&cases, "RM");
        assert!(checked >= 12, "only {checked} fixes checked");
    }

    #[test]
    fn typed_patterns_from_python_or_words() {
        assert_eq!(
            typed_patterns(r#"exempt_urls=[re.compile(r"^/token.*"), re.compile(r'^/ws')]"#),
            vec!["^/token.*", "^/ws"]
        );
        assert_eq!(
            typed_patterns("^/api/token.*, ^/ws"),
            vec!["^/api/token.*", "^/ws"]
        );
    }

    #[test]
    /// The explanations (What / Why / Example / References) are checked for every module's
    /// codes in diagnostics/codes.rs.
    fn codes_have_the_module_prefix() {
        for c in CODES {
            assert!(c.code.starts_with("RM"), "{}", c.code);
        }
    }

    #[test]
    fn samples_are_recognised_as_romm() {
        let samples = [
            (
                "Unable to login: CSRF token verification failed",
                "romm-unable-to-login-csrf",
            ),
            (
                "172.18.0.1 - - [05/Nov/2024:10:12:01 +0000] \"POST /api/token HTTP/1.1\" 403 30 \"-\" \"python-requests/2.32.3\"",
                "romm-token-endpoint-403",
            ),
            (
                "ValueError: ROMM_AUTH_SECRET_KEY environment variable is not set!",
                "romm-auth-secret-key-not-set",
            ),
            (
                "WARNING: [RomM][init] ROMM_AUTH_SECRET_KEY not set, generating a random secret key!",
                "romm-auth-secret-key-generated",
            ),
        ];
        for (text, id) in samples {
            let found = diagnose(text, &RawInputs::default());
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].signature, id, "{text}");
            assert_eq!(found[0].app, "romm", "{text}");
        }
        // The generic message keeps RomM when RomM is the current app.
        let current = RawInputs {
            app: "romm".into(),
            ..RawInputs::default()
        };
        let found = diagnose("CSRF token verification failed", &current);
        assert_eq!(found[0].app, "romm");
        assert_eq!(found[0].signature, "starlette-csrf-verification-failed");
    }
}
