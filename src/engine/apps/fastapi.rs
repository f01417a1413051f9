//! FastAPI / Starlette with starlette-csrf (frankie567/starlette-csrf): a framework, for your own
//! code. The version input is the starlette-csrf version.
//!
//! How starlette-csrf decides (`starlette_csrf/middleware.py`, v3.0.0; shared/knowledge/
//! seed-systems.md §8.1):
//! * Double submit: a signed token in a cookie (`cookie_name`, default `csrftoken`), set on any
//!   response when the request had none, must come back in a header (`header_name`, default
//!   `x-csrftoken`); both are unsigned with `URLSafeSerializer(secret, "csrftoken")` and compared.
//!   Failure: `PlainTextResponse("CSRF token verification failed", status_code=403)`.
//! * Every unsafe request (not GET/HEAD/OPTIONS/TRACE) is checked unless a pattern in
//!   `exempt_urls` matches, **with `re.Pattern.match` against `request.url.path`**: the whole path,
//!   anchored at its start. Routers included with `prefix="/api"` serve `/api/token`, so a pattern
//!   written from the decorator (`^/token`) never matches. This is the RomM 3.4.0–3.5.x bug
//!   (seed-systems.md §3.1, §10.3) and what this module exists to get right.
//! * `sensitive_cookies` unset (the default): the check applies to every unsafe request, also API
//!   clients that send only `Authorization` (RomM issue #1505). Set to the session cookie's name,
//!   requests without that cookie are not checked (v1.1.0+).
//! * The token is signed with `secret`: every instance needs the same one, or a token set by one
//!   instance fails on the next (itsdangerous `BadSignature` → 403).
//! * Versions (git tags): `exempt_urls` arrived in v1.3.0 (commit e83327b); up to v1.4.3 the class
//!   was a `BaseHTTPMiddleware`, which passes WebSocket scopes straight through; v1.4.4 (fd3cc2d,
//!   "Rewrite without BaseHTTPMiddleware") builds `Request(scope)` for WebSocket scopes too, and
//!   Starlette's `Request.__init__` asserts `scope["type"] == "http"` (starlette/requests.py), so a
//!   WebSocket connection fails with `AssertionError` (seen with starlette-csrf 3.0.0 + Starlette
//!   1.10.0 in tests/e2e_starlette_csrf.rs); v2.0.0 made the options keyword-only and added
//!   `required_urls`.
//! * FastAPI: `include_router(prefix=…)` asserts "A path prefix must start with '/'" and "A path
//!   prefix must not end with '/', as the routes will start with '/'" (fastapi/routing.py, 0.163.2).
//!   Path parameters compile to `[^/]+` (`str`), `[0-9]+` (`int`), `.*` (`path`)
//!   (starlette/convertors.py).
//!
//! References: seed-systems.md §3, §8, §10.3; tests/e2e_starlette_csrf.rs (the generated snippet
//! run against starlette-csrf 3.0.0 from PyPI).

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

pub struct FastApi;

/// starlette-csrf versions read (git tags of frankie567/starlette-csrf), newest first.
static VERSIONS: &[&str] = &["3.0.0", "2.0.0", "1.4.5", "1.2.1"];

/// `exempt_urls` exists from this version (commit e83327b, tag v1.3.0).
const EXEMPT_FROM: Version = Version::new(1, 3, 0);
/// Pure ASGI middleware from this version (commit fd3cc2d, tag v1.4.4): WebSocket scopes reach
/// `Request(scope)`.
const ASGI_FROM: Version = Version::new(1, 4, 4);

const SRC_MIDDLEWARE: &str = "starlette_csrf/middleware.py (v3.0.0): __call__, _url_is_exempt, \
_has_sensitive_cookies, _get_error_response; seed-systems.md §8.1";

const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];
const SAME_SITE: &[(&str, &str)] = &[
    ("lax", "Lax (default)"),
    ("strict", "Strict"),
    ("none", "None (needs https)"),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "route_prefix",
        label: "Route prefix",
        help: "The prefix your routers are included with (app.include_router(router, prefix=\"/api\")); empty for none",
        kind: OptionKind::Text,
        default: "/api",
    },
    OptionSpec {
        key: "exempt_paths",
        label: "Exempt routes (under the prefix)",
        help: "Route paths as written in the decorators, without the prefix, e.g. /token; /hooks/* for a whole subtree; {id} parameters allowed",
        kind: OptionKind::Text,
        default: "/token",
    },
    OptionSpec {
        key: "exempt_mounts",
        label: "Exempt mounts (outside the prefix)",
        help: "Sub-apps mounted outside the prefix that do their own checks, e.g. /ws for Socket.IO",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "websockets",
        label: "App has WebSocket routes",
        help: "starlette-csrf 1.4.4+ fails every WebSocket connection with AssertionError; the snippet then lets non-HTTP scopes through",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
    OptionSpec {
        key: "session_cookie",
        label: "Session cookie (sensitive_cookies)",
        help: "Only requests carrying this cookie are checked, so API clients that send Authorization headers are not; empty: every unsafe request is checked",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "same_site",
        label: "CSRF cookie SameSite",
        help: "cookie_samesite",
        kind: OptionKind::Choice(SAME_SITE),
        default: "lax",
    },
    OptionSpec {
        key: "cookie_name",
        label: "CSRF cookie name",
        help: "cookie_name (starlette-csrf's default: csrftoken)",
        kind: OptionKind::Text,
        default: "csrftoken",
    },
    OptionSpec {
        key: "header_name",
        label: "CSRF header name",
        help: "header_name: the header your front end copies the cookie into (default: x-csrftoken)",
        kind: OptionKind::Text,
        default: "x-csrftoken",
    },
    OptionSpec {
        key: "secret_env",
        label: "Secret variable",
        help: "The environment variable the snippet reads the signing secret from",
        kind: OptionKind::Text,
        default: "CSRF_SECRET",
    },
];

// --- Exempt patterns: building them, and reading what a typed one can match ---------------------

/// Splits a list option: commas and whitespace separate entries; empties dropped.
pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A route prefix as FastAPI wants it: empty, or `/x` without a trailing `/`. `None` when the
/// typed value breaks FastAPI's rules (the normalised form is [`normalise_prefix`]).
pub(crate) fn prefix_ok(p: &str) -> bool {
    p.is_empty() || (p.starts_with('/') && !p.ends_with('/') && !p.contains(char::is_whitespace))
}

/// The closest valid prefix: leading `/` added, trailing `/` removed, spaces dropped.
pub(crate) fn normalise_prefix(p: &str) -> String {
    let p: String = p.chars().filter(|c| !c.is_whitespace()).collect();
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        String::new()
    } else if p.starts_with('/') {
        p.to_owned()
    } else {
        format!("/{p}")
    }
}

