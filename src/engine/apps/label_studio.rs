//! Label Studio (HumanSignal/label-studio), a Django app.
//!
//! What matters behind a TLS-terminating front end (Cloud Run, an ALB, an ingress):
//! * Since 1.14.0 Label Studio runs Django 4.2+ (1.23.2: Django 5.2), which checks `Origin`
//!   against `https://<host>` only when the request looks secure. Label Studio has no
//!   `SECURE_PROXY_SSL_HEADER` knob, so behind a proxy the request looks like plain http and every
//!   login POST fails `Origin checking failed` unless the exact public origin is listed in
//!   `CSRF_TRUSTED_ORIGINS` (shared/knowledge/seed-systems.md §1.4; verified on 1.23.2 in
//!   shared/knowledge/verified.md). Before 1.14 (Django 3.2) there was no Origin check.
//! * `CSRF_TRUSTED_ORIGINS` is split on `,` with no stripping (`get_env_list`,
//!   label_studio/core/utils/params.py): comma-joined, no spaces, no trailing slash.
//! * Settings are looked up as `LABEL_STUDIO_<name>`, `HEARTEX_<name>`, then `<name>`
//!   (`get_env`, params.py); `SECRET_KEY` is read by exact name only
//!   (core/settings/label_studio.py:9,29).
//! * `SESSION_COOKIE_SECURE` / `CSRF_COOKIE_SECURE` / `CSRF_COOKIE_HTTPONLY` go through
//!   `bool(int(value))` (core/settings/base.py:473-477): `1`/`0` only, `true` crashes start-up.
//! * `SECURE_PROXY_SSL_HEADER`, `USE_X_FORWARDED_HOST`, `USE_X_FORWARDED_PORT` and
//!   `DJANGO_CSRF_TRUSTED_ORIGINS` are never read (grep of 1.13.1, 1.14.0, 1.23.2 wheels;
//!   seed-systems.md §1.1-1.2 and §10.1).
//! * The initial user is created only when both `USERNAME` and `PASSWORD` resolve; the username
//!   is the e-mail (`server.py:131-133, 411`).
//! * Without Postgres the image keeps SQLite under `/label-studio/data`, inside the container.
//!
//! References: seed-systems.md §1 (file:line for 1.23.2), §6 (Django), §10.1 (the write-up's
//! errors); verified.md.

use crate::engine::Valid;
use crate::engine::diagnose::Signature;
use crate::engine::diagnostics::{Diagnostic, FieldEdit, Fix, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{AppPlan, EnvVar, Reason, SecretGen, SecretSpec, Snippet};
use crate::engine::render::shell::{Script, quote};
use crate::engine::version::Version;

use super::{App, looks_like_email};

pub struct LabelStudio;

/// Django 4.2 (with the Origin check) arrived in 1.14.0 (METADATA Requires-Dist of 1.13.1 vs
/// 1.14.0; seed-systems.md §1.4, §1.6).
const DJANGO4_FROM: Version = Version::new(1, 14, 0);

const SRC_CSRF: &str = "label_studio/core/settings/base.py:805-807 (1.23.2), get_env_list in \
core/utils/params.py; verified on 1.23.2 (shared/knowledge/verified.md); Django \
middleware/csrf.py _origin_verified (seed-systems.md §6.2)";

/// Variables Label Studio never reads, with the reason shown in `LS001`.
const IGNORED: &[(&str, &str)] = &[
    (
        "SECURE_PROXY_SSL_HEADER",
        "Label Studio has no such setting (and Django needs a 2-tuple, not a string)",
    ),
    ("USE_X_FORWARDED_HOST", "Label Studio has no such setting"),
    (
        "USE_X_FORWARDED_PORT",
        "Label Studio has no such setting (and it never affects the Origin check)",
    ),
    (
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "Label Studio reads CSRF_TRUSTED_ORIGINS with a LABEL_STUDIO_ or HEARTEX_ prefix or none, never DJANGO_",
    ),
];

/// Cookie flags parsed with `bool(int(...))` (base.py:473-477), with every prefix `get_env`
/// accepts.
const INT_FLAGS: &[&str] = &[
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
];

const DATABASES: &[(&str, &str)] = &[
    ("sqlite", "SQLite inside the container"),
    ("postgres", "PostgreSQL"),
];
const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "admin_email",
        label: "Initial user e-mail",
        help: "Creates this user at first start (LABEL_STUDIO_USERNAME); its password is a secret",
        kind: OptionKind::Email,
        default: "",
    },
    OptionSpec {
        key: "disable_signup",
        label: "Invite-only signup",
        help: "Only people with an invite link can sign up (LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK)",
        kind: OptionKind::Choice(YES_NO),
        default: "yes",
    },
    OptionSpec {
        key: "database",
        label: "Database",
        help: "SQLite lives inside the container; PostgreSQL keeps data across restarts",
        kind: OptionKind::Choice(DATABASES),
        default: "sqlite",
    },
    OptionSpec {
        key: "postgres_host",
        label: "PostgreSQL host",
        help: "POSTGRE_HOST: an address the service can reach",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "postgres_port",
        label: "PostgreSQL port",
        help: "POSTGRE_PORT",
        kind: OptionKind::Integer,
        default: "5432",
    },
    OptionSpec {
        key: "postgres_name",
        label: "PostgreSQL database",
        help: "POSTGRE_NAME",
        kind: OptionKind::Text,
        default: "labelstudio",
    },
    OptionSpec {
        key: "postgres_user",
        label: "PostgreSQL user",
        help: "POSTGRE_USER; its password is a secret",
        kind: OptionKind::Text,
        default: "labelstudio",
    },
];

