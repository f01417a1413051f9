//! Open WebUI (open-webui/open-webui): FastAPI + authlib's Starlette OAuth client.
//!
//! Why sign-in fails behind a load balancer with several instances (`mismatching_state: CSRF
//! Warning! State not equal in request and response.`):
//! * `/oauth/oidc/login` calls authlib's `authorize_redirect`, which stores the OAuth `state` in
//!   `request.session` (`OAuth()` is built without a cache: open_webui/utils/oauth.py). The
//!   session is Starlette's `SessionMiddleware`: a cookie signed with `WEBUI_SECRET_KEY`
//!   (itsdangerous `TimestampSigner`). Cookie `owui-session` in 0.12.4 (main.py:2766-2772),
//!   `oui-session` in 0.5.20 (main.py:1293-1301, added only when an OAuth provider is set).
//! * The callback may reach another instance. If that instance has another key, Starlette drops
//!   the cookie silently (bad signature → empty session) and authlib raises
//!   `MismatchingStateError`. The state is not "lost": it is in the browser, unreadable.
//!   Unset, the key is generated per container (the image's `start.sh`; `open-webui serve`), so
//!   every instance has its own. One shared random `WEBUI_SECRET_KEY` is the fix
//!   (shared/knowledge/seed-systems.md §4.1, §10.4; proven on authlib 1.7.2 + Starlette in
//!   tests/e2e_open_webui.rs).
//! * Version rules: 0.5.20 falls back to the public value `t0p-s3cr3t` when the key is unset
//!   (env.py:353-358); 0.12.4 refuses to start (`SystemExit("WEBUI_SECRET_KEY is not set. …")`,
//!   env.py:788-797). Both read `WEBUI_JWT_SECRET_KEY` only as a legacy fallback name.
//! * The session cookie must reach the callback: `SameSite=lax` (not `strict`: the IdP → callback
//!   hop is a cross-site navigation; browser SameSite rules, not Open WebUI code), `Secure` on
//!   https, and the callback on the same host the login started on.
//! * Several instances also need PostgreSQL (`DATABASE_URL`), Redis (`REDIS_URL`,
//!   `WEBSOCKET_MANAGER=redis`, `WEBSOCKET_REDIS_URL`, `ENABLE_WEBSOCKET_SUPPORT=true`) and a
//!   shared `data/` directory (docs.openwebui.com/troubleshooting/multi-replica).
//! * `CORS_ALLOW_ORIGIN` is split on `;`, not `,` (config.py:2192 in 0.12.4, 1084 in 0.5.20).
//!
//! References: seed-systems.md §4 (file:line for the 0.5.20 and 0.12.4 wheels), §8.2, §9, §10.4;
//! platforms.md §1.5 (Cloud Run session affinity).

use crate::engine::Valid;
use crate::engine::diagnose::Signature;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, FieldEdit, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{AppPlan, EnvVar, Reason, SecretGen, SecretSpec, Snippet};
use crate::engine::render::shell::{Script, quote};
use crate::engine::version::Version;

use super::App;

pub struct OpenWebUi;

/// Versions read for this module (PyPI wheels, seed-systems.md §0), newest first.
static VERSIONS: &[&str] = &["0.12.4", "0.5.20"];

/// The newest version whose rules are those of 0.5.20 (cookie `oui-session`, key fallback
/// `t0p-s3cr3t`, callback `/oauth/{provider}/callback` only).
const OLD_UNTIL: Version = Version::new(0, 5, 20);
/// The oldest version read with the 0.12.4 rules (cookie `owui-session`, `SystemExit` without a
/// key, `/oauth/{provider}/login/callback` too).
const NEW_FROM: Version = Version::new(0, 12, 4);

/// The callback path that exists in 0.5.20 and 0.12.4 (main.py:1315 and main.py:2946).
const CALLBACK_PATH: &str = "/oauth/oidc/callback";
/// The login path in both (main.py:1304 and main.py:2940).
const LOGIN_PATH: &str = "/oauth/oidc/login";

/// Minimum HMAC key length PyJWT (>= 2.11) recommends for HS256; a warning, not an Open WebUI
/// rule (seed-systems.md §9, §10.4; jwt/algorithms.py `check_key_length`, PyJWT 2.13.0).
const HS256_MIN_BYTES: usize = 32;

const SRC_KEY: &str = "open_webui/env.py:768-797 (0.12.4), env.py:353-358 (0.5.20); main.py:2766-2772 \
(0.12.4) SessionMiddleware(secret_key=WEBUI_SECRET_KEY); backend/start.sh; seed-systems.md §4.1-4.2, §10.4";
const SRC_COOKIE: &str = "open_webui/env.py:777-786 (0.12.4), env.py:360-376 (0.5.20); Starlette \
middleware/sessions.py (seed-systems.md §8.2)";
const SRC_OIDC: &str = "open_webui/config.py:2634-2642, ~2805-2826 (0.12.4), config.py:390-411, 558-577 \
(0.5.20); utils/oauth.py handle_login; seed-systems.md §4.2, §4.6";
const SRC_MULTI: &str = "docs.openwebui.com/troubleshooting/multi-replica (core requirements checklist); \
open_webui/env.py:271, 381, 473, 476, 493 (0.12.4); seed-systems.md §4.4";

const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];
const SAME_SITE: &[(&str, &str)] = &[
    ("lax", "Lax (works with sign-in redirects)"),
    ("none", "None (needs https)"),
    ("strict", "Strict (breaks OIDC sign-in)"),
];
const DATABASES: &[(&str, &str)] = &[
    ("sqlite", "SQLite in data/ (one instance only)"),
    ("postgres", "PostgreSQL (DATABASE_URL, a secret)"),
];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "oidc",
        label: "Sign in with OIDC",
        help: "Register a generic OpenID Connect provider (OPENID_PROVIDER_URL, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET)",
        kind: OptionKind::Choice(YES_NO),
        default: "yes",
    },
    OptionSpec {
        key: "openid_provider_url",
        label: "OIDC discovery URL",
        help: "OPENID_PROVIDER_URL: the provider's https://…/.well-known/openid-configuration",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "oauth_client_id",
        label: "OIDC client id",
        help: "OAUTH_CLIENT_ID; the client secret is kept as a secret (OAUTH_CLIENT_SECRET)",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "oauth_signup",
        label: "Create accounts at first OIDC sign-in",
        help: "ENABLE_OAUTH_SIGNUP: new users get the default role (pending) until an admin approves them",
        kind: OptionKind::Choice(YES_NO),
        default: "yes",
    },
    OptionSpec {
        key: "same_site",
        label: "Session cookie SameSite",
        help: "WEBUI_SESSION_COOKIE_SAME_SITE: lax keeps the OAuth state cookie on the way back from the provider",
        kind: OptionKind::Choice(SAME_SITE),
        default: "lax",
    },
    OptionSpec {
        key: "instances",
        label: "Instances",
        help: "How many instances (or replicas) may run at once; empty: the platform's max instances",
        kind: OptionKind::Integer,
        default: "",
    },
    OptionSpec {
        key: "database",
        label: "Database",
        help: "Several instances need PostgreSQL (DATABASE_URL, kept as a secret: it holds a password)",
        kind: OptionKind::Choice(DATABASES),
        default: "sqlite",
    },
    OptionSpec {
        key: "redis",
        label: "Redis",
        help: "REDIS_URL and WEBSOCKET_REDIS_URL (kept as secrets) with WEBSOCKET_MANAGER=redis: needed by several instances",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
    OptionSpec {
        key: "shared_data",
        label: "Shared data directory",
        help: "Every instance mounts the same /app/backend/data (uploads, RAG files, generated images)",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
];

/// Which rules apply to the chosen version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Era {
    /// <= 0.5.20: `oui-session`, key fallback `t0p-s3cr3t`.
    Old,
    /// Between the two versions read: either behaviour.
    Between,
    /// >= 0.12.4: `owui-session`, `SystemExit` without a key.
    New,
}

impl Era {
    fn of(v: &Valid<'_>) -> Self {
        match v.version {
            Some(ver) if ver <= OLD_UNTIL => Self::Old,
            Some(ver) if ver < NEW_FROM => Self::Between,
            _ => Self::New,
        }
    }