/// Diagnoses the `route_prefix` option with `code` (FastAPI and RomM builds): a prefix FastAPI
/// refuses, or one typed with spaces around it, gets the normalised one as a fix.
pub(crate) fn check_route_prefix(v: &Valid<'_>, code: &'static str, diags: &mut Vec<Diagnostic>) {
    let typed = v.opt("route_prefix");
    if prefix_ok(typed.trim()) && typed == typed.trim() {
        return;
    }
    let fixed = normalise_prefix(typed);
    diags.push(
        Diagnostic::new(
            code,
            field::option("route_prefix"),
            format!("FastAPI wants a prefix that starts with / and does not end with /: {typed}"),
        )
        .with_fix(Fix::safe(
            if fixed.is_empty() {
                "Use no prefix".to_owned()
            } else {
                format!("Use {fixed}")
            },
            set_option("route_prefix", fixed),
        )),
    );
}

/// A route path template (`/items/{id}`, `/files/{p:path}`) as a regex body: literal parts
/// escaped as `re.escape` does, parameters replaced by their converter's regex
/// (starlette/convertors.py: str `[^/]+`, int `[0-9]+`, float `[0-9]+(\.[0-9]+)?`, path `.*`).
fn template_regex(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close_rel) = rest[open..].find('}') else {
            break;
        };
        let close = open + close_rel;
        out.push_str(&re_escape(&rest[..open]));
        let param = &rest[open + 1..close];
        let conv = param.split_once(':').map_or("str", |(_, c)| c);
        out.push_str(match conv {
            "int" => "[0-9]+",
            "float" => "[0-9]+(?:\\.[0-9]+)?",
            "path" => ".*",
            _ => "[^/]+",
        });
        rest = &rest[close + 1..];
    }
    out.push_str(&re_escape(rest));
    out
}

/// The exempt pattern for one route entry under `prefix`: `/token` → `^/api/token/?$` (the
/// route, with or without the trailing slash FastAPI redirects), `/hooks/*` →
/// `^/api/hooks(?:/|$)` (the subtree).
pub(crate) fn route_pattern(prefix: &str, entry: &str) -> String {
    let e = entry.trim();
    if let Some(base) = e.strip_suffix('*') {
        let base = base.trim_end_matches('/');
        format!("^{}(?:/|$)", template_regex(&format!("{prefix}{base}")))
    } else {
        let path = if e.len() > 1 {
            e.trim_end_matches('/')
        } else {
            e
        };
        let full = format!("{prefix}{path}");
        let full = if full.is_empty() { "/" } else { &full };
        if full == "/" {
            "^/$".to_owned()
        } else {
            format!("^{}/?$", template_regex(full))
        }
    }
}

/// The exempt pattern for a mount outside the prefix: `/ws` → `^/ws(?:/|$)`.
pub(crate) fn mount_pattern(mount: &str) -> String {
    let m = mount.trim().trim_end_matches(['*', '/']);
    format!("^{}(?:/|$)", re_escape(m))
}

/// The leading literal text of a Python regex, and the pattern text after it: every path the
/// pattern matches (with `re.match`, i.e. from the start) begins with the literal. `None` when
/// the pattern is beyond this simple reading (alternation, inline flags), so nothing is claimed.
pub(crate) fn leading_literal(pattern: &str) -> Option<(String, String)> {
    let p = pattern.trim();
    let body = p
        .strip_prefix('^')
        .or_else(|| p.strip_prefix("\\A"))
        .unwrap_or(p);
    if body.contains('|') || body.starts_with("(?") {
        return None;
    }
    let mut lit = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            '\\' => {
                let mut look = body[i + 1..].chars();
                match look.next() {
                    Some(n) if !n.is_ascii_alphanumeric() => {
                        // An escaped punctuation character is itself, unless a quantifier follows.
                        let after = body[i + 1 + n.len_utf8()..].chars().next();
                        if matches!(after, Some('?' | '*' | '{')) {
                            return Some((lit, body[i..].to_owned()));
                        }
                        lit.push(n);
                        chars.next();
                        chars.next();
                    }
                    _ => return Some((lit, body[i..].to_owned())),
                }
            }
            '?' | '*' | '{' => {
                // The quantifier makes the previous character optional.
                let last = lit.pop();
                let start = i - last.map_or(0, char::len_utf8);
                return Some((lit, body[start..].to_owned()));
            }
            // `+` (one or more) keeps the previous character; the rest end the literal.
            '.' | '[' | '(' | ')' | ']' | '}' | '+' | '$' | '^' => {
                return Some((lit, body[i..].to_owned()));
            }
            _ => {
                lit.push(c);
                chars.next();
            }
        }
    }
    Some((lit, String::new()))
}

/// What an exempt pattern can reach in an app whose routers sit under `prefix` and whose other
/// sub-apps are mounted at `mounts` (outside the prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Cannot tell (alternation, inline flags, a pattern starting with a wildcard).
    Unknown,
    /// Some routes under the prefix.
    Routes,
    /// Every route under the prefix: CSRF protection is off for the whole API.
    AllRoutes,
    /// A mount outside the prefix.
    Mount(String),
    /// A mount's path written under the prefix (`^/api/ws` for a mount at `/ws`): matches nothing
    /// that exists.
    MountUnderPrefix(String),
    /// Neither a route under the prefix nor a mount: it never matches.
    Nowhere,
}

pub(crate) fn reach(pattern: &str, prefix: &str, mounts: &[&str]) -> Reach {
    let Some((lit, rest)) = leading_literal(pattern) else {
        return Reach::Unknown;
    };
    if lit.is_empty() || !lit.starts_with('/') {
        return Reach::Unknown;
    }
    let matches_anything_after = matches!(rest.as_str(), "" | ".*" | ".*$" | "(?:/|$)" | "(/|$)");
    for m in mounts {
        let m = m.trim_end_matches('/');
        if !m.is_empty() && (lit.starts_with(m) || m.starts_with(lit.as_str())) {
            return Reach::Mount(m.to_owned());
        }
    }
    let base = format!("{prefix}/");
    if !prefix.is_empty()
        && let Some(under) = lit.strip_prefix(prefix)
    {
        for m in mounts {
            let m = m.trim_end_matches('/');
            if !m.is_empty()
                && under.starts_with(m)
                && (under.len() == m.len() || under[m.len()..].starts_with('/'))
            {
                return Reach::MountUnderPrefix(m.to_owned());
            }
        }
    }
    if base.starts_with(lit.as_str()) || lit == prefix {
        if matches_anything_after {
            return Reach::AllRoutes;
        }
        return Reach::Routes;
    }
    if lit.starts_with(&base) {
        return Reach::Routes;
    }
    // A mount's path behind some other segments (`^/api/ws` with the prefix `/romm/api`).
    for (i, _) in lit.match_indices('/').skip(1) {
        let tail = &lit[i..];
        for m in mounts {
            let m = m.trim_end_matches('/');
            if !m.is_empty()
                && tail.starts_with(m)
                && (tail.len() == m.len() || tail[m.len()..].starts_with('/'))
            {
                return Reach::MountUnderPrefix(m.to_owned());
            }
        }
    }
    Reach::Nowhere
}