/// Versions read for this module (seed-systems.md §0), newest first.
static VERSIONS: &[&str] = &["1.23.2", "1.14.0", "1.13.1"];

/// Strips the `LABEL_STUDIO_` / `HEARTEX_` prefixes `get_env` accepts.
fn bare(name: &str) -> &str {
    name.strip_prefix("LABEL_STUDIO_")
        .or_else(|| name.strip_prefix("HEARTEX_"))
        .unwrap_or(name)
}

impl LabelStudio {
    fn image(v: &Valid<'_>) -> String {
        let tag = if v.raw.app_version.trim().is_empty() {
            VERSIONS[0].to_owned()
        } else {
            v.raw
                .app_version
                .trim()
                .trim_start_matches(['v', 'V'])
                .to_owned()
        };
        // The project's Docker Hub image (HumanSignal/label-studio README; release tags are pushed
        // as image tags by .github/workflows/docker-release-promote.yml). Written with its
        // registry: Cloud Run deploys public Docker Hub images directly
        // (cloud.google.com/run/docs/deploying, "Supported container registries and images").
        format!("docker.io/heartexlabs/label-studio:{tag}")
    }
}

/// Messages only Label Studio prints, or Django messages on Label Studio's own paths
/// (`/user/login/`, `/user/signup/`: users/views.py:39,103). Django's generic reading of the
/// same lines lives in the `django` module; these come first in the registry.
static SIGNATURES: &[Signature] = &[
    Signature {
        id: "label-studio-origin-checking-failed",
        pattern: r"Origin checking failed - (?P<origin>https?://[^\s]+?) does not match any trusted origins\.?\)?:? ?/user/(?:login|signup)/",
        apps: &["label-studio"],
        emitter: "Django's CSRF middleware, on Label Studio's login or signup view",
        cause: "Label Studio 1.14+ runs Django 4.2+, which compares the browser's Origin with \
                the request's own scheme and host. Behind a TLS-terminating front end the request \
                arrives as plain http, and Label Studio has no SECURE_PROXY_SSL_HEADER setting, so \
                the https:// origin matches only when it is listed in CSRF_TRUSTED_ORIGINS.",
        fix: "Set CSRF_TRUSTED_ORIGINS to every public origin exactly (scheme and host, no trailing \
              slash, comma-separated without spaces). ProxyTrust adds the origin from the message.",
        references: "django/middleware/csrf.py (REASON_BAD_ORIGIN, 5.2); label_studio/users/views.py:39,103; \
                     seed-systems.md §1.4-1.5; issue HumanSignal/label-studio#6889",
    },
    Signature {
        id: "label-studio-cookie-flag-not-integer",
        pattern: r"ValueError: invalid literal for int\(\) with base 10: '(?i:true|false|yes|no|on|off)'",
        apps: &["label-studio"],
        emitter: "Label Studio's settings (core/settings/base.py) at start-up",
        cause: "SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE and CSRF_COOKIE_HTTPONLY are parsed with \
                bool(int(value)) in Label Studio, so only 1 or 0 are accepted; `true` stops the \
                server before it starts.",
        fix: "Write SESSION_COOKIE_SECURE=1 (and CSRF_COOKIE_SECURE=1), not true. ProxyTrust \
              writes 1.",
        references: "label_studio/core/settings/base.py:473-477 (1.23.2); seed-systems.md §1.2, §1.5; \
                     verified.md",
    },
];