    /// The session cookie name, or both when unknown.
    fn cookie(self) -> &'static str {
        match self {
            Self::Old => "oui-session",
            Self::New => "owui-session",
            Self::Between => "owui-session (0.12.4) or oui-session (0.5.20)",
        }
    }

    /// A grep BRE matching the `Set-Cookie` header of the session cookie.
    fn cookie_grep(self) -> &'static str {
        match self {
            Self::Old => "^set-cookie: *oui-session=",
            Self::New => "^set-cookie: *owui-session=",
            Self::Between => "^set-cookie: *o\\(w\\)\\{0,1\\}ui-session=",
        }
    }
}

fn yes(v: &Valid<'_>, key: &str) -> bool {
    v.opt(key).trim() == "yes"
}

fn oidc(v: &Valid<'_>) -> bool {
    yes(v, "oidc")
}

fn https(v: &Valid<'_>) -> bool {
    v.origins.first().is_some_and(|o| o.scheme == "https")
}

fn platform_has(v: &Valid<'_>, key: &str) -> bool {
    v.platform.options().iter().any(|s| s.key == key)
}

fn parse_count(s: &str) -> Option<u32> {
    s.trim().parse::<u32>().ok()
}

/// How many instances may serve at once: the larger of the app's `instances` option and the
/// platform's `max_instances`, at least 1.
fn instances(v: &Valid<'_>) -> u32 {
    let app = parse_count(v.opt("instances")).unwrap_or(1);
    let platform = if platform_has(v, "max_instances") {
        parse_count(v.opt("max_instances")).unwrap_or(1)
    } else {
        1
    };
    app.max(platform).max(1)
}

/// The session cookie's SameSite value as configured (the option; Starlette passes it raw).
fn same_site(v: &Valid<'_>) -> String {
    v.opt("same_site").trim().to_ascii_lowercase()
}

/// The redirect URI registered at the IdP: the first public origin + the callback path.
fn redirect_uri(v: &Valid<'_>) -> Option<String> {
    v.origins
        .first()
        .map(|o| format!("{}{CALLBACK_PATH}", o.origin()))
}

/// A secret value typed by the caller, if any.
fn given_secret<'a>(v: &'a Valid<'_>, name: &str) -> Option<&'a str> {
    v.raw
        .secrets
        .get(name)
        .map(String::as_str)
        .filter(|s| !s.is_empty())
}

/// Switching an option on that brings a required secret is safe (adds no error) unless secrets
/// are inline and the value is missing (SEC001).
fn secret_ready(v: &Valid<'_>, name: &str) -> bool {
    !v.platform.inline_secrets(v) || given_secret(v, name).is_some()
}

/// "Run one instance": every instance count the inputs have, set to 1, keeping min <= max.
fn one_instance_fix(v: &Valid<'_>) -> Fix {
    let mut edits = Vec::new();
    if parse_count(v.opt("instances")).is_some_and(|n| n > 1) {
        edits.push(FieldEdit::SetOption {
            key: "instances".into(),
            value: "1".into(),
        });
    }
    if platform_has(v, "max_instances")
        && parse_count(v.opt("max_instances")).is_some_and(|n| n > 1)
    {
        edits.push(FieldEdit::SetOption {
            key: "max_instances".into(),
            value: "1".into(),
        });
    }
    if platform_has(v, "min_instances")
        && parse_count(v.opt("min_instances")).is_some_and(|n| n > 1)
    {
        edits.push(FieldEdit::SetOption {
            key: "min_instances".into(),
            value: "1".into(),
        });
    }
    Fix::unsafe_("Run one instance", edits)
}

/// The field the instance count comes from, for diagnostics.
fn instances_field(v: &Valid<'_>) -> String {
    if parse_count(v.opt("instances")).is_some_and(|n| n > 1) || !platform_has(v, "max_instances") {
        field::option("instances")
    } else {
        field::option("max_instances")
    }
}

use crate::engine::diagnostics::set_option;

impl OpenWebUi {
    fn image(v: &Valid<'_>) -> String {
        let typed = v.raw.app_version.trim();
        let tag = if typed.is_empty() {
            format!("v{}", VERSIONS[0])
        } else if typed.starts_with(|c: char| c.is_ascii_digit()) {
            // Release tags are pushed as `vX.Y.Z` (git tag, `type=ref,event=tag`) and `X.Y.Z`
            // (`type=semver`): .github/workflows/docker-build.yaml.
            format!("v{typed}")
        } else {
            // `v0.12.4`, `main`, `dev`, `main-slim`, … as typed.
            typed.to_owned()
        };
        // docs.openwebui.com/getting-started/quick-start/install-methods/docker-images: "All
        // images are published to ghcr.io/open-webui/open-webui".
        format!("ghcr.io/open-webui/open-webui:{tag}")
    }
}