/// `pattern` rewritten for routes under `prefix`: the prefix inserted after the anchor
/// (`^/token.*` → `^/api/token.*`).
pub(crate) fn with_prefix(pattern: &str, prefix: &str) -> String {
    let p = pattern.trim();
    let body = p.strip_prefix('^').unwrap_or(p);
    format!("^{}{body}", re_escape(prefix))
}

// --- Inputs -------------------------------------------------------------------------------------

fn https(v: &Valid<'_>) -> bool {
    v.origins.first().is_some_and(|o| o.scheme == "https")
}

fn prefix(v: &Valid<'_>) -> String {
    normalise_prefix(v.opt("route_prefix").trim())
}

fn header_name(v: &Valid<'_>) -> String {
    v.opt("header_name").trim().to_ascii_lowercase()
}

fn cookie_name(v: &Valid<'_>) -> String {
    v.opt("cookie_name").trim().to_owned()
}

fn session_cookie(v: &Valid<'_>) -> String {
    v.opt("session_cookie").trim().to_owned()
}

fn secret_env(v: &Valid<'_>) -> String {
    let s = v.opt("secret_env").trim();
    if crate::engine::valid_env_name(s) {
        s.to_owned()
    } else {
        "CSRF_SECRET".to_owned()
    }
}

fn websockets(v: &Valid<'_>) -> bool {
    v.opt("websockets").trim() == "yes"
}

fn has_exempt_urls(v: &Valid<'_>) -> bool {
    v.version.is_none_or(|ver| ver >= EXEMPT_FROM)
}

/// Cookie and header names: RFC 7230 `token` characters, narrowed to what survives every proxy
/// and shell quoting in the verify script unchanged.
fn name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The exempt patterns, each with a comment saying what it is for.
fn patterns(v: &Valid<'_>) -> Vec<(String, String)> {
    let prefix = prefix(v);
    let mut out: Vec<(String, String)> = Vec::new();
    for e in split_list(v.opt("exempt_paths")) {
        let e = if e.starts_with('/') {
            e
        } else {
            format!("/{e}")
        };
        let pat = route_pattern(&prefix, &e);
        if !out.iter().any(|(p, _)| *p == pat) {
            let what = if e.ends_with('*') {
                format!("{prefix}{} and below", e.trim_end_matches(['*', '/']))
            } else {
                format!("POST/PUT/PATCH/DELETE {prefix}{e}")
            };
            out.push((pat, what));
        }
    }
    for m in split_list(v.opt("exempt_mounts")) {
        let m = if m.starts_with('/') {
            m
        } else {
            format!("/{m}")
        };
        let pat = mount_pattern(&m);
        if !out.iter().any(|(p, _)| *p == pat) {
            out.push((
                pat,
                format!(
                    "mounted at {}, outside the prefix",
                    m.trim_end_matches(['*', '/'])
                ),
            ));
        }
    }
    out
}

/// Concrete paths of the exact exempt entries (no parameters), for the verify script.
fn concrete_exempt_paths(v: &Valid<'_>) -> Vec<String> {
    let prefix = prefix(v);
    split_list(v.opt("exempt_paths"))
        .into_iter()
        .filter(|e| !e.contains(['{', '*']))
        .map(|e| {
            let e = if e.starts_with('/') {
                e
            } else {
                format!("/{e}")
            };
            format!("{prefix}{e}")
        })
        .collect()
}

use crate::engine::diagnostics::set_option;