impl App for LabelStudio {
    fn id(&self) -> &'static str {
        "label-studio"
    }
    fn name(&self) -> &'static str {
        "Label Studio"
    }
    fn summary(&self) -> &'static str {
        "Data labeling tool (Django): 403 CSRF verification failed at login behind a proxy"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn known_versions(&self) -> &'static [&'static str] {
        VERSIONS
    }

    fn signatures(&self) -> &'static [Signature] {
        SIGNATURES
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        if let Some(ver) = v.version
            && ver < DJANGO4_FROM
        {
            diags.push(Diagnostic::new(
                "LS006",
                field::VERSION,
                format!("Label Studio {ver} runs Django 3.2: no Origin check before 1.14"),
            ));
        }
        let email = v.opt("admin_email").trim();
        if !email.is_empty() && !looks_like_email(email) {
            diags.push(Diagnostic::new(
                "LS005",
                field::option("admin_email"),
                format!("The initial user's name must be an e-mail address: {email}"),
            ));
        }
        if email.is_empty() && v.opt("disable_signup") == "yes" {
            diags.push(
                Diagnostic::new(
                    "LS010",
                    field::option("admin_email"),
                    "Signup is invite-only and there is no initial user: nobody can log in",
                )
                .with_fix(Fix::unsafe_(
                    "Open signup",
                    vec![FieldEdit::SetOption {
                        key: "disable_signup".into(),
                        value: "no".into(),
                    }],
                )),
            );
        }
        if v.opt("database") == "sqlite" {
            let mut d = Diagnostic::new(
                "LS003",
                field::option("database"),
                format!(
                    "SQLite on {}'s disk loses every user and annotation when the instance stops",
                    v.platform.name()
                ),
            );
            // Switching needs a reachable host; offer it once one is entered, so the fix never
            // leaves an error behind (LS008).
            if !v.opt("postgres_host").trim().is_empty() {
                d = d.with_fix(Fix::unsafe_(
                    "Use PostgreSQL",
                    vec![FieldEdit::SetOption {
                        key: "database".into(),
                        value: "postgres".into(),
                    }],
                ));
            }
            diags.push(d);
            let max = v.opt("max_instances").trim();
            if max.parse::<u32>().is_ok_and(|m| m > 1) {
                diags.push(
                    Diagnostic::new(
                        "LS004",
                        field::option("max_instances"),
                        format!("SQLite with up to {max} instances: each has its own database"),
                    )
                    .with_fix(Fix::unsafe_("Set max instances to 1", {
                        let mut edits = vec![FieldEdit::SetOption {
                            key: "max_instances".into(),
                            value: "1".into(),
                        }];
                        // Keep min <= max (CR007).
                        if v.opt("min_instances")
                            .trim()
                            .parse::<u32>()
                            .is_ok_and(|m| m > 1)
                        {
                            edits.push(FieldEdit::SetOption {
                                key: "min_instances".into(),
                                value: "1".into(),
                            });
                        }
                        edits
                    })),
                );
            }
        } else if v.opt("postgres_host").trim().is_empty() {
            diags.push(Diagnostic::new(
                "LS008",
                field::option("postgres_host"),
                "PostgreSQL is selected but no host is set",
            ));
        }
        for (i, extra) in v.raw.extra_env.iter().enumerate() {
            let name = extra.name.trim();
            let remove = Fix::safe(
                format!("Remove {name}"),
                vec![FieldEdit::RemoveExtra { index: i }],
            );
            if let Some((_, why)) = IGNORED.iter().find(|(n, _)| *n == name) {
                diags.push(
                    Diagnostic::new(
                        "LS001",
                        field::extra(i),
                        format!("Label Studio ignores {name}: {why}"),
                    )
                    .with_fix(remove),
                );
            } else if INT_FLAGS.contains(&bare(name)) {
                let val = extra.value.trim();
                if val != "0" && val != "1" {
                    let as_int = match val.to_ascii_lowercase().as_str() {
                        "true" | "yes" | "on" => Some("1"),
                        "false" | "no" | "off" => Some("0"),
                        _ => None,
                    };
                    let mut d = Diagnostic::new(
                        "LS002",
                        field::extra(i),
                        format!("Label Studio crashes at start-up unless {name} is 1 or 0: {val}"),
                    );
                    if let Some(int) = as_int {
                        d = d.with_fix(Fix::safe(
                            format!("Use {name}={int}"),
                            vec![FieldEdit::SetExtraValue {
                                index: i,
                                value: int.to_owned(),
                            }],
                        ));
                    }
                    diags.push(d);
                }
            } else if bare(name) == "USE_ENFORCE_CSRF_CHECKS"
                && matches!(
                    extra.value.trim().to_ascii_lowercase().as_str(),
                    "0" | "false" | "no" | "not" | "off"
                )
            {
                diags.push(
                    Diagnostic::new(
                        "LS009",
                        field::extra(i),
                        format!("{name} turns CSRF protection off for login and signup"),
                    )
                    .with_fix(remove),
                );
            }
        }
    }

    fn plan(&self, v: &Valid<'_>) -> AppPlan {
        let origins = v.origin_strings();
        let mut env = Vec::new();
        let django4 = v.version.is_none_or(|ver| ver >= DJANGO4_FROM);
        env.push(EnvVar::literal(
            "CSRF_TRUSTED_ORIGINS",
            origins.join(","),
            if django4 {
                "Django checks the browser's Origin header on the login POST. Behind the front end the \
                 request reaches Label Studio as plain http, so Django expects http://HOST and \
                 refuses the https:// origin unless it is listed here exactly: scheme and host, no \
                 trailing slash, comma-separated without spaces (Label Studio does not strip them). \
                 Every URL users open must be listed."
            } else {
                "Not needed before 1.14 (Django 3.2 has no Origin check), written in the Django 4.0+ \
                 form so that an upgrade to 1.14 or later keeps login working."
            },
            SRC_CSRF,
        ));
        env.push(EnvVar::secret(
            "SECRET_KEY",
            SecretSpec {
                slug: "secret-key",
                value: None,
                generate: Some(SecretGen::Text { bytes: 48 }),
                describe: "signs sessions; the same on every instance",
            },
            "Sessions are signed cookies (SESSION_ENGINE = signed_cookies). Unset, every container \
             generates its own key on its ephemeral disk, so logins break on restarts and across \
             instances. One shared random value fixes that; it is read by this exact name only.",
            "label_studio/core/settings/label_studio.py:9,29 and core/utils/secret_key.py (1.23.2); \
             seed-systems.md §1.2",
        ));
        if let Some(first) = origins.first() {
            env.push(EnvVar::literal(
                "LABEL_STUDIO_HOST",
                first.clone(),
                "The public URL Label Studio uses for absolute links (exports, e-mails). It does not \
                 affect the CSRF check.",
                "label_studio/core/settings/base.py:93-112 (1.23.2); docs/source/guide/start.md",
            ));
        }
        if v.origins.first().is_some_and(|o| o.scheme == "https") {
            for name in ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"] {
                env.push(EnvVar::literal(
                    name,
                    "1",
                    "Marks the cookie Secure so browsers send it over https only. Must be 1 or 0: \
                     Label Studio parses it with int(), and `true` crashes start-up with \
                     `ValueError: invalid literal for int() with base 10: 'true'`.",
                    "label_studio/core/settings/base.py:473,476 (1.23.2); verified on 1.23.2 \
                     (shared/knowledge/verified.md)",
                ));
            }
        }
        let email = v.opt("admin_email").trim();
        if !email.is_empty() {
            env.push(EnvVar::literal(
                "LABEL_STUDIO_USERNAME",
                email,
                "The initial user, created at first start. Label Studio uses it as the user's \
                 e-mail; it is created only when the password is set too.",
                "label_studio/server.py:131-133,411 (1.23.2); seed-systems.md §1.2",
            ));
            env.push(EnvVar::secret(
                "LABEL_STUDIO_PASSWORD",
                SecretSpec {
                    slug: "admin-password",
                    value: None,
                    generate: None,
                    describe: "password of the initial user",
                },
                "The initial user's password. A secret: kept in the platform's secret store.",
                "label_studio/server.py:131-133 (1.23.2); seed-systems.md §1.2",
            ));
        }
        if v.opt("disable_signup") == "yes" {
            env.push(EnvVar::literal(
                "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK",
                "true",
                "The service is public (the app has its own login), so signup is limited to people \
                 with an invite link. Parsed as a boolean: true/false, 1/0, yes/no all work here.",
                "label_studio/core/settings/base.py:317, users/views.py:62-66 (1.23.2)",
            ));
        }
        if v.opt("database") == "postgres" {
            let src =
                "label_studio/core/settings/base.py DATABASES (DJANGO_DB, POSTGRE_*) (1.23.2)";
            env.push(EnvVar::literal(
                "DJANGO_DB",
                "default",
                "Selects the PostgreSQL database configuration; without it Label Studio uses SQLite \
                 inside the container.",
                src,
            ));
            for (name, key, why) in [
                ("POSTGRE_NAME", "postgres_name", "Database name."),
                ("POSTGRE_USER", "postgres_user", "Database user."),
                (
                    "POSTGRE_HOST",
                    "postgres_host",
                    "Database host the service can reach.",
                ),
                ("POSTGRE_PORT", "postgres_port", "Database port."),
            ] {
                env.push(EnvVar::literal(name, v.opt(key).trim(), why, src));
            }
            env.push(EnvVar::secret(
                "POSTGRE_PASSWORD",
                SecretSpec {
                    slug: "postgres-password",
                    value: None,
                    generate: None,
                    describe: "password of the PostgreSQL user",
                },
                "Database password. A secret: kept in the platform's secret store.",
                src,
            ));
        }

        AppPlan {
            env,
            container_port: 8080,
            image: Self::image(v),
            snippet: Snippet {
                title: "Settings file (none needed)".to_owned(),
                language: "text",
                filename: "label-studio-settings.txt".to_owned(),
                body: SNIPPET.to_owned(),
            },
            verify: verify_script(&origins),
            reasons: vec![Reason {
                subject: "No settings file or middleware".to_owned(),
                why: "The stock image reads everything it needs from the environment. The \
                      proxy-awareness variables people copy from blog posts \
                      (SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST, USE_X_FORWARDED_PORT) \
                      are not read by Label Studio at all."
                    .to_owned(),
                source: "grep of the label-studio 1.13.1, 1.14.0 and 1.23.2 wheels \
                         (seed-systems.md §1.1, §10.1)"
                    .to_owned(),
            }],
        }
    }
}