impl App for OpenWebUi {
    fn id(&self) -> &'static str {
        "open-webui"
    }
    fn name(&self) -> &'static str {
        "Open WebUI"
    }
    fn summary(&self) -> &'static str {
        "AI chat UI (FastAPI + authlib): OIDC mismatching_state with several instances"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn known_versions(&self) -> &'static [&'static str] {
        VERSIONS
    }
    fn websockets(&self) -> bool {
        // Socket.IO (open_webui/socket/main.py).
        true
    }
    fn codes(&self) -> &'static [Code] {
        CODES
    }
    fn signatures(&self) -> &'static [Signature] {
        SIGNATURES
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let era = Era::of(v);
        if let Some(ver) = v.version {
            match era {
                Era::Old => diags.push(Diagnostic::new(
                    "OW013",
                    field::VERSION,
                    format!(
                        "Open WebUI {ver} falls back to the public key t0p-s3cr3t when WEBUI_SECRET_KEY is unset"
                    ),
                )),
                Era::Between => diags.push(Diagnostic::new(
                    "OW012",
                    field::VERSION,
                    format!(
                        "Open WebUI {ver} lies between the versions read (0.5.20, 0.12.4): settings valid for both are written"
                    ),
                )),
                Era::New => {}
            }
        }

        // OIDC settings.
        if oidc(v) {
            let url = v.opt("openid_provider_url").trim();
            if url.is_empty() {
                diags.push(Diagnostic::new(
                    "OW001",
                    field::option("openid_provider_url"),
                    "OIDC is on but the provider's discovery URL (OPENID_PROVIDER_URL) is empty",
                ));
            } else if !(url.starts_with("https://") || url.starts_with("http://")) {
                diags.push(Diagnostic::new(
                    "OW015",
                    field::option("openid_provider_url"),
                    format!("The OIDC discovery URL must start with https://: {url}"),
                ));
            }
            if v.opt("oauth_client_id").trim().is_empty() {
                diags.push(Diagnostic::new(
                    "OW002",
                    field::option("oauth_client_id"),
                    "OIDC is on but the client id (OAUTH_CLIENT_ID) is empty",
                ));
            }
            if v.origins.len() > 1
                && let Some(first) = v.origins.first()
            {
                diags.push(Diagnostic::new(
                    "OW010",
                    field::URLS,
                    format!(
                        "OIDC sign-in works only when it starts on the first URL: {}",
                        first.origin()
                    ),
                ));
            }
        }

        // SameSite.
        let ss = same_site(v);
        let lax = Fix::unsafe_("Use SameSite=lax", set_option("same_site", "lax"));
        if ss == "strict" && oidc(v) {
            diags.push(
                Diagnostic::new(
                    "OW003",
                    field::option("same_site"),
                    "A SameSite=strict session cookie is not sent back from the identity provider: sign-in fails with mismatching_state",
                )
                .with_fix(lax.clone()),
            );
        }
        if ss == "none" && !https(v) && !v.origins.is_empty() {
            diags.push(
                Diagnostic::new(
                    "OW014",
                    field::option("same_site"),
                    "Browsers reject SameSite=none cookies without Secure, and Secure needs https",
                )
                .with_fix(lax),
            );
        }

        // Several instances.
        let n = instances(v);
        if n > 1 {
            let where_ = instances_field(v);
            if v.opt("database") != "postgres" {
                let mut d = Diagnostic::new(
                    "OW006",
                    field::option("database"),
                    format!("SQLite with up to {n} instances: each has its own users and chats"),
                );
                if secret_ready(v, "DATABASE_URL") {
                    d = d.with_fix(Fix::unsafe_(
                        "Use PostgreSQL",
                        set_option("database", "postgres"),
                    ));
                }
                diags.push(d.with_fix(one_instance_fix(v)));
            }
            if !yes(v, "redis") {
                let mut d = Diagnostic::new(
                    "OW007",
                    field::option("redis"),
                    format!(
                        "No Redis with up to {n} instances: WebSocket events and settings do not reach the other instances"
                    ),
                );
                if secret_ready(v, "REDIS_URL") {
                    d = d.with_fix(Fix::unsafe_("Use Redis", set_option("redis", "yes")));
                }
                diags.push(d.with_fix(one_instance_fix(v)));
            }
            if !yes(v, "shared_data") {
                diags.push(
                    Diagnostic::new(
                        "OW008",
                        field::option("shared_data"),
                        format!(
                            "Up to {n} instances need one shared data directory (uploads, RAG files): /app/backend/data"
                        ),
                    )
                    .with_fix(one_instance_fix(v)),
                );
            }
            diags.push(Diagnostic::new(
                "OW009",
                where_,
                "Sticky sessions only mitigate mismatching_state; the fix is one shared key: WEBUI_SECRET_KEY",
            ));
        }

        // A key typed by the user.
        if let Some(key) = given_secret(v, "WEBUI_SECRET_KEY")
            && key.len() < HS256_MIN_BYTES
        {
            diags.push(Diagnostic::new(
                "OW011",
                field::secret("WEBUI_SECRET_KEY"),
                format!(
                    "PyJWT warns that WEBUI_SECRET_KEY is shorter than {HS256_MIN_BYTES} bytes: {} bytes",
                    key.len()
                ),
            ));
        }

        // Extra variables.
        for (i, extra) in v.raw.extra_env.iter().enumerate() {
            let name = extra.name.trim();
            let value = extra.value.trim().to_ascii_lowercase();
            let remove = Fix::safe(
                format!("Remove {name}"),
                vec![FieldEdit::RemoveExtra { index: i }],
            );
            match name {
                "WEBUI_JWT_SECRET_KEY" => diags.push(
                    Diagnostic::new(
                        "OW005",
                        field::extra(i),
                        "WEBUI_JWT_SECRET_KEY is a legacy alias, read only when WEBUI_SECRET_KEY is unset: ignored",
                    )
                    .with_fix(remove),
                ),
                "WEBUI_SESSION_COOKIE_SAME_SITE" | "WEBUI_AUTH_COOKIE_SAME_SITE"
                    if value == "strict" =>
                {
                    diags.push(
                        Diagnostic::new(
                            "OW004",
                            field::extra(i),
                            format!(
                                "{name}=strict: the cookie is not sent on the way back from the identity provider"
                            ),
                        )
                        .with_fix(remove),
                    );
                }
                _ => {}
            }
        }
    }

    fn plan(&self, v: &Valid<'_>) -> AppPlan {
        let era = Era::of(v);
        let origins = v.origin_strings();
        let first = origins.first().cloned().unwrap_or_default();
        let n = instances(v);
        let mut env = Vec::new();

        env.push(EnvVar::secret(
            "WEBUI_SECRET_KEY",
            SecretSpec {
                slug: "secret-key",
                value: None,
                generate: Some(SecretGen::Hex { bytes: 32 }),
                describe: "signs the session cookie (OAuth state) and the login JWT; the same on every instance",
            },
            match era {
                Era::Old => {
                    "Signs the session cookie that carries the OAuth state and the login token (JWT, \
                     HS256). Generated once and shared: unset, the image's start script makes a \
                     different key in every container, so a callback that reaches another instance \
                     cannot read the state (mismatching_state); and 0.5.20 run without the script \
                     falls back to the public value t0p-s3cr3t. 32 random bytes (64 hex \
                     characters) also satisfy PyJWT's 32-byte recommendation for HS256."
                }
                _ => {
                    "Signs the session cookie that carries the OAuth state and the login token (JWT, \
                     HS256), and is the default key for the encrypted OAuth tokens. Generated once \
                     and shared: unset, the image's start script makes a different key in every \
                     container, so a callback that reaches another instance cannot read the state \
                     (mismatching_state; \"Error decrypting tokens\"). 0.12.4 run without the script \
                     stops with \"WEBUI_SECRET_KEY is not set\". 32 random bytes (64 hex characters) \
                     also satisfy PyJWT's 32-byte recommendation for HS256 (a recommendation, not an \
                     Open WebUI rule)."
                }
            },
            SRC_KEY,
        ));
        if !first.is_empty() {
            env.push(EnvVar::literal(
                "WEBUI_URL",
                first.clone(),
                "The public URL: where the browser is sent after the OIDC callback (<WEBUI_URL>/auth). \
                 A value saved in Admin > Settings > General takes precedence, so keep them equal.",
                "open_webui/config.py:1689 (0.12.4); utils/oauth.py handle_callback; seed-systems.md §4.2",
            ));
        }
        if !origins.is_empty() {
            env.push(EnvVar::literal(
                "CORS_ALLOW_ORIGIN",
                origins.join(";"),
                "The origins browsers use, separated by `;` (not `,`): Open WebUI splits on `;`. \
                 Unset it is `*` and Open WebUI logs a warning; the WebSocket connection checks it too.",
                "open_webui/config.py:2192-2206 (0.12.4), config.py:1084 (0.5.20); seed-systems.md §4.2",
            ));
        }
        let ss = same_site(v);
        env.push(EnvVar::literal(
            "WEBUI_SESSION_COOKIE_SAME_SITE",
            ss.clone(),
            "SameSite of the session cookie that holds the OAuth state (also the default for the \
             auth cookies). `lax` is sent on the top-level redirect back from the identity \
             provider; `strict` is not (a cross-site navigation, by the browsers' SameSite rules), \
             and the callback then finds no state.",
            SRC_COOKIE,
        ));
        if https(v) {
            for name in ["WEBUI_SESSION_COOKIE_SECURE", "WEBUI_AUTH_COOKIE_SECURE"] {
                env.push(EnvVar::literal(
                    name,
                    "true",
                    "Marks the cookies Secure: the public URL is https. Parsed as \
                     `value.lower() == 'true'`.",
                    SRC_COOKIE,
                ));
            }
        }
        if oidc(v) {
            env.push(EnvVar::literal(
                "OPENID_PROVIDER_URL",
                v.opt("openid_provider_url").trim(),
                "The identity provider's discovery document. With OAUTH_CLIENT_ID and \
                 OAUTH_CLIENT_SECRET it registers the provider `oidc` (sign-in at /oauth/oidc/login).",
                SRC_OIDC,
            ));
            env.push(EnvVar::literal(
                "OAUTH_CLIENT_ID",
                v.opt("oauth_client_id").trim(),
                "The client id registered at the identity provider.",
                SRC_OIDC,
            ));
            env.push(EnvVar::secret(
                "OAUTH_CLIENT_SECRET",
                SecretSpec {
                    slug: "oauth-client-secret",
                    value: None,
                    generate: None,
                    describe: "client secret from the identity provider",
                },
                "The client secret from the identity provider. A secret: kept in the platform's \
                 secret store.",
                SRC_OIDC,
            ));
            if let Some(uri) = redirect_uri(v) {
                env.push(EnvVar::literal(
                    "OPENID_REDIRECT_URI",
                    uri,
                    "The redirect URI sent to the identity provider; register exactly this value. \
                     Unset, Open WebUI builds it from the request, which depends on the proxy's \
                     forwarded headers. /oauth/oidc/callback exists in 0.5.20 and 0.12.4 (0.12.4 \
                     also serves /oauth/oidc/login/callback).",
                    "open_webui/main.py:2945-2947 (0.12.4), main.py:1315 (0.5.20); utils/oauth.py \
                     handle_login; seed-systems.md §4.2, §4.6",
                ));
            }
            env.push(EnvVar::literal(
                "ENABLE_OAUTH_SIGNUP",
                if yes(v, "oauth_signup") { "true" } else { "false" },
                if yes(v, "oauth_signup") {
                    "Creates an account at the first OIDC sign-in (with the default role, `pending`, \
                     until an admin approves it). Off, only existing accounts can sign in."
                } else {
                    "Only existing accounts can sign in with OIDC (Open WebUI's default)."
                },
                "open_webui/config.py:2576, 1754 (DEFAULT_USER_ROLE) (0.12.4); seed-systems.md §4.2",
            ));
        }
        if v.opt("database") == "postgres" {
            env.push(EnvVar::secret(
                "DATABASE_URL",
                SecretSpec {
                    slug: "database-url",
                    value: None,
                    generate: None,
                    describe: "PostgreSQL URL, postgresql://USER:PASSWORD@HOST:5432/DB",
                },
                "External PostgreSQL shared by every instance (SQLite is not supported with several \
                 instances). A secret: the URL holds the password.",
                SRC_MULTI,
            ));
        }
        if yes(v, "redis") {
            let redis_value = given_secret(v, "REDIS_URL").map(str::to_owned);
            env.push(EnvVar::secret(
                "REDIS_URL",
                SecretSpec {
                    slug: "redis-url",
                    value: None,
                    generate: None,
                    describe: "Redis URL, redis://[:PASSWORD@]HOST:6379/0",
                },
                "Shared application state (settings changes reach every instance). Kept as a secret: \
                 the URL may hold a password.",
                SRC_MULTI,
            ));
            env.push(EnvVar::literal(
                "WEBSOCKET_MANAGER",
                "redis",
                "Socket.IO events go through Redis, so an event from one instance reaches browsers \
                 connected to another.",
                SRC_MULTI,
            ));
            env.push(EnvVar::secret(
                "WEBSOCKET_REDIS_URL",
                SecretSpec {
                    slug: "redis-url",
                    value: redis_value,
                    generate: None,
                    describe: "the same Redis URL as REDIS_URL (one secret)",
                },
                "The Redis used by the WebSocket manager. It defaults to REDIS_URL; written out as \
                 the multi-replica docs ask, from the same secret.",
                SRC_MULTI,
            ));
            env.push(EnvVar::literal(
                "ENABLE_WEBSOCKET_SUPPORT",
                "true",
                "WebSocket support, required with the Redis WebSocket manager (already the default).",
                SRC_MULTI,
            ));
        }

        let mut reasons = vec![
            Reason {
                subject: "No settings file or middleware".to_owned(),
                why: "The stock image reads everything from the environment; OAuth state handling \
                      (authlib + Starlette SessionMiddleware) is built in and only needs the shared \
                      key and a cookie that reaches the callback."
                    .to_owned(),
                source: "open_webui/main.py:2752-2777, utils/oauth.py (0.12.4); seed-systems.md §4.1"
                    .to_owned(),
            },
            Reason {
                subject: "Why the state fails across instances".to_owned(),
                why: "authlib keeps the OAuth state in the session cookie, signed with \
                      WEBUI_SECRET_KEY. An instance with another key ignores the cookie (Starlette \
                      treats a bad signature as an empty session) and authlib reports \
                      `mismatching_state: CSRF Warning! State not equal in request and response.` \
                      The state was never lost; it was unreadable."
                    .to_owned(),
                source: "authlib starlette_client/apps.py, base_client/errors.py (1.7.2); Starlette \
                         middleware/sessions.py; seed-systems.md §4.1, §9, §10.4; \
                         tests/e2e_open_webui.rs"
                    .to_owned(),
            },
            Reason {
                subject: "Sticky sessions (session affinity)".to_owned(),
                why: "A mitigation, not the fix: affinity (Cloud Run --session-affinity) is best \
                      effort and breaks when an instance stops, is overloaded or scales in, and the \
                      login token and settings still have to work on every instance. With one \
                      shared WEBUI_SECRET_KEY every instance reads the state, so no affinity is \
                      needed."
                    .to_owned(),
                source: "cloud.google.com/run/docs/configuring/session-affinity (platforms.md §1.5, \
                         §19); docs.openwebui.com/troubleshooting/multi-replica"
                    .to_owned(),
            },
            Reason {
                subject: "Image".to_owned(),
                why: "ghcr.io/open-webui/open-webui with the release tag (vX.Y.Z; also pushed as \
                      X.Y.Z). It listens on 8080 (PORT=8080 in the Dockerfile; the start script \
                      reads PORT) and answers GET /health with {\"status\":true}."
                    .to_owned(),
                source: "docs.openwebui.com/getting-started/quick-start/install-methods/docker-images; \
                         .github/workflows/docker-build.yaml; Dockerfile (ENV PORT=8080, HEALTHCHECK \
                         /health); backend/start.sh; open_webui/main.py healthcheck"
                    .to_owned(),
            },
        ];
        if era == Era::Old {
            reasons.push(Reason {
                subject: "Open WebUI 0.5.20 settings saved in the database".to_owned(),
                why:
                    "0.5.20 stores OAuth settings (PersistentConfig) in the database once saved in \
                      the admin panel; a saved value wins over the environment variable."
                        .to_owned(),
                source: "open_webui/config.py:200-212 PersistentConfig (0.5.20)".to_owned(),
            });
        }

        AppPlan {
            env,
            container_port: 8080,
            image: Self::image(v),
            snippet: Snippet {
                title: "Identity provider registration and checklist".to_owned(),
                language: "text",
                filename: "open-webui-oidc.txt".to_owned(),
                body: snippet(v, era, &origins, n),
            },
            verify: verify_script(v, era, &origins),
            reasons,
        }
    }
}