impl App for FastApi {
    fn id(&self) -> &'static str {
        "fastapi"
    }
    fn name(&self) -> &'static str {
        "FastAPI / Starlette"
    }
    fn summary(&self) -> &'static str {
        "Your own FastAPI/Starlette app with starlette-csrf: exempt_urls under a route prefix, cookie and header"
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
            && ver < EXEMPT_FROM
        {
            diags.push(
                Diagnostic::new(
                    "FA001",
                    field::VERSION,
                    format!("starlette-csrf {ver} has no exempt_urls (added in 1.3.0)"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use starlette-csrf {}", VERSIONS[0]),
                    vec![FieldEdit::SetVersion {
                        value: VERSIONS[0].to_owned(),
                    }],
                )),
            );
        }
        check_route_prefix(v, "FA003", diags);
        let prefix = prefix(v);
        let entries = split_list(v.opt("exempt_paths"));
        let rebuild = |f: &dyn Fn(&str) -> Option<String>| -> String {
            entries
                .iter()
                .filter_map(|e| f(e))
                .collect::<Vec<_>>()
                .join(" ")
        };
        for e in &entries {
            if !e.starts_with('/') {
                diags.push(
                    Diagnostic::new(
                        "FA006",
                        field::option("exempt_paths"),
                        format!("A route path starts with /: {e}"),
                    )
                    .with_fix(Fix::safe(
                        format!("Use /{e}"),
                        set_option(
                            "exempt_paths",
                            rebuild(&|x| {
                                Some(if x == e {
                                    format!("/{x}")
                                } else {
                                    x.to_owned()
                                })
                            }),
                        ),
                    )),
                );
                continue;
            }
            if !prefix.is_empty() && (e == &prefix || e.starts_with(&format!("{prefix}/"))) {
                let stripped = e[prefix.len()..].to_owned();
                let stripped = if stripped.is_empty() {
                    "/".to_owned()
                } else {
                    stripped
                };
                diags.push(
                    Diagnostic::new(
                        "FA002",
                        field::option("exempt_paths"),
                        format!(
                            "Exempt routes are written without the prefix; this one would be {prefix}{e}: {e}"
                        ),
                    )
                    .with_fix(Fix::unsafe_(
                        format!("Use {stripped}"),
                        set_option(
                            "exempt_paths",
                            rebuild(&|x| {
                                Some(if x == e {
                                    stripped.clone()
                                } else {
                                    x.to_owned()
                                })
                            }),
                        ),
                    )),
                );
            }
            let bare = e.trim_end_matches(['*', '/']);
            if bare.is_empty() && e.ends_with('*') {
                diags.push(
                    Diagnostic::new(
                        "FA005",
                        field::option("exempt_paths"),
                        format!(
                            "This entry exempts every route under {}: {e}",
                            if prefix.is_empty() { "/" } else { &prefix }
                        ),
                    )
                    .with_fix(Fix::unsafe_(
                        format!("Remove {e}"),
                        set_option("exempt_paths", rebuild(&|x| (x != e).then(|| x.to_owned()))),
                    )),
                );
            }
        }
        let ss = v.opt("same_site").trim().to_ascii_lowercase();
        if ss == "none" && !https(v) && !v.origins.is_empty() {
            diags.push(
                Diagnostic::new(
                    "FA004",
                    field::option("same_site"),
                    "Browsers reject SameSite=None cookies that are not Secure, and Secure needs https",
                )
                .with_fix(Fix::unsafe_("Use SameSite=lax", set_option("same_site", "lax"))),
            );
        }
        for (key, default) in [("cookie_name", "csrftoken"), ("header_name", "x-csrftoken")] {
            let value = v.opt(key).trim();
            if !name_ok(value) {
                diags.push(
                    Diagnostic::new(
                        "FA007",
                        field::option(key),
                        format!("Use letters, digits, - and _ only: {value}"),
                    )
                    .with_fix(Fix::unsafe_(
                        format!("Use {default}"),
                        set_option(key, default),
                    )),
                );
            }
        }
        let header = v.opt("header_name").trim();
        if name_ok(header) && header.contains('_') {
            let dashed = header.replace('_', "-");
            diags.push(
                Diagnostic::new(
                    "FA008",
                    field::option("header_name"),
                    format!("nginx drops request headers with underscores by default: {header}"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {dashed}"),
                    set_option("header_name", dashed),
                )),
            );
        }
        let session = v.opt("session_cookie").trim();
        if !session.is_empty() && !name_ok(session) {
            diags.push(
                Diagnostic::new(
                    "FA007",
                    field::option("session_cookie"),
                    format!("Use letters, digits, - and _ only: {session}"),
                )
                .with_fix(Fix::unsafe_(
                    "Leave it empty",
                    set_option("session_cookie", ""),
                )),
            );
        }
        let secret = v.opt("secret_env").trim();
        if !crate::engine::valid_env_name(secret) {
            diags.push(
                Diagnostic::new(
                    "FA009",
                    field::option("secret_env"),
                    format!("Not a valid variable name: {secret}"),
                )
                .with_fix(Fix::unsafe_(
                    "Use CSRF_SECRET",
                    set_option("secret_env", "CSRF_SECRET"),
                )),
            );
        }
        if session.is_empty() {
            diags.push(Diagnostic::new(
                "FA010",
                field::option("session_cookie"),
                "Every unsafe request is checked, also API clients that send only an Authorization header",
            ));
        }
    }

    fn plan(&self, v: &Valid<'_>) -> AppPlan {
        let origins = v.origin_strings();
        let secret = secret_env(v);
        let mut env = vec![EnvVar::secret(
            &secret,
            SecretSpec {
                slug: "csrf-secret",
                value: None,
                generate: Some(SecretGen::Hex { bytes: 32 }),
                describe: "signs the CSRF cookie; the same on every instance",
            },
            "starlette-csrf signs the token in the CSRF cookie with this secret \
             (itsdangerous URLSafeSerializer). Every instance must have the same value: a \
             token set by one instance fails the signature check on another, and the request \
             gets 403 CSRF token verification failed. Generated once (32 random bytes, hex) and \
             kept in the secret store; the snippet reads it with os.environ.",
            "starlette_csrf/middleware.py (v3.0.0): URLSafeSerializer(secret, \"csrftoken\"), \
             _csrf_tokens_match; seed-systems.md §8.1",
        )];
        // On a VM the proxy runs beside the app (loopback, uvicorn's default); elsewhere the
        // container is reachable only through the platform's front end or load balancer.
        let local_proxy = v.platform.id() == "vm";
        env.push(EnvVar::literal(
            "FORWARDED_ALLOW_IPS",
            if local_proxy { "127.0.0.1" } else { "*" },
            if local_proxy {
                "uvicorn applies X-Forwarded-Proto and X-Forwarded-For (proxy headers are on by \
                 default) only for connections from these addresses. The reverse proxy on this \
                 machine connects from 127.0.0.1 (uvicorn's default, written out); if it runs \
                 elsewhere, list its address, never `*` on a machine reachable directly."
                    .to_owned()
            } else { format!(
                "uvicorn applies X-Forwarded-Proto and X-Forwarded-For (proxy headers are on by \
                 default) only for connections from these addresses; unset it trusts 127.0.0.1 \
                 alone. Behind {} the connection comes from the front end, so without this the \
                 app sees http:// and absolute URLs it builds (FastAPI's trailing-slash 307 \
                 redirects, url_for) point to http. `*` is safe only because nothing but the \
                 front end can reach the container; on a machine reachable directly, list the \
                 proxy's address instead.",
                v.platform.name()
            ) },
            "uvicorn/config.py (os.environ.get(\"FORWARDED_ALLOW_IPS\", \"127.0.0.1\")), \
             uvicorn/main.py --proxy-headers (default on), uvicorn/middleware/proxy_headers.py \
             (uvicorn 0.35); platforms.md §1.4",
        ));

        let mut reasons = vec![
            Reason {
                subject: "Exempt patterns include the route prefix".to_owned(),
                why: format!(
                    "starlette-csrf matches exempt_urls with re.match against request.url.path, \
                     the whole path from its first character. Routes included with \
                     prefix=\"{p}\" are served at {p}/…, so every pattern for them starts with \
                     {p}; a pattern written from the decorator alone (^/token) never matches and \
                     POST {p}/token gets 403. Mounts outside the prefix (Socket.IO at /ws) keep \
                     their own path.",
                    p = prefix(v)
                ),
                source: format!(
                    "{SRC_MIDDLEWARE}; RomM 3.4.0-3.5.x bug and fix (rommapp/romm PR #1303, \
                     seed-systems.md §3.1, §10.3); tests/e2e_starlette_csrf.rs"
                ),
            },
            Reason {
                subject: "cookie_httponly=False".to_owned(),
                why: "Double submit: the front end reads the CSRF cookie with JavaScript and \
                      sends the same value in the header. An HttpOnly cookie cannot be read, so \
                      every check would fail."
                    .to_owned(),
                source: SRC_MIDDLEWARE.to_owned(),
            },
        ];
        if websockets(v) {
            reasons.push(Reason {
                subject: "WebSocket scopes skip the middleware".to_owned(),
                why: "starlette-csrf 1.4.4+ builds a Starlette Request from WebSocket scopes too, \
                      and Request asserts scope[\"type\"] == \"http\", so every WebSocket \
                      connection fails with AssertionError. The subclass passes non-HTTP scopes \
                      straight to the app; check the Origin header in your WebSocket handler, \
                      since CSRF cookies do not protect WebSockets."
                    .to_owned(),
                source: "starlette_csrf/middleware.py (v3.0.0, since fd3cc2d / v1.4.4); \
                         starlette/requests.py Request.__init__ (1.10.0); \
                         tests/e2e_starlette_csrf.rs"
                    .to_owned(),
            });
        }
        reasons.push(Reason {
            subject: "Image".to_owned(),
            why: "Your own code has no official image: the deploy builds from the current \
                  folder (Cloud Run: --source=.), or set the platform's image option."
                .to_owned(),
            source: "cloud.google.com/run/docs/deploying-source-code".to_owned(),
        });

        AppPlan {
            env,
            container_port: 8080,
            image: String::new(),
            snippet: Snippet {
                title: "starlette-csrf middleware (csrf.py)".to_owned(),
                language: "python",
                filename: "csrf.py".to_owned(),
                body: snippet(v),
            },
            verify: verify_script(v, &origins),
            reasons,
        }
    }
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// The Python snippet: a module with `CSRF_EXEMPT_URLS` and `add_csrf(app)`.
fn snippet(v: &Valid<'_>) -> String {
    let version = v
        .version
        .map_or_else(|| VERSIONS[0].to_owned(), |ver| ver.to_string());
    let prefix = prefix(v);
    let pats = patterns(v);
    let ws = websockets(v);
    let mut s = String::new();
    s.push_str(&format!(
        "# CSRF protection with starlette-csrf {version} for routers included with\n\
         # prefix={}.\n\
         #   pip install \"starlette-csrf=={version}\"\n\
         # Use it where the app is built:\n\
         #   from csrf import add_csrf\n\
         #   app = FastAPI()\n\
         #   app.include_router(router, prefix={})\n\
         #   add_csrf(app)\n\
         # The front end copies the {} cookie into the {} header on every\n\
         # POST/PUT/PATCH/DELETE.\n",
        str_literal(&prefix),
        str_literal(&prefix),
        cookie_name(v),
        header_name(v),
    ));
    s.push_str("import os\nimport re\n\nfrom starlette_csrf import CSRFMiddleware\n\n");
    s.push_str(
        "# starlette-csrf matches each pattern with re.match() against the whole request\n\
         # path, so patterns for routes under the prefix start with the prefix.\n",
    );
    if pats.is_empty() {
        s.push_str("CSRF_EXEMPT_URLS = []\n");
    } else {
        s.push_str("CSRF_EXEMPT_URLS = [\n");
        for (p, what) in &pats {
            s.push_str(&format!("    re.compile({}),  # {what}\n", raw_lit(p)));
        }
        s.push_str("]\n");
    }
    let class = if ws {
        s.push_str(&format!(
            "\n\nclass HTTPOnlyCSRFMiddleware(CSRFMiddleware):\n    \
             \"\"\"Passes WebSocket scopes to the app unchecked.\n\n    \
             starlette-csrf {} builds a starlette\n    \
             Request from every scope, and Request accepts only \"http\" ones:\n    \
             without this, every WebSocket connection fails with AssertionError.\n    \
             Check the Origin header in the WebSocket handler instead.\n    \"\"\"\n\n    \
             async def __call__(self, scope, receive, send):\n        \
             if scope[\"type\"] != \"http\":\n            \
             await self.app(scope, receive, send)\n            \
             return\n        \
             await super().__call__(scope, receive, send)\n",
            if v.version.is_none_or(|ver| ver >= ASGI_FROM) {
                "1.4.4 and later"
            } else {
                "1.4.4 and later (not needed before, harmless)"
            }
        ));
        "HTTPOnlyCSRFMiddleware"
    } else {
        "CSRFMiddleware"
    };
    s.push_str("\n\ndef add_csrf(app):\n    app.add_middleware(\n");
    s.push_str(&format!("        {class},\n"));
    s.push_str(&format!(
        "        secret=os.environ[{}],\n",
        str_literal(&secret_env(v))
    ));
    if has_exempt_urls(v) {
        s.push_str("        exempt_urls=CSRF_EXEMPT_URLS,\n");
    } else {
        s.push_str(&format!(
            "        # exempt_urls needs starlette-csrf 1.3.0 or later; {version} would raise\n        \
             # TypeError, so the patterns above are unused until you upgrade.\n"
        ));
    }
    let session = session_cookie(v);
    if !session.is_empty() {
        s.push_str(&format!(
            "        # Only requests that carry the session cookie are checked.\n        \
             sensitive_cookies={{{}}},\n",
            str_literal(&session)
        ));
    }
    s.push_str(&format!(
        "        cookie_name={},\n",
        str_literal(&cookie_name(v))
    ));
    s.push_str(&format!("        cookie_secure={},\n", py_bool(https(v))));
    s.push_str("        cookie_httponly=False,\n");
    s.push_str(&format!(
        "        cookie_samesite={},\n",
        str_literal(&v.opt("same_site").trim().to_ascii_lowercase())
    ));
    s.push_str(&format!(
        "        header_name={},\n",
        str_literal(&header_name(v))
    ));
    s.push_str("    )\n");
    s
}