const SNIPPET: &str = "\
Label Studio needs no settings file, middleware or proxy configuration here:
the stock image reads everything from the environment variables above.

Do not add SECURE_PROXY_SSL_HEADER, USE_X_FORWARDED_HOST or
USE_X_FORWARDED_PORT: Label Studio never reads them. The one setting that
fixes \"403 CSRF verification failed\" is CSRF_TRUSTED_ORIGINS, listing every
public origin exactly.
";

/// The verify script: for every origin, fetch the login form, check the cookie flags, and post
/// the form back from that origin with a wrong password. CSRF passing shows as 200 (the form
/// again, "wrong credentials"); a 403 means the origin is not trusted.
fn verify_script(origins: &[String]) -> Script {
    let mut s = Script::default();
    s.comment("Checks every public URL the way a browser logs in (needs curl).");
    s.comment("Good: \"CSRF check passed\" for each URL (HTTP 200: the form again, because");
    s.comment("the password is deliberately wrong), and cookies marked Secure on https.");
    s.comment("Bad: HTTP 403 means that origin is missing from CSRF_TRUSTED_ORIGINS or is");
    s.comment("written differently there (trailing slash, space, http instead of https).");
    s.raw("set -u");
    let list: Vec<String> = origins.iter().map(|o| quote(o)).collect();
    s.raw(format!("origins=({})", list.join(" ")));
    s.raw("for origin in \"${origins[@]}\"; do");
    s.raw("jar=\"$(mktemp)\"");
    s.raw("headers=\"$(mktemp)\"");
    s.comment("1. The login page: it must answer 200 and set csrftoken (Secure on https).");
    s.raw(
        "token=\"$(curl -sS -c \"$jar\" -D \"$headers\" \"$origin/user/login/\" \\\n    \
         | sed -n 's/.*name=\"csrfmiddlewaretoken\" value=\"\\([^\"]*\\)\".*/\\1/p' | head -n 1)\"",
    );
    s.raw("grep -i '^set-cookie:' \"$headers\" || echo \"$origin: no cookies set (is a proxy dropping Set-Cookie?)\"");
    s.comment("2. Post the form back from this origin, as the browser does.");
    s.raw(
        "status=\"$(curl -sS -o /dev/null -w '%{http_code}' -b \"$jar\" \\\n    \
         -H \"Origin: $origin\" -H \"Referer: $origin/user/login/\" \\\n    \
         --data-urlencode \"csrfmiddlewaretoken=$token\" \\\n    \
         --data-urlencode 'email=verify@example.invalid' --data-urlencode 'password=not-the-password' \\\n    \
         \"$origin/user/login/\")\"",
    );
    s.raw("case \"$status\" in");
    s.raw("  200|302) echo \"$origin: CSRF check passed (HTTP $status)\" ;;");
    s.raw(
        "  403) echo \"$origin: FAILED, HTTP 403: add exactly $origin to CSRF_TRUSTED_ORIGINS\" ;;",
    );
    s.raw("  *) echo \"$origin: unexpected HTTP $status\" ;;");
    s.raw("esac");
    s.raw("rm -f \"$jar\" \"$headers\"");
    s.raw("done");
    s
}