fn snippet(v: &Valid<'_>, era: Era, origins: &[String], n: u32) -> String {
    let mut s = String::from(
        "Open WebUI needs no settings file or middleware: the stock image reads\n\
         everything from the environment variables above.\n",
    );
    if oidc(v) {
        let client = v.opt("oauth_client_id").trim();
        s.push_str(&format!(
            "\nRegister at the identity provider (client {}):\n",
            if client.is_empty() {
                "OAUTH_CLIENT_ID"
            } else {
                client
            }
        ));
        match redirect_uri(v) {
            Some(uri) => s.push_str(&format!("  Redirect URI (exactly):  {uri}\n")),
            None => s.push_str("  Redirect URI (exactly):  <public URL>/oauth/oidc/callback\n"),
        }
        if !origins.is_empty() {
            s.push_str(&format!(
                "  Web origins:             {}\n",
                origins.join(" ")
            ));
        }
        if let Some(first) = origins.first() {
            s.push_str(&format!("  Sign-in starts at:       {first}{LOGIN_PATH}\n"));
        }
        s.push_str(&format!(
            "  Session cookie:          {} (SameSite={}{})\n",
            era.cookie(),
            same_site(v),
            if https(v) { ", Secure" } else { "" }
        ));
        if origins.len() > 1 {
            s.push_str(
                "  Sign-in must start on the first URL: the state cookie belongs to the\n  \
                 host the login started on, and the callback goes to OPENID_REDIRECT_URI.\n",
            );
        }
    }
    if n > 1 {
        let mark = |ok: bool| if ok { "[x]" } else { "[ ]" };
        s.push_str(&format!(
            "\nUp to {n} instances (docs.openwebui.com/troubleshooting/multi-replica):\n"
        ));
        s.push_str("  [x] WEBUI_SECRET_KEY identical on every instance (one secret, made once)\n");
        s.push_str(&format!(
            "  {} DATABASE_URL: external PostgreSQL (SQLite is not supported)\n",
            mark(v.opt("database") == "postgres")
        ));
        s.push_str(&format!(
            "  {} REDIS_URL, WEBSOCKET_MANAGER=redis, WEBSOCKET_REDIS_URL, ENABLE_WEBSOCKET_SUPPORT=true\n",
            mark(yes(v, "redis"))
        ));
        s.push_str(&format!(
            "  {} /app/backend/data on storage every instance mounts\n",
            mark(yes(v, "shared_data"))
        ));
        s.push_str("  [ ] recommended: an external vector database (e.g. PGVector)\n");
        s.push_str(
            "  Sticky sessions (Cloud Run --session-affinity) are best effort: a\n  \
             mitigation, not the fix. The shared key is the fix.\n",
        );
    }
    s
}