/// The verify script: for each origin, the CSRF cookie and its flags, an unsafe request refused
/// without the token and accepted with it, and each exact exempt route answering without one.
fn verify_script(v: &Valid<'_>, origins: &[String]) -> Script {
    let mut s = Script::default();
    s.comment("Checks the CSRF setup of the deployed app (needs curl).");
    s.comment("Good: every line starts with \"good:\". Bad: a \"BAD:\" line says what to change.");
    s.raw("set -u");
    if origins.is_empty() {
        s.raw("echo 'BAD: no public URL was given to ProxyTrust'");
        return s;
    }
    let prefix = prefix(v);
    let cookie = cookie_name(v);
    let header = header_name(v);
    let session = session_cookie(v);
    let list: Vec<String> = origins.iter().map(|o| quote(o)).collect();
    s.raw(format!("origins=({})", list.join(" ")));
    s.raw(format!("prefix={}", quote(&prefix)));
    let exempt: Vec<String> = concrete_exempt_paths(v).iter().map(|p| quote(p)).collect();
    s.raw(format!("exempt=({})", exempt.join(" ")));
    // A request that must be checked: with sensitive_cookies set, only requests carrying the
    // session cookie are.
    let probe_cookie = if session.is_empty() {
        String::new()
    } else {
        format!("{session}=proxytrust-probe; ")
    };
    s.raw("for origin in \"${origins[@]}\"; do");
    s.raw("headers=\"$(mktemp)\"");
    s.comment(format!(
        "1. Any response sets the {cookie} cookie when the request has none."
    ));
    s.raw("curl -sS -o /dev/null -D \"$headers\" \"$origin$prefix/\"");
    s.raw(format!(
        "set_cookie=\"$(grep -i '^set-cookie: *{cookie}=' \"$headers\" | head -n 1 | tr -d '\\r')\""
    ));
    s.raw(format!(
        "token=\"$(printf '%s' \"$set_cookie\" | sed -n 's/^[^:]*: *{cookie}=\\([^;]*\\).*/\\1/p')\""
    ));
    s.raw("if [ -z \"$token\" ]; then");
    s.raw(format!(
        "echo \"BAD: $origin sets no {cookie} cookie: is the middleware added, or does a proxy drop Set-Cookie?\""
    ));
    s.raw("else");
    s.raw(format!("echo \"good: $origin sets the {cookie} cookie\""));
    let lower = "$(printf '%s' \"$set_cookie\" | tr '[:upper:]' '[:lower:]')";
    if https(v) {
        s.raw(format!(
            "case \"{lower}\" in *'; secure'*) echo 'good: the cookie is Secure' ;; *) echo 'BAD: the cookie is not Secure: cookie_secure=True' ;; esac"
        ));
    }
    let ss = v.opt("same_site").trim().to_ascii_lowercase();
    s.raw(format!(
        "case \"{lower}\" in *'samesite={ss}'*) echo 'good: the cookie is SameSite={ss}' ;; *) echo 'BAD: the cookie is not SameSite={ss}' ;; esac"
    ));
    s.raw("fi");
    s.comment("2. An unsafe request without the token is refused (403), even to a route that");
    s.comment("does not exist: the middleware runs before routing.");
    let probe = "$origin$prefix/proxytrust-csrf-probe";
    if session.is_empty() {
        s.raw(format!(
            "status=\"$(curl -sS -o /dev/null -w '%{{http_code}}' -X POST \"{probe}\")\""
        ));
    } else {
        s.raw(format!(
            "status=\"$(curl -sS -o /dev/null -w '%{{http_code}}' -X POST -H {} \"{probe}\")\"",
            quote(&format!("Cookie: {}", probe_cookie.trim_end_matches("; ")))
        ));
    }
    s.raw("if [ \"$status\" = 403 ]; then");
    s.raw("echo \"good: $origin refuses POST without the CSRF token (403)\"");
    s.raw("else");
    s.raw("echo \"BAD: $origin answered POST without the CSRF token with HTTP $status, not 403: is the middleware added?\"");
    s.raw("fi");
    s.comment(format!(
        "3. With the cookie and the {header} header the CSRF check passes (404 or 405 then)."
    ));
    s.raw(format!(
        "status=\"$(curl -sS -o /dev/null -w '%{{http_code}}' -X POST -H \"Cookie: {probe_cookie}{cookie}=$token\" -H \"{header}: $token\" \"{probe}\")\""
    ));
    s.raw("if [ \"$status\" != 403 ]; then");
    s.raw("echo \"good: $origin accepts the token in the header (HTTP $status)\"");
    s.raw("else");
    s.raw(format!(
        "echo \"BAD: $origin refused the token: a proxy may drop the {header} header, or instances sign with different secrets\""
    ));
    s.raw("fi");
    s.comment("4. Exempt routes answer without a token (any status but the CSRF 403).");
    s.raw("for path in \"${exempt[@]}\"; do");
    s.raw("body=\"$(curl -sS -w ' HTTP %{http_code}' -X POST \"$origin$path\")\"");
    s.raw("case \"$body\" in");
    s.raw("*'CSRF token verification failed'*) echo \"BAD: $origin$path is not exempt: its pattern must start with the route prefix\" ;;");
    s.raw("*) echo \"good: $origin$path is exempt (${body##* HTTP })\" ;;");
    s.raw("esac");
    s.raw("done");
    s.raw("rm -f \"$headers\"");
    s.raw("done");
    s
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "FA001",
        severity: Error,
        name: "exempt-urls-unsupported",
        explanation: "What: the starlette-csrf version has no `exempt_urls` option.\n\
Why: `exempt_urls` was added in 1.3.0 (commit e83327b). Older versions check every unsafe request \
and `CSRFMiddleware(..., exempt_urls=...)` raises TypeError at start-up, so a token endpoint cannot \
be exempted. The snippet leaves the option out for these versions.\n\
Example: `pip install \"starlette-csrf==3.0.0\"`.\n\
References: frankie567/starlette-csrf tags v1.2.1, v1.3.0 (starlette_csrf/middleware.py).",
    },
    Code {
        code: "FA002",
        severity: Warning,
        name: "exempt-path-includes-prefix",
        explanation: "What: an exempt route is written with the route prefix in front.\n\
Why: exempt routes are entered as the decorators write them (`@router.post(\"/token\")`); \
ProxyTrust adds the prefix. `/api/token` under the prefix `/api` would become `^/api/api/token/?$`, \
which matches nothing.\n\
Example: prefix `/api`, exempt route `/token`.\n\
References: starlette_csrf/middleware.py `_url_is_exempt` (re.match on request.url.path); \
seed-systems.md §8.1.",
    },
    Code {
        code: "FA003",
        severity: Error,
        name: "route-prefix-invalid",
        explanation: "What: the route prefix is not in the form FastAPI accepts.\n\
Why: `include_router(prefix=...)` asserts \"A path prefix must start with '/'\" and \"A path prefix \
must not end with '/', as the routes will start with '/'\"; the exempt patterns are built from the \
same prefix.\n\
Example: `api/` -> `/api`.\n\
References: fastapi/routing.py (0.163.2) APIRouter.include_router.",
    },
    Code {
        code: "FA004",
        severity: Error,
        name: "same-site-none-without-https",
        explanation: "What: SameSite=None for a site served over plain http.\n\
Why: browsers reject a SameSite=None cookie unless it is also Secure, and Secure cookies need \
https: the CSRF cookie would never be stored and every unsafe request would get 403.\n\
Example: `--set same_site=lax`.\n\
References: RFC 6265bis (SameSite=None requires Secure); starlette_csrf/middleware.py \
cookie_samesite.",
    },
    Code {
        code: "FA005",
        severity: Warning,
        name: "exempt-everything",
        explanation: "What: an exempt entry covers every route under the prefix (`/*`).\n\
Why: starlette-csrf then checks no request to the API at all; the CSRF middleware does nothing. \
Exempt the routes that need it (a token endpoint, webhooks), or set the session cookie option so \
that only cookie-authenticated requests are checked.\n\
Example: `/token /hooks/*` instead of `/*`.\n\
References: starlette_csrf/middleware.py `_url_is_exempt`, `_has_sensitive_cookies` (v3.0.0).",
    },
    Code {
        code: "FA006",
        severity: Error,
        name: "exempt-path-not-absolute",
        explanation: "What: an exempt route does not start with `/`.\n\
Why: route paths start with `/` (`@router.post(\"/token\")`), and request paths always do; \
without it the pattern would glue the prefix and the name together (`/apitoken`).\n\
Example: `token` -> `/token`.\n\
References: starlette/routing.py (Route paths must start with '/').",
    },
    Code {
        code: "FA007",
        severity: Error,
        name: "cookie-or-header-name-invalid",
        explanation: "What: a cookie or header name has characters other than letters, digits, `-` \
and `_`.\n\
Why: cookie and header names are HTTP tokens (RFC 6265 §4.1.1, RFC 9110 §5.1); separators, spaces \
and quotes make the browser or a proxy drop or split them.\n\
Example: `csrftoken`, `x-csrftoken`.\n\
References: RFC 6265 §4.1.1; RFC 9110 §5.1.",
    },
    Code {
        code: "FA008",
        severity: Warning,
        name: "header-name-underscore",
        explanation: "What: the CSRF header name contains `_`.\n\
Why: nginx ignores request headers whose names contain underscores unless \
`underscores_in_headers on` is set (the default is off, with `ignore_invalid_headers on`), so \
behind nginx the token never reaches the app and every unsafe request gets 403.\n\
Example: `x_csrftoken` -> `x-csrftoken`.\n\
References: nginx.org/en/docs/http/ngx_http_core_module.html#underscores_in_headers.",
    },
    Code {
        code: "FA009",
        severity: Error,
        name: "secret-variable-invalid",
        explanation: "What: the secret's variable name is not a valid environment variable name.\n\
Why: the snippet reads the secret with `os.environ[NAME]`, and platforms accept only \
`[A-Za-z_][A-Za-z0-9_]*` (POSIX portable names).\n\
Example: `CSRF_SECRET`.\n\
References: POSIX XBD 8.1.",
    },
    Code {
        code: "FA010",
        severity: Info,
        name: "api-clients-checked-too",
        explanation: "What: no session cookie is named, so starlette-csrf checks every unsafe request.\n\
Why: with `sensitive_cookies` unset, a script that authenticates with `Authorization: Bearer …` \
and sends no cookies still needs the CSRF cookie and header on every POST/PUT/PATCH/DELETE, or it \
gets 403 CSRF token verification failed (RomM issue #1505 is this). Name the cookie your browser \
sessions use and requests without it are not checked (v1.1.0+); browsers, which send the cookie, \
still are.\n\
Example: `--set session_cookie=session`.\n\
References: starlette_csrf/middleware.py `_has_sensitive_cookies` (v3.0.0); seed-systems.md §3.4, \
§8.1.",
    },
];