/// The verify script: `/health` on every URL, then (OIDC) the login redirect on the first URL:
/// 302 to the provider with the registered `redirect_uri`, and the session cookie's flags.
fn verify_script(v: &Valid<'_>, era: Era, origins: &[String]) -> Script {
    let mut s = Script::default();
    s.comment("Checks the deployed Open WebUI (needs curl).");
    s.comment("Good: every line starts with \"good:\". Bad: a \"BAD:\" line says what to change.");
    s.raw("set -u");
    if origins.is_empty() {
        s.raw("echo 'BAD: no public URL was given to ProxyTrust'");
        return s;
    }
    let list: Vec<String> = origins.iter().map(|o| quote(o)).collect();
    s.raw(format!("origins=({})", list.join(" ")));
    s.comment("1. GET /health answers {\"status\":true} (open_webui/main.py healthcheck).");
    s.raw("for origin in \"${origins[@]}\"; do");
    s.raw("if curl -sS \"$origin/health\" | grep -q '\"status\":true'; then");
    s.raw("echo \"good: $origin/health answers {\\\"status\\\":true}\"");
    s.raw("else");
    s.raw("echo \"BAD: $origin/health does not answer {\\\"status\\\":true}: is the service running?\"");
    s.raw("fi");
    s.raw("done");
    let (Some(uri), Some(first)) = (redirect_uri(v).filter(|_| oidc(v)), origins.first()) else {
        return s;
    };
    s.comment("2. The sign-in redirect (first URL): 302 to the identity provider with the");
    s.comment("registered redirect_uri, and the session cookie that carries the OAuth state.");
    s.raw(format!("origin={}", quote(first)));
    s.raw(format!("redirect_uri={}", quote(&uri)));
    s.raw("headers=\"$(mktemp)\"");
    s.raw(format!(
        "status=\"$(curl -sS -o /dev/null -D \"$headers\" -w '%{{http_code}}' \"$origin{LOGIN_PATH}\")\""
    ));
    s.raw("location=\"$(grep -i '^location:' \"$headers\" | head -n 1 | cut -d' ' -f2- | tr -d '\\r')\"");
    s.raw("if [ \"$status\" = 302 ]; then");
    s.raw("echo \"good: $origin/oauth/oidc/login redirects to $location\"");
    s.raw("else");
    s.raw("echo \"BAD: $origin/oauth/oidc/login gave HTTP $status, not 302 (404: OIDC is not configured: check OPENID_PROVIDER_URL, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET)\"");
    s.raw("fi");
    s.comment("The redirect_uri parameter, URL-encoded as authlib sends it.");
    s.raw("encoded=\"$(printf '%s' \"$redirect_uri\" | sed -e 's/%/%25/g' -e 's/:/%3A/g' -e 's|/|%2F|g')\"");
    s.raw("case \"$location\" in");
    s.raw("*\"redirect_uri=$encoded&\"* | *\"redirect_uri=$encoded\") echo \"good: redirect_uri is $redirect_uri\" ;;");
    s.raw("*) echo \"BAD: redirect_uri is not $redirect_uri: set OPENID_REDIRECT_URI and register it at the provider\" ;;");
    s.raw("esac");
    s.raw(format!(
        "cookie=\"$(grep -i {} \"$headers\" | head -n 1 | tr -d '\\r' | tr '[:upper:]' '[:lower:]')\"",
        quote(era.cookie_grep())
    ));
    s.raw("if [ -z \"$cookie\" ]; then");
    s.raw(format!(
        "echo {}",
        quote(&format!(
            "BAD: no session cookie ({}) was set: a proxy may drop Set-Cookie",
            era.cookie()
        ))
    ));
    s.raw("else");
    let ss = same_site(v);
    s.raw(format!("case \"$cookie\" in *'samesite={ss}'*) echo 'good: session cookie SameSite={ss}' ;; *) echo 'BAD: session cookie is not SameSite={ss}: set WEBUI_SESSION_COOKIE_SAME_SITE={ss}' ;; esac"));
    if https(v) {
        s.raw("case \"$cookie\" in *'; secure'*) echo 'good: session cookie is Secure' ;; *) echo 'BAD: session cookie is not Secure: set WEBUI_SESSION_COOKIE_SECURE=true' ;; esac");
    }
    s.raw("fi");
    s.raw("rm -f \"$headers\"");
    s
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "OW001",
        severity: Error,
        name: "oidc-provider-url-missing",
        explanation: "What: OIDC sign-in is on but OPENID_PROVIDER_URL is empty.\n\
Why: Open WebUI registers its generic OIDC provider (`oidc`) only when OAUTH_CLIENT_ID, \
OAUTH_CLIENT_SECRET and OPENID_PROVIDER_URL are all set; otherwise /oauth/oidc/login answers 404.\n\
Example: `--set openid_provider_url=https://idp.example.com/.well-known/openid-configuration`.\n\
References: open_webui/config.py ~2805-2826 (0.12.4), 558-577 (0.5.20); seed-systems.md §4.2.",
    },
    Code {
        code: "OW002",
        severity: Error,
        name: "oidc-client-id-missing",
        explanation: "What: OIDC sign-in is on but OAUTH_CLIENT_ID is empty.\n\
Why: without a client id the `oidc` provider is not registered (/oauth/oidc/login answers 404).\n\
Example: `--set oauth_client_id=open-webui`.\n\
References: open_webui/config.py:2634, ~2805 (0.12.4); seed-systems.md §4.2.",
    },
    Code {
        code: "OW003",
        severity: Error,
        name: "same-site-strict-with-oidc",
        explanation: "What: the session cookie would be SameSite=strict while OIDC sign-in is on.\n\
Why: the OAuth state lives in the session cookie. The identity provider sends the browser back to \
/oauth/oidc/callback with a cross-site top-level navigation, and browsers do not send \
SameSite=strict cookies on it (browser SameSite rules, not Open WebUI code). The callback then \
finds no state and authlib raises `mismatching_state`. `lax` cookies are sent on that navigation.\n\
Example: `WEBUI_SESSION_COOKIE_SAME_SITE=lax`.\n\
References: RFC 6265bis (SameSite); open_webui/env.py:777 (0.12.4); seed-systems.md §4.6, §9.",
    },
    Code {
        code: "OW004",
        severity: Warning,
        name: "same-site-strict-extra",
        explanation: "What: an extra variable sets a session or auth cookie to SameSite=strict.\n\
Why: the cookie would not be sent on the redirect back from the identity provider (a cross-site \
navigation; browser SameSite rules), so the OAuth state or the login token is missing after \
sign-in. ProxyTrust already writes WEBUI_SESSION_COOKIE_SAME_SITE (lax by default), and \
WEBUI_AUTH_COOKIE_SAME_SITE defaults to it.\n\
Example: remove `WEBUI_SESSION_COOKIE_SAME_SITE=strict`.\n\
References: open_webui/env.py:777-779 (0.12.4); seed-systems.md §4.2, §4.6.",
    },
    Code {
        code: "OW005",
        severity: Warning,
        name: "legacy-jwt-secret-key",
        explanation: "What: WEBUI_JWT_SECRET_KEY is set as an extra variable.\n\
Why: it is only a legacy alias, read when WEBUI_SECRET_KEY is unset \
(`os.getenv('WEBUI_SECRET_KEY', os.getenv('WEBUI_JWT_SECRET_KEY', ''))`). ProxyTrust sets \
WEBUI_SECRET_KEY, so the alias is ignored; two names for one key only confuse.\n\
Example: remove `WEBUI_JWT_SECRET_KEY`.\n\
References: open_webui/env.py:768-773 (0.12.4), env.py:353-358 (0.5.20); seed-systems.md §10.4.",
    },
    Code {
        code: "OW006",
        severity: Error,
        name: "sqlite-with-several-instances",
        explanation: "What: several instances with SQLite.\n\
Why: each instance would have its own database in its own data/ directory, so users and chats \
created on one do not exist on the next. The multi-replica docs: \"SQLite is NOT supported for \
multiple instances\". Use PostgreSQL (DATABASE_URL, kept as a secret) or one instance.\n\
Example: `--set database=postgres`, then give DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DB.\n\
References: docs.openwebui.com/troubleshooting/multi-replica; open_webui/env.py:271 (0.12.4).",
    },
    Code {
        code: "OW007",
        severity: Error,
        name: "redis-missing-with-several-instances",
        explanation: "What: several instances without Redis.\n\
Why: the multi-replica docs require `ENABLE_WEBSOCKET_SUPPORT=True` and `WEBSOCKET_MANAGER=redis` \
with a valid `WEBSOCKET_REDIS_URL`; REDIS_URL carries shared state (settings changes) between \
instances. Without them WebSocket events and settings stay on the instance that made them.\n\
Example: `--set redis=yes`, then give REDIS_URL=redis://10.0.0.4:6379/0.\n\
References: docs.openwebui.com/troubleshooting/multi-replica; open_webui/env.py:381, 473, 476, 493 \
(0.12.4); seed-systems.md §4.4.",
    },
    Code {
        code: "OW008",
        severity: Warning,
        name: "data-not-shared",
        explanation: "What: several instances without a shared data directory.\n\
Why: uploads, RAG files and generated images are written under /app/backend/data; an instance \
that did not write a file cannot serve it. Mount the same storage on every instance (a Cloud \
Storage or NFS volume), then set the option.\n\
Example: `--set shared_data=yes` once every instance mounts the same volume.\n\
References: docs.openwebui.com/troubleshooting/multi-replica (\"Shared Storage\"); \
open_webui/env.py:228 DATA_DIR (0.12.4).",
    },
    Code {
        code: "OW009",
        severity: Info,
        name: "sticky-sessions-not-the-fix",
        explanation: "What: sticky sessions (session affinity) are a mitigation for mismatching_state, not \
the fix.\n\
Why: Cloud Run's --session-affinity is best effort: it breaks when an instance is stopped, \
overloaded or scaled in, exactly when a login is in flight. The OAuth state is in the browser's \
session cookie; with one WEBUI_SECRET_KEY on every instance any instance can read it, and the \
login token (JWT) is valid everywhere too. Affinity is not needed then.\n\
Example: keep the generated WEBUI_SECRET_KEY; `--session-affinity` is optional.\n\
References: cloud.google.com/run/docs/configuring/session-affinity (platforms.md §1.5, §19); \
seed-systems.md §4.1, §10.4.",
    },
    Code {
        code: "OW010",
        severity: Warning,
        name: "oidc-several-origins",
        explanation: "What: OIDC with more than one public URL.\n\
Why: OPENID_REDIRECT_URI (and WEBUI_URL) name one URL, the first. The session cookie with the \
OAuth state belongs to the host where sign-in started; if that is another URL, the callback's \
host never receives it and sign-in fails with mismatching_state (cookie host scoping, RFC 6265).\n\
Example: send users to the first URL, or redirect the others to it.\n\
References: RFC 6265 §5.3; seed-systems.md §4.2 (OPENID_REDIRECT_URI, WEBUI_URL).",
    },
    Code {
        code: "OW011",
        severity: Warning,
        name: "short-secret-key",
        explanation: "What: the WEBUI_SECRET_KEY you gave is shorter than 32 bytes.\n\
Why: Open WebUI signs its login tokens with HS256; PyJWT 2.11+ warns \
`InsecureKeyLengthWarning: The HMAC key is N bytes long, which is below the minimum recommended \
length of 32 bytes for SHA256` (RFC 7518 §3.2). A recommendation, not an Open WebUI rule: login \
still works. Generate a new value (64 hex characters).\n\
Example: `openssl rand -hex 32`.\n\
References: PyJWT jwt/algorithms.py check_key_length (2.13.0); seed-systems.md §9, §10.4.",
    },
    Code {
        code: "OW012",
        severity: Info,
        name: "version-between-known",
        explanation: "What: the Open WebUI version lies between the two versions ProxyTrust has read.\n\
Why: 0.5.20 names the session cookie `oui-session` and falls back to `t0p-s3cr3t` without a key; \
0.12.4 names it `owui-session` and refuses to start without a key. ProxyTrust writes settings that \
work with both and the verify script accepts either cookie name.\n\
Example: `0.6.5`.\n\
References: seed-systems.md §4.1-4.2 (wheels 0.5.20 and 0.12.4).",
    },
    Code {
        code: "OW013",
        severity: Info,
        name: "old-version-key-fallback",
        explanation: "What: Open WebUI 0.5.20 or older.\n\
Why: 0.5.20 falls back to the public value `t0p-s3cr3t` when WEBUI_SECRET_KEY is unset and the \
server is started without the image's start script: anybody could sign session cookies and login \
tokens. ProxyTrust always sets a generated key. The session cookie is `oui-session`, and only \
/oauth/{provider}/callback exists.\n\
Example: upgrade, or keep the generated WEBUI_SECRET_KEY.\n\
References: open_webui/env.py:353-358, main.py:1293-1315 (0.5.20); seed-systems.md §4.1-4.2.",
    },
    Code {
        code: "OW014",
        severity: Error,
        name: "same-site-none-without-https",
        explanation: "What: SameSite=none for a site served over plain http.\n\
Why: browsers reject a SameSite=None cookie unless it is also Secure, and Secure cookies need \
https; the session cookie (and the OAuth state in it) would never be stored.\n\
Example: `--set same_site=lax`.\n\
References: RFC 6265bis (SameSite=None requires Secure); open_webui/env.py:777-778 (0.12.4).",
    },
    Code {
        code: "OW015",
        severity: Error,
        name: "oidc-provider-url-invalid",
        explanation: "What: the OIDC discovery URL is not an http(s) URL.\n\
Why: Open WebUI hands OPENID_PROVIDER_URL to authlib as `server_metadata_url` and fetches it; \
anything else cannot be fetched.\n\
Example: `https://idp.example.com/.well-known/openid-configuration`.\n\
References: open_webui/config.py ~2805-2826 (0.12.4).",
    },
];

/// Messages Open WebUI (or authlib / PyJWT under it) prints. Specific readings come before the
/// generic ones: an overlapping later match is dropped (see `diagnose`).
static SIGNATURES: &[Signature] = &[
    Signature {
        id: "open-webui-callback-mismatching-state",
        pattern: r"OAuth callback error(?: during authorize_access_token(?: retry)? for provider [\w.-]+)?: (?:OAuth callback failed: )?mismatching_state: CSRF Warning! State not equal in request and response\.?",
        apps: &["open-webui"],
        emitter: "Open WebUI's OAuth callback (utils/oauth.py handle_callback), from authlib",
        cause: "The instance that received the callback could not read the OAuth state from the \
                session cookie: it was signed with another WEBUI_SECRET_KEY (every container \
                generates its own when the variable is unset), or the cookie was not sent \
                (SameSite=strict, sign-in started on another host, or an expired session).",
        fix: "Set one random WEBUI_SECRET_KEY on every instance (ProxyTrust generates it once and \
              keeps it in the secret store), WEBUI_SESSION_COOKIE_SAME_SITE=lax, and start sign-in \
              on the URL of OPENID_REDIRECT_URI.",
        references: "open_webui/utils/oauth.py handle_callback (0.12.4: 'OAuth callback error during \
                     authorize_access_token for provider %s: %s'; 0.5.20: 'OAuth callback error: \
                     {e}'); authlib base_client/errors.py MismatchingStateError; seed-systems.md \
                     §4.3; issues open-webui#11606, #9270, #15373",
    },
    Signature {
        id: "open-webui-callback-missing-state",
        pattern: r"Missing state parameter in callback \(session may have expired\)",
        apps: &["open-webui"],
        emitter: "Open WebUI 0.12.4's OAuth callback error message (utils/oauth.py)",
        cause: "The callback's state could not be matched with the session: the session cookie \
                was missing or unreadable on the instance that got the callback (another \
                WEBUI_SECRET_KEY, SameSite=strict, another host) or expired.",
        fix: "Same WEBUI_SECRET_KEY on every instance, WEBUI_SESSION_COOKIE_SAME_SITE=lax, and \
              start sign-in on the URL of OPENID_REDIRECT_URI.",
        references: "open_webui/utils/oauth.py _build_oauth_callback_error_message (0.12.4); \
                     seed-systems.md §4.3",
    },
    Signature {
        id: "open-webui-callback-error",
        pattern: r"OAuth callback error during authorize_access_token(?: retry)? for provider [\w.-]+: [^\r\n]*",
        apps: &["open-webui"],
        emitter: "Open WebUI 0.12.4's OAuth callback (utils/oauth.py handle_callback)",
        cause: "The token exchange with the identity provider failed; the text after the provider \
                name says why (often a redirect URI or client secret the provider does not \
                accept).",
        fix: "Check OPENID_REDIRECT_URI is registered exactly at the provider, and \
              OAUTH_CLIENT_ID / OAUTH_CLIENT_SECRET.",
        references: "open_webui/utils/oauth.py:1976-1983 (0.12.4); seed-systems.md §4.3",
    },
    Signature {
        id: "authlib-mismatching-state",
        pattern: r"mismatching_state: CSRF Warning! State not equal in request and response\.?",
        apps: &["open-webui", "fastapi"],
        emitter: "authlib's OAuth client (MismatchingStateError)",
        cause: "authlib found no saved state for the callback's `state`: the session (a cookie \
                signed with the app's secret key, for Open WebUI WEBUI_SECRET_KEY) was not \
                readable on the instance that got the callback, or was not sent.",
        fix: "One secret key shared by every instance (Open WebUI: WEBUI_SECRET_KEY), session \
              cookie SameSite=lax, and the callback on the host where sign-in started.",
        references: "authlib base_client/errors.py, starlette_client/apps.py (1.7.2); \
                     seed-systems.md §9; tests/e2e_open_webui.rs",
    },
    Signature {
        id: "open-webui-login-failed-redirect",
        pattern: r"Sign-in(?: |\+|%20)with(?: |\+|%20)your(?: |\+|%20)identity(?: |\+|%20)provider(?: |\+|%20)failed",
        apps: &["open-webui"],
        emitter: "Open WebUI 0.12.4's sign-in page (/auth?error=…, ERROR_MESSAGES.OAUTH_LOGIN_FAILED)",
        cause: "The OAuth callback failed; the server log line 'OAuth callback error during \
                authorize_access_token for provider …' has the reason. With several instances it \
                is most often mismatching_state (different WEBUI_SECRET_KEY per instance).",
        fix: "Read the server log line; for mismatching_state set one WEBUI_SECRET_KEY on every \
              instance and WEBUI_SESSION_COOKIE_SAME_SITE=lax.",
        references: "open_webui/constants.py:61, utils/oauth.py handle_callback (0.12.4); \
                     seed-systems.md §4.3",
    },
    Signature {
        id: "open-webui-secret-key-not-set",
        pattern: r"WEBUI_SECRET_KEY is not set",
        apps: &["open-webui"],
        emitter: "Open WebUI 0.12.4 at start-up (env.py SystemExit)",
        cause: "Authentication is on and WEBUI_SECRET_KEY is empty: the server was started without \
                the image's start script (which generates a key), e.g. with uvicorn directly.",
        fix: "Set WEBUI_SECRET_KEY to one random value shared by every instance (ProxyTrust \
              generates it).",
        references: "open_webui/env.py:788-797 (0.12.4); seed-systems.md §4.2",
    },
    Signature {
        id: "open-webui-error-decrypting-tokens",
        pattern: r"Error decrypting tokens",
        apps: &["open-webui"],
        emitter: "Open WebUI's OAuth session store (models/oauth_sessions.py)",
        cause: "Stored OAuth tokens were encrypted with another key: OAUTH_SESSION_TOKEN_ENCRYPTION_KEY \
                defaults to WEBUI_SECRET_KEY, which differs between instances or changed on \
                restart.",
        fix: "Set one WEBUI_SECRET_KEY on every instance and keep it across deploys; users sign in \
              again once.",
        references: "open_webui/models/oauth_sessions.py:101, env.py:893 (0.12.4); \
                     docs.openwebui.com/troubleshooting/multi-replica",
    },
    Signature {
        id: "pyjwt-insecure-key-length",
        pattern: r"(?:InsecureKeyLengthWarning: )?The HMAC key is \d+ bytes long, which is below the minimum recommended length of \d+ bytes for SHA\d+\.(?: See RFC 7518 Section 3\.2\.)?|InsecureKeyLengthWarning",
        apps: &["open-webui", "fastapi"],
        emitter: "PyJWT 2.11+ when signing or verifying an HS256 token",
        cause: "The HMAC key is shorter than the hash size (32 bytes for HS256). For Open WebUI the \
                key is WEBUI_SECRET_KEY; the image's older start script made 16 characters. A \
                warning: tokens still work.",
        fix: "Use a random key of 32 bytes or more (ProxyTrust generates 64 hex characters).",
        references: "PyJWT jwt/algorithms.py check_key_length, jwt/warnings.py (2.13.0); \
                     seed-systems.md §9, §10.4",
    },
];