/// starlette-csrf's and FastAPI's own messages. RomM's readings of the same text come first in the
/// registry (`apps/romm.rs`).
static SIGNATURES: &[Signature] = &[
    Signature {
        id: "starlette-csrf-verification-failed",
        pattern: r"CSRF token verification failed",
        apps: &["fastapi", "romm"],
        emitter: "starlette-csrf's CSRFMiddleware (HTTP 403, plain-text body)",
        cause: "An unsafe request (POST/PUT/PATCH/DELETE) reached the middleware without a valid \
                token: no CSRF cookie, no header, different values, or a cookie signed with \
                another secret (another instance). Often the route was meant to be exempt but the \
                pattern misses the route prefix: exempt_urls are matched with re.match against \
                the whole path, /api included.",
        fix: "Write exempt patterns with the route prefix (^/api/token, not ^/token), send the \
              cookie's value in the x-csrftoken header, and give every instance the same secret.",
        references: "starlette_csrf/middleware.py _get_error_response (v3.0.0: \
                     PlainTextResponse(content=\"CSRF token verification failed\", \
                     status_code=403)); seed-systems.md §8.1; tests/e2e_starlette_csrf.rs",
    },
    Signature {
        id: "starlette-csrf-websocket-assertion",
        pattern: r#"(?s)starlette_csrf[/\\]middleware\.py", line \d+, in __call__.{0,400}?assert scope\["type"\] == "http""#,
        apps: &["fastapi"],
        emitter: "Starlette's Request, built by starlette-csrf (1.4.4+) for a WebSocket scope",
        cause: "starlette-csrf builds Request(scope) for WebSocket scopes too, and Starlette's \
                Request accepts only HTTP scopes: every WebSocket connection fails.",
        fix: "Subclass CSRFMiddleware so non-HTTP scopes go straight to the app (ProxyTrust's \
              snippet does this when the app has WebSocket routes) and check Origin in the \
              WebSocket handler.",
        references: "starlette_csrf/middleware.py (v3.0.0) __call__; starlette/requests.py \
                     Request.__init__ (1.10.0); tests/e2e_starlette_csrf.rs",
    },
    Signature {
        id: "fastapi-path-prefix-assertion",
        pattern: r"A path prefix must (?:start with '/'|not end with '/'(?:, as the routes will start with '/')?)",
        apps: &["fastapi"],
        emitter: "FastAPI's include_router at start-up",
        cause: "The router prefix is not of the form /name: it must start with / and must not \
                end with /.",
        fix: "Write the prefix as /api (ProxyTrust's route prefix option uses the same form for \
              the exempt patterns).",
        references: "fastapi/routing.py (0.163.2) include_router",
    },
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::engine::diagnose::diagnose;
    use crate::engine::generate;
    use crate::engine::inputs::RawInputs;
    use crate::engine::test_support::{self, block, codes};

    fn raw(opts: &[(&str, &str)]) -> RawInputs {
        test_support::inputs(
            "fastapi",
            "cloud-run",
            &["https://api-abc123-uc.a.run.app"],
            &[&[("service", "api"), ("region", "us-central1")], opts],
        )
    }

    #[test]
    fn patterns_carry_the_prefix() {
        assert_eq!(route_pattern("/api", "/token"), "^/api/token/?$");
        assert_eq!(route_pattern("/api", "/token/"), "^/api/token/?$");
        assert_eq!(route_pattern("/api", "/hooks/*"), "^/api/hooks(?:/|$)");
        assert_eq!(
            route_pattern("/api/v1.0", "/items/{id:int}/hook"),
            "^/api/v1\\.0/items/[0-9]+/hook/?$"
        );
        assert_eq!(route_pattern("", "/token"), "^/token/?$");
        assert_eq!(route_pattern("", "/"), "^/$");
        assert_eq!(mount_pattern("/ws"), "^/ws(?:/|$)");
    }

    #[test]
    fn reach_of_typed_patterns() {
        let m = ["/ws", "/netplay"];
        assert_eq!(reach("^/token.*", "/api", &m), Reach::Nowhere);
        assert_eq!(reach("^/api/token.*", "/api", &m), Reach::Routes);
        assert_eq!(
            reach("^/api/ws", "/api", &m),
            Reach::MountUnderPrefix("/ws".into())
        );
        assert_eq!(reach("^/ws", "/api", &m), Reach::Mount("/ws".into()));
        assert_eq!(
            reach("^/api/ws", "/romm/api", &m),
            Reach::MountUnderPrefix("/ws".into())
        );
        assert_eq!(reach("^/api", "/api", &m), Reach::AllRoutes);
        assert_eq!(reach("^/api/.*", "/api", &m), Reach::AllRoutes);
        assert_eq!(reach("^/ap", "/api", &m), Reach::AllRoutes);
        assert_eq!(
            reach("^/api/client-tokens/pair/.+/status", "/api", &m),
            Reach::Routes
        );
        assert_eq!(reach("^/apis?/token", "/api", &m), Reach::Routes);
        assert_eq!(reach(".*token", "/api", &m), Reach::Unknown);
        assert_eq!(reach("^/(api|v2)/token", "/api", &m), Reach::Unknown);
        assert_eq!(reach(r"^/api/v1\.0/x", "/api", &m), Reach::Routes);
        assert_eq!(reach("^/token.*", "", &m), Reach::Routes);
        assert_eq!(with_prefix("^/token.*", "/api"), "^/api/token.*");
    }

    #[test]
    fn default_setup_is_clean_and_writes_the_prefix() {
        let g = generate(&raw(&[]));
        assert_eq!(codes(&g), vec!["FA010"], "{:?}", g.diagnostics);
        let snippet = block(&g, "snippet");
        assert!(
            snippet.contains("re.compile(r\"^/api/token/?$\")"),
            "{snippet}"
        );
        assert!(snippet.contains("cookie_secure=True"), "{snippet}");
        assert!(snippet.contains("cookie_samesite=\"lax\""), "{snippet}");
        assert!(snippet.contains("header_name=\"x-csrftoken\""), "{snippet}");
        assert!(snippet.contains("os.environ[\"CSRF_SECRET\"]"), "{snippet}");
        assert!(!snippet.contains("HTTPOnlyCSRFMiddleware"), "{snippet}");
        let env: BTreeMap<_, _> = g.env.iter().map(|e| (e.name.clone(), e.secret)).collect();
        assert_eq!(env.get("CSRF_SECRET"), Some(&true));
        let deploy = block(&g, "deploy");
        assert!(deploy.contains("--source=."), "{deploy}");
    }

    #[test]
    fn options_change_the_snippet() {
        let g = generate(&raw(&[
            ("route_prefix", "/v2"),
            ("exempt_paths", "/token /hooks/* /items/{id}/ping"),
            ("exempt_mounts", "/ws"),
            ("websockets", "yes"),
            ("session_cookie", "session"),
            ("same_site", "strict"),
            ("header_name", "x-xsrf-token"),
            ("cookie_name", "xsrf"),
        ]));
        assert!(codes(&g).is_empty(), "{:?}", g.diagnostics);
        let s = block(&g, "snippet");
        for want in [
            "r\"^/v2/token/?$\"",
            "r\"^/v2/hooks(?:/|$)\"",
            "r\"^/v2/items/[^/]+/ping/?$\"",
            "r\"^/ws(?:/|$)\"",
            "class HTTPOnlyCSRFMiddleware(CSRFMiddleware)",
            "sensitive_cookies={\"session\"}",
            "cookie_samesite=\"strict\"",
            "header_name=\"x-xsrf-token\"",
            "cookie_name=\"xsrf\"",
        ] {
            assert!(s.contains(want), "{want} missing:\n{s}");
        }
        let verify = block(&g, "verify");
        assert!(
            verify.contains("Cookie: session=proxytrust-probe"),
            "{verify}"
        );
    }

    #[test]
    fn old_versions_have_no_exempt_urls() {
        let mut r = raw(&[]);
        r.app_version = "1.2.1".into();
        let g = generate(&r);
        assert!(codes(&g).contains(&"FA001"));
        let s = block(&g, "snippet");
        assert!(!s.contains("exempt_urls=CSRF_EXEMPT_URLS"), "{s}");
        assert!(s.contains("starlette-csrf==1.2.1"), "{s}");
    }

    #[test]
    fn typed_mistakes_are_reported() {
        let c = codes(&generate(&raw(&[
            ("exempt_paths", "/api/token token /*"),
            ("route_prefix", "api/"),
            ("header_name", "x_csrftoken"),
            ("secret_env", "1BAD"),
        ])));
        for code in ["FA002", "FA003", "FA005", "FA006", "FA008", "FA009"] {
            assert!(c.contains(&code), "{code} missing: {c:?}");
        }
        let mut r = raw(&[("same_site", "none")]);
        r.urls = vec!["http://10.0.0.5:8000".into()];
        r.platform = "vm".into();
        r.options.remove("service");
        r.options.remove("region");
        assert!(codes(&generate(&r)).contains(&"FA004"));
    }

    #[test]
    fn fixes_remove_their_diagnostic_and_add_no_error() {
        let cases = [
            raw(&[
                ("exempt_paths", "/api/token token /*"),
                ("route_prefix", "api/"),
            ]),
            raw(&[("header_name", "x_csrftoken"), ("cookie_name", "a b")]),
            raw(&[("secret_env", "1BAD"), ("session_cookie", "s;x")]),
            {
                let mut r = raw(&[]);
                r.app_version = "1.2.1".into();
                r
            },
        ];
        let checked = crate::engine::diagnostics::check_fixes(&cases, "FA");
        assert!(checked >= 7, "only {checked} fixes checked");
    }

    #[test]
    /// The explanations (What / Why / Example / References) are checked for every module's
    /// codes in diagnostics/codes.rs.
    fn codes_have_the_module_prefix() {
        for c in CODES {
            assert!(c.code.starts_with("FA"), "{}", c.code);
        }
    }

    #[test]
    fn samples_are_recognised() {
        let samples = [
            (
                "HTTP/1.1 403 Forbidden\ncontent-type: text/plain; charset=utf-8\n\nCSRF token verification failed",
                "starlette-csrf-verification-failed",
            ),
            (
                "  File \"/app/.venv/lib/python3.12/site-packages/starlette_csrf/middleware.py\", line 53, in __call__\n    request = Request(scope)\n  File \"/app/.venv/lib/python3.12/site-packages/starlette/requests.py\", line 220, in __init__\n    assert scope[\"type\"] == \"http\"\nAssertionError",
                "starlette-csrf-websocket-assertion",
            ),
            (
                "AssertionError: A path prefix must not end with '/', as the routes will start with '/'",
                "fastapi-path-prefix-assertion",
            ),
        ];
        for (text, id) in samples {
            let found = diagnose(text, &RawInputs::default());
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].signature, id, "{text}");
            assert_eq!(found[0].app, "fastapi", "{text}");
        }
    }
}