#[cfg(test)]
mod tests {

    use super::*;
    use crate::engine::diagnose::diagnose;
    use crate::engine::generate;
    use crate::engine::inputs::{ExtraVar, RawInputs};
    use crate::engine::test_support::{self, codes, env};

    const URL: &str = "https://webui-abc123-uc.a.run.app";

    fn raw(opts: &[(&str, &str)]) -> RawInputs {
        test_support::inputs(
            "open-webui",
            "cloud-run",
            &[URL],
            &[
                &[
                    ("service", "webui"),
                    ("region", "us-central1"),
                    (
                        "openid_provider_url",
                        "https://idp.example.com/.well-known/openid-configuration",
                    ),
                    ("oauth_client_id", "open-webui"),
                ],
                opts,
            ],
        )
    }

    #[test]
    fn one_instance_with_oidc_is_clean_and_exact() {
        let g = generate(&raw(&[]));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        let e = env(&g);
        assert!(e["WEBUI_SECRET_KEY"].1, "the key is a secret");
        assert_eq!(e["WEBUI_URL"].0, URL);
        assert_eq!(e["CORS_ALLOW_ORIGIN"].0, URL);
        assert_eq!(e["WEBUI_SESSION_COOKIE_SAME_SITE"].0, "lax");
        assert_eq!(e["WEBUI_SESSION_COOKIE_SECURE"].0, "true");
        assert_eq!(e["WEBUI_AUTH_COOKIE_SECURE"].0, "true");
        assert_eq!(
            e["OPENID_REDIRECT_URI"].0,
            format!("{URL}/oauth/oidc/callback")
        );
        assert_eq!(e["OAUTH_CLIENT_ID"].0, "open-webui");
        assert!(e["OAUTH_CLIENT_SECRET"].1);
        assert_eq!(e["ENABLE_OAUTH_SIGNUP"].0, "true");
        assert!(!e.contains_key("DATABASE_URL"));
        assert!(!e.contains_key("WEBUI_JWT_SECRET_KEY"));
        let deploy = g
            .block("deploy")
            .map(|b| b.content.clone())
            .unwrap_or_default();
        assert!(
            deploy.contains("--image=ghcr.io/open-webui/open-webui:v0.12.4"),
            "{deploy}"
        );
        assert!(deploy.contains("--port=8080"), "{deploy}");
        // The key never appears inline: it goes through Secret Manager.
        assert!(
            deploy.contains("WEBUI_SECRET_KEY=webui-secret-key:1"),
            "{deploy}"
        );
        assert!(deploy.contains("openssl rand -hex 32"), "{deploy}");
    }

    #[test]
    fn cors_origins_are_semicolon_separated() {
        let mut r = raw(&[]);
        r.urls.push("https://chat.example.org".into());
        let g = generate(&r);
        assert_eq!(
            env(&g)["CORS_ALLOW_ORIGIN"].0,
            format!("{URL};https://chat.example.org")
        );
        assert!(codes(&g).contains(&"OW010"), "{:?}", g.diagnostics);
    }

    #[test]
    fn several_instances_need_postgres_redis_and_shared_data() {
        let g = generate(&raw(&[("max_instances", "3")]));
        let c = codes(&g);
        for code in ["OW006", "OW007", "OW008", "OW009"] {
            assert!(c.contains(&code), "{code} missing: {c:?}");
        }
        let g = generate(&raw(&[
            ("max_instances", "3"),
            ("database", "postgres"),
            ("redis", "yes"),
            ("shared_data", "yes"),
        ]));
        assert_eq!(codes(&g), vec!["OW009"], "{:?}", g.diagnostics);
        let e = env(&g);
        assert!(e["DATABASE_URL"].1);
        assert!(e["REDIS_URL"].1);
        assert!(e["WEBSOCKET_REDIS_URL"].1);
        assert_eq!(e["WEBSOCKET_MANAGER"].0, "redis");
        assert_eq!(e["ENABLE_WEBSOCKET_SUPPORT"].0, "true");
        // One Secret Manager secret for both Redis variables.
        assert_eq!(e["REDIS_URL"].0, e["WEBSOCKET_REDIS_URL"].0);
        let snippet = g
            .block("snippet")
            .map(|b| b.content.clone())
            .unwrap_or_default();
        assert!(snippet.contains("[x] DATABASE_URL"), "{snippet}");
        assert!(snippet.contains("session-affinity"), "{snippet}");
    }

    #[test]
    fn the_app_option_counts_instances_on_any_platform() {
        let mut r = raw(&[("instances", "2")]);
        r.platform = "kubernetes".into();
        r.options.remove("service");
        r.options.remove("region");
        let g = generate(&r);
        assert!(codes(&g).contains(&"OW006"), "{:?}", g.diagnostics);
    }

    #[test]
    fn fixes_remove_their_diagnostic_and_add_no_error() {
        let cases = [
            raw(&[("max_instances", "3"), ("min_instances", "2")]),
            raw(&[("instances", "4")]),
            raw(&[("same_site", "strict")]),
            {
                let mut r = raw(&[("same_site", "none")]);
                r.urls = vec!["http://webui.internal".into()];
                r.platform = "vm".into();
                r.options.remove("service");
                r.options.remove("region");
                r
            },
            {
                let mut r = raw(&[("max_instances", "3"), ("secrets", "inline")]);
                r.secrets
                    .insert("DATABASE_URL".into(), "postgresql://u:p@h/db".into());
                r
            },
            {
                let mut r = raw(&[]);
                for (n, val) in [
                    ("WEBUI_JWT_SECRET_KEY", "x"),
                    ("WEBUI_SESSION_COOKIE_SAME_SITE", "strict"),
                    ("WEBUI_AUTH_COOKIE_SAME_SITE", "Strict"),
                ] {
                    r.extra_env.push(ExtraVar {
                        name: n.into(),
                        value: val.into(),
                    });
                }
                r
            },
        ];
        let checked = crate::engine::diagnostics::check_fixes(&cases, "OW");
        assert!(checked >= 8, "only {checked} fixes checked");
    }

    #[test]
    fn inline_secrets_without_a_value_get_no_switching_fix() {
        let g = generate(&raw(&[("max_instances", "3"), ("secrets", "inline")]));
        let d = g.diagnostics.iter().find(|d| d.code == "OW006");
        let titles: Vec<&str> = d
            .map(|d| d.fixes.iter().map(|f| f.title.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(titles, vec!["Run one instance"]);
    }

    #[test]
    fn strict_same_site_and_legacy_alias_are_reported() {
        let mut r = raw(&[]);
        r.extra_env.push(ExtraVar {
            name: "WEBUI_JWT_SECRET_KEY".into(),
            value: "x".into(),
        });
        r.extra_env.push(ExtraVar {
            name: "WEBUI_AUTH_COOKIE_SAME_SITE".into(),
            value: "strict".into(),
        });
        let c = codes(&generate(&r));
        assert!(c.contains(&"OW005") && c.contains(&"OW004"), "{c:?}");
        let c = codes(&generate(&raw(&[("same_site", "strict")])));
        assert!(c.contains(&"OW003"), "{c:?}");
        // Without OIDC, strict is the user's choice.
        let c = codes(&generate(&raw(&[("same_site", "strict"), ("oidc", "no")])));
        assert!(!c.contains(&"OW003"), "{c:?}");
    }

    #[test]
    fn oidc_settings_are_checked() {
        let mut r = raw(&[]);
        r.options.remove("openid_provider_url");
        r.options.remove("oauth_client_id");
        let c = codes(&generate(&r));
        assert!(c.contains(&"OW001") && c.contains(&"OW002"), "{c:?}");
        let c = codes(&generate(&raw(&[(
            "openid_provider_url",
            "idp.example.com",
        )])));
        assert!(c.contains(&"OW015"), "{c:?}");
        let g = generate(&raw(&[("oidc", "no")]));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        assert!(!env(&g).contains_key("OPENID_REDIRECT_URI"));
    }

    #[test]
    fn a_short_given_key_gets_the_pyjwt_warning() {
        let mut r = raw(&[]);
        r.secrets
            .insert("WEBUI_SECRET_KEY".into(), "0123456789abcdef".into());
        let g = generate(&r);
        let d = g.diagnostics.iter().find(|d| d.code == "OW011");
        assert_eq!(d.map(|d| d.severity), Some(Severity::Warning));
    }

    #[test]
    fn versions_change_cookie_name_image_and_notes() {
        let mut r = raw(&[]);
        r.app_version = "0.5.20".into();
        let g = generate(&r);
        assert!(codes(&g).contains(&"OW013"));
        let verify = g
            .block("verify")
            .map(|b| b.content.clone())
            .unwrap_or_default();
        assert!(
            verify.contains("oui-session") && !verify.contains("owui-session"),
            "{verify}"
        );
        let deploy = g
            .block("deploy")
            .map(|b| b.content.clone())
            .unwrap_or_default();
        assert!(deploy.contains("open-webui:v0.5.20"), "{deploy}");

        r.app_version = "0.6.5".into();
        let g = generate(&r);
        assert!(codes(&g).contains(&"OW012"));

        r.app_version = "main".into();
        let g = generate(&r);
        let deploy = g
            .block("deploy")
            .map(|b| b.content.clone())
            .unwrap_or_default();
        assert!(deploy.contains("open-webui:main"), "{deploy}");

        r.app_version = String::new();
        let verify = generate(&r)
            .block("verify")
            .map(|b| b.content.clone())
            .unwrap_or_default();
        assert!(verify.contains("owui-session"), "{verify}");
        assert!(verify.contains("/health"), "{verify}");
        assert!(verify.contains("/oauth/oidc/login"), "{verify}");
        assert!(verify.contains("samesite=lax"), "{verify}");
    }

    #[test]
    fn no_url_never_panics() {
        let mut r = raw(&[("max_instances", "2")]);
        r.urls.clear();
        let g = generate(&r);
        assert!(g.block("verify").is_some());
        let mut r = raw(&[("instances", "x"), ("max_instances", "")]);
        r.app_version = "not a version".into();
        let _ = generate(&r);
    }

    #[test]
    /// The explanations (What / Why / Example / References) are checked for every module's
    /// codes in diagnostics/codes.rs.
    fn codes_have_the_module_prefix() {
        for c in CODES {
            assert!(c.code.starts_with("OW"), "{}", c.code);
        }
    }

    #[test]
    fn samples_are_recognised_as_open_webui() {
        let samples = [
            (
                "2025-07-01 | WARNING  | open_webui.utils.oauth:handle_callback:352 - OAuth callback error: mismatching_state: CSRF Warning! State not equal in request and response.",
                "open-webui-callback-mismatching-state",
            ),
            (
                "WARNING | OAuth callback error during authorize_access_token for provider oidc: OAuth callback failed: mismatching_state: CSRF Warning! State not equal in request and response.",
                "open-webui-callback-mismatching-state",
            ),
            (
                "authlib.integrations.base_client.errors.MismatchingStateError: mismatching_state: CSRF Warning! State not equal in request and response.",
                "authlib-mismatching-state",
            ),
            (
                "OAuth callback failed: Missing state parameter in callback (session may have expired)",
                "open-webui-callback-missing-state",
            ),
            (
                "OAuth callback error during authorize_access_token for provider oidc: OAuth callback failed: invalid_client",
                "open-webui-callback-error",
            ),
            (
                "https://webui.example.org/auth?error=Sign-in+with+your+identity+provider+failed.+Please+contact+your+administrator+for+assistance.",
                "open-webui-login-failed-redirect",
            ),
            (
                "Sign-in with your identity provider failed. Please contact your administrator for assistance.",
                "open-webui-login-failed-redirect",
            ),
            (
                "SystemExit: WEBUI_SECRET_KEY is not set. It is a hard requirement when authentication is enabled.",
                "open-webui-secret-key-not-set",
            ),
            (
                "ERROR | open_webui.models.oauth_sessions - Error decrypting tokens: InvalidToken: ",
                "open-webui-error-decrypting-tokens",
            ),
            (
                "InsecureKeyLengthWarning: The HMAC key is 16 bytes long, which is below the minimum recommended length of 32 bytes for SHA256. See RFC 7518 Section 3.2.",
                "pyjwt-insecure-key-length",
            ),
        ];
        for (text, id) in samples {
            let found = diagnose(text, &RawInputs::default());
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].signature, id, "{text}");
            assert_eq!(found[0].app, "open-webui", "{text}");
        }
    }
}
