//! The registry of diagnostic codes. Codes are stable and never reused: add new ones at the end
//! of their area. Each explanation (What / Why / Example / References) is the single source for
//! GUI tooltips, `proxytrust explain CODE` and the docs.

use super::Severity;

pub struct Code {
    pub code: &'static str,
    pub severity: Severity,
    /// A short name for lists, e.g. `missing-scheme`.
    pub name: &'static str,
    pub explanation: &'static str,
}

use Severity::{Error, Info, Warning};

pub static CODES: &[Code] = &[
    // --- URL: public origins -------------------------------------------------------------
    Code {
        code: "URL001",
        severity: Error,
        name: "missing-scheme",
        explanation: "What: the URL has no scheme (`https://`).\n\
Why: browsers send the full origin in the `Origin` header, scheme included, and Django 4.0+ \
compares CSRF_TRUSTED_ORIGINS entries with it as exact strings; an entry without a scheme never \
matches (and Django 4.0+ reports system check 4_0.E001).\n\
Example: `ls.example.com` -> `https://ls.example.com`.\n\
References: Django docs ref/settings CSRF_TRUSTED_ORIGINS; django/core/checks/compatibility/django_4_0.py; \
shared/knowledge/seed-systems.md §6.4-6.5.",
    },
    Code {
        code: "URL002",
        severity: Warning,
        name: "surrounding-whitespace",
        explanation: "What: the URL has spaces, tabs or line breaks around it.\n\
Why: Label Studio splits CSRF_TRUSTED_ORIGINS on `,` without stripping, so a leading space stays \
in the origin and never matches (verified: `https://a, https://b` gives 403 for b).\n\
Example: ` https://ls.example.com ` -> `https://ls.example.com`.\n\
References: shared/knowledge/verified.md; label_studio/core/utils/params.py get_env_list.",
    },
    Code {
        code: "URL003",
        severity: Warning,
        name: "upper-case-host",
        explanation: "What: the host has upper-case letters.\n\
Why: browsers lower-case the host before sending `Origin`, and Django compares trusted origins as \
exact strings, so `https://LS.example.com` would never match. ProxyTrust always writes the \
lower-case form; the fix makes the input say what the output uses.\n\
Example: `https://LS.Example.com` -> `https://ls.example.com`.\n\
References: WHATWG URL host parsing; django/middleware/csrf.py _origin_verified.",
    },
    Code {
        code: "URL004",
        severity: Warning,
        name: "trailing-slash",
        explanation: "What: the URL ends with `/`.\n\
Why: an origin is `scheme://host[:port]` with no path; `Origin` never carries a slash. A trusted \
origin with a trailing slash never matches (verified on Label Studio 1.23.2: 403).\n\
Example: `https://ls.example.com/` -> `https://ls.example.com`.\n\
References: shared/knowledge/verified.md; seed-systems.md §6.5.",
    },
    Code {
        code: "URL005",
        severity: Warning,
        name: "path-query-fragment",
        explanation: "What: the URL has a path, query or fragment.\n\
Why: only `scheme://host[:port]` is an origin; browsers send nothing else in `Origin`, so the \
rest is dropped from every generated value. If the app really lives under a sub-path, that is \
a separate setting (for Label Studio, the path of LABEL_STUDIO_HOST).\n\
Example: `https://ls.example.com/user/login?next=/` -> `https://ls.example.com`.\n\
References: RFC 6454 §6.1 (origin serialisation); seed-systems.md §1.2 (HOST).",
    },
    Code {
        code: "URL006",
        severity: Warning,
        name: "default-port",
        explanation: "What: the URL names the default port (`:443` for https, `:80` for http).\n\
Why: browsers omit the default port in `Origin`, and Django compares trusted origins as exact \
strings: `https://host:443` does not match `https://host` (verified with Django 5.2.19).\n\
Example: `https://ls.example.com:443` -> `https://ls.example.com`.\n\
References: seed-systems.md §6.2 and §6.5.",
    },
    Code {
        code: "URL007",
        severity: Warning,
        name: "userinfo",
        explanation: "What: the URL has a user name or password before the host (`user:pw@`).\n\
Why: an origin never carries credentials and browsers do not send them in `Origin`; keeping them \
would also copy a password into every generated file.\n\
Example: `https://admin:pw@ls.example.com` -> `https://ls.example.com`.\n\
References: RFC 6454 §6.1; WHATWG URL origin.",
    },
    Code {
        code: "URL008",
        severity: Error,
        name: "http-on-https-only-platform",
        explanation: "What: the URL uses `http://` but the platform serves the service over https only.\n\
Why: Cloud Run redirects http to https and terminates TLS in front of the container, so the \
browser's `Origin` is `https://...`; an `http://` trusted origin never matches.\n\
Example: `http://svc-abc123-uc.a.run.app` -> `https://svc-abc123-uc.a.run.app`.\n\
References: cloud.google.com/run/docs/triggering/https-request; platforms.md §1.4.",
    },
    Code {
        code: "URL009",
        severity: Error,
        name: "not-http",
        explanation: "What: the URL's scheme is neither `http` nor `https`.\n\
Why: browsers send `Origin` for pages loaded over http(s); a `ws://`, `ftp://` or other scheme \
is never the origin of a login form.\n\
Example: `wss://ls.example.com` -> `https://ls.example.com`.\n\
References: RFC 6454; WHATWG Fetch `Origin` header.",
    },
    Code {
        code: "URL010",
        severity: Error,
        name: "no-host",
        explanation: "What: no usable host could be read from the URL.\n\
Why: an origin needs a host; without one nothing can be trusted.\n\
Example: `https://` or `https:///path`.\n\
References: WHATWG URL parsing.",
    },
    Code {
        code: "URL011",
        severity: Warning,
        name: "duplicate-origin",
        explanation: "What: two URLs give the same origin.\n\
Why: once normalised they are the same `Origin`; listing it twice adds nothing. Remove the copy.\n\
Example: `https://ls.example.com` and `https://LS.example.com/`.\n\
References: RFC 6454 §6.1.",
    },
    Code {
        code: "URL012",
        severity: Error,
        name: "no-url",
        explanation: "What: no public URL was given.\n\
Why: the whole point is trusting the origin users open in their browser: the run.app URL, a \
custom domain, or both. Enter every URL people use.\n\
Example: `https://labelstudio-abc123-uc.a.run.app`.\n\
References: seed-systems.md §1.8.",
    },
    Code {
        code: "URL013",
        severity: Info,
        name: "idn-host",
        explanation: "What: the host has non-ASCII characters (an internationalised domain name).\n\
Why: browsers send the punycode (`xn--`) form in `Origin`, so that is what ProxyTrust writes.\n\
Example: `https://bücher.example` -> `https://xn--bcher-kva.example`.\n\
References: WHATWG URL host parsing (domain to ASCII); RFC 5891.",
    },
    Code {
        code: "URL014",
        severity: Error,
        name: "unparsable-url",
        explanation: "What: the URL could not be parsed.\n\
Why: the host contains characters no browser accepts, the port is not a number from 1 to 65535, \
or the text is not a URL.\n\
Example: `https://ls example.com`, `https://ls.example.com:99999`.\n\
References: WHATWG URL parsing.",
    },
    // --- APP / PLT: registry -------------------------------------------------------------
    Code {
        code: "APP001",
        severity: Error,
        name: "unknown-app",
        explanation: "What: the app id is not one ProxyTrust knows yet.\n\
Why: every generated line comes from the app's own knowledge module; without one nothing exact \
can be generated. `proxytrust list apps` shows the supported ids.\n\
Example: `--app label-studio`.\n\
References: src/engine/apps/mod.rs (registry).",
    },
    Code {
        code: "PLT001",
        severity: Error,
        name: "unknown-platform",
        explanation: "What: the platform id is not one ProxyTrust knows yet.\n\
Why: the env form, deploy command and proxy headers all come from the platform's module. \
`proxytrust list platforms` shows the supported ids.\n\
Example: `--platform cloud-run`.\n\
References: src/engine/platforms/mod.rs (registry).",
    },
    Code {
        code: "PLT002",
        severity: Warning,
        name: "url-of-another-platform",
        explanation: "What: a URL has the hostname shape of another platform than the one chosen \
(for example a `*.run.app` URL with AWS ECS).\n\
Why: each platform's front end sends different headers and takes different commands; a URL \
from one platform with the settings of another usually means the platform field is wrong, \
and the generated commands would not run where the service lives.\n\
Example: `https://svc-abc123-uc.a.run.app` belongs to Cloud Run; `https://x.fly.dev` to Fly.io.\n\
References: each platform module's hostname rules (shared/knowledge/platforms.md §1.3 and the \
URL rows of §2-§9).",
    },
    Code {
        code: "OPT001",
        severity: Warning,
        name: "unknown-option",
        explanation: "What: an option key is not known to the chosen app or platform.\n\
Why: it is ignored; probably a typo, or an option of another app or platform.\n\
Example: `--set regoin=us-central1` (meant `region`).\n\
References: `proxytrust list apps --format json` lists every option.",
    },
    Code {
        code: "OPT002",
        severity: Error,
        name: "invalid-option-value",
        explanation: "What: an option's value is not allowed (not a number, not one of the choices, \
not an e-mail address).\n\
Why: the value would end up in a command or a variable the app rejects.\n\
Example: `max_instances=two`.\n\
References: the option's help text.",
    },
    // --- ENV: extra variables ------------------------------------------------------------
    Code {
        code: "VER001",
        severity: Warning,
        name: "version-unparsable",
        explanation: "What: the app version could not be read as MAJOR[.MINOR[.PATCH]].\n\
Why: version-dependent rules (which settings exist, which bugs apply) then assume the newest \
release ProxyTrust has read, which may not be what you run.\n\
Example: `1.23.2`, `v5.4`, `4.1.1` are understood; `latest` or `main` are not.\n\
References: each app module's version table (shared/knowledge/seed-systems.md).",
    },
    Code {
        code: "ENV001",
        severity: Error,
        name: "invalid-variable-name",
        explanation: "What: an extra variable's name is not a valid environment variable name.\n\
Why: names must be letters, digits and `_`, not starting with a digit; gcloud also rejects `=` \
in names and the `X_GOOGLE_` prefix.\n\
Example: `MY-VAR` -> `MY_VAR`.\n\
References: POSIX XBD 8.1; gcloud env_vars_util.EnvVarKeyType (platforms.md §1.1).",
    },
    Code {
        code: "ENV002",
        severity: Warning,
        name: "duplicate-variable",
        explanation: "What: a variable is set twice (two extra variables, or an extra variable that \
ProxyTrust also generates).\n\
Why: gcloud rejects a key given twice (`\"KEY\" cannot be specified multiple times`); ProxyTrust \
keeps the generated value and drops the copy. Remove it from the extra variables.\n\
Example: an extra `CSRF_TRUSTED_ORIGINS` when the URLs already produce it.\n\
References: platforms.md §1.1 step 5.",
    },
    Code {
        code: "ENV003",
        severity: Error,
        name: "reserved-variable",
        explanation: "What: the variable is reserved by the platform.\n\
Why: Cloud Run sets `PORT` itself (from `--port`) and the deploy is refused with \
`The following reserved env names were provided: PORT`; names starting with `X_GOOGLE_` are \
rejected by gcloud itself.\n\
Example: remove `PORT`; set the container port with the platform's port option instead.\n\
References: cloud.google.com/run/docs/configuring/services/overview-environment-variables; \
platforms.md §1.1-1.2.",
    },
    Code {
        code: "ENV004",
        severity: Error,
        name: "nul-in-value",
        explanation: "What: an extra variable's value contains a NUL character (U+0000).\n\
Why: environment variables reach a process as C strings (`name=value`, ended by NUL: POSIX XBD \
8.1, execve envp), so a value cannot hold one. Go's `syscall.Exec`, which the container \
runtimes (runc) use to start the process, converts the environment with \
`ByteSliceFromString`, which returns EINVAL for a string with a NUL; Python's `os.execve` raises \
`ValueError: embedded null byte`. It usually comes from a paste.\n\
Example: `abc\\0def` -> `abcdef`.\n\
References: POSIX.1-2017 XBD 8.1 and XSH execve; Go src/syscall/syscall.go ByteSliceFromString.",
    },
    Code {
        code: "SEC001",
        severity: Error,
        name: "missing-secret-value",
        explanation: "What: a secret is written inline but has no value.\n\
Why: with inline secrets the value goes into the command itself, so it must be known. Generate \
one (GUI: Generate; CLI: --generate-secrets), type one, or keep secrets in the platform's secret \
store (the default), where the deploy script reads or generates the value.\n\
Example: `--set secrets=secret-manager`.\n\
References: cloud.google.com/run/docs/configuring/services/secrets.",
    },
    // --- CR: Google Cloud Run ------------------------------------------------------------
    Code {
        code: "CR001",
        severity: Error,
        name: "service-missing",
        explanation: "What: the Cloud Run service name is empty.\n\
Why: `gcloud run deploy SERVICE` needs it, and the secrets are named after it. A run.app URL \
carries it: `SERVICE-PROJECTNUMBER.REGION.run.app` or `SERVICE-HASH-XX.a.run.app`.\n\
Example: `labelstudio`.\n\
References: cloud.google.com/run/docs/triggering/https-request; platforms.md §1.3.",
    },
    Code {
        code: "CR002",
        severity: Error,
        name: "service-name-invalid",
        explanation: "What: the service name breaks Cloud Run's naming rules.\n\
Why: names are lower-case letters, digits and `-`, must begin with a letter, must not end with \
`-`, and must have fewer than 50 characters (API v2; gcloud itself checks lower-case \
alphanumerics and `-` up to 63).\n\
Example: `Label_Studio` -> `label-studio`.\n\
References: gcloud run/flags.py ValidateResource; run_v2_messages.py CreateServiceRequest.serviceId \
(platforms.md §1.3).",
    },
    Code {
        code: "CR003",
        severity: Error,
        name: "region-missing",
        explanation: "What: no Cloud Run region is set.\n\
Why: `gcloud run deploy` needs `--region` (or a default region) and the deterministic URL \
contains it. A hash URL (`SERVICE-HASH-XX.a.run.app`) does not say the region: Google says not \
to parse it, so the region has to be entered.\n\
Example: `us-central1`.\n\
References: cloud.google.com/run/docs/triggering/https-request; platforms.md §1.3.",
    },
    Code {
        code: "CR004",
        severity: Warning,
        name: "service-differs-from-url",
        explanation: "What: the service name differs from the one in a run.app URL.\n\
Why: the URL was given to the service named in it; deploying under another name creates a new \
service with another URL, and the trusted origins would point at the old one.\n\
Example: URL `https://labelstudio-123456789012.us-central1.run.app`, service `label-studio`.\n\
References: platforms.md §1.3.",
    },
    Code {
        code: "CR005",
        severity: Warning,
        name: "region-differs-from-url",
        explanation: "What: the region differs from the one in a deterministic run.app URL.\n\
Why: `SERVICE-PROJECTNUMBER.REGION.run.app` belongs to the service in that region; deploying \
elsewhere creates another service.\n\
Example: URL in `us-central1`, region `europe-west1`.\n\
References: platforms.md §1.3.",
    },
    Code {
        code: "CR006",
        severity: Warning,
        name: "region-invalid",
        explanation: "What: the region does not look like a Google Cloud region id.\n\
Why: region ids are lower-case words joined by `-` and ending in a digit; gcloud rejects others.\n\
Example: `us-central1`, `europe-west1`, `asia-east1`.\n\
References: platforms.md §1.3.",
    },
    Code {
        code: "CR007",
        severity: Error,
        name: "instances-invalid",
        explanation: "What: the instance limits are not whole numbers, or the minimum exceeds the \
maximum.\n\
Why: gcloud takes `--min-instances` / `--max-instances` as numbers (or `default`), and Cloud Run \
refuses a minimum above the maximum.\n\
Example: min 0, max 1.\n\
References: gcloud run/flags.py ScaleValue (platforms.md §1.2).",
    },
    Code {
        code: "CR008",
        severity: Warning,
        name: "inline-secrets",
        explanation: "What: secret values are written inline in the env vars.\n\
Why: inline values are stored in the service's configuration and shown to anyone who can view \
the service (console, `gcloud run services describe`), and they end up in shell history. \
Secret Manager keeps them out of both; the deploy script creates the secrets for you.\n\
Example: `--set secrets=secret-manager`.\n\
References: cloud.google.com/run/docs/configuring/services/secrets.",
    },
    Code {
        code: "CR009",
        severity: Info,
        name: "hash-url-region",
        explanation: "What: the region cannot be read from a hash run.app URL.\n\
Why: Google documents `https://SERVICE_IDENTIFIER.run.app` and says not to parse the identifier; \
only the service name is taken from it. The deterministic URL \
`SERVICE-PROJECTNUMBER.REGION.run.app` does name the region.\n\
Example: `https://labelstudio-abc123-uc.a.run.app` gives service `labelstudio`.\n\
References: cloud.google.com/run/docs/triggering/https-request; platforms.md §1.3.",
    },
    // --- LS: Label Studio ----------------------------------------------------------------
    Code {
        code: "LS001",
        severity: Warning,
        name: "ignored-by-label-studio",
        explanation: "What: Label Studio never reads this variable.\n\
Why: Label Studio's settings (1.13.1, 1.14.0, 1.23.2) have no SECURE_PROXY_SSL_HEADER, \
USE_X_FORWARDED_HOST or USE_X_FORWARDED_PORT knob, and look up names with a `LABEL_STUDIO_` / \
`HEARTEX_` / bare prefix only, so `DJANGO_CSRF_TRUSTED_ORIGINS` is ignored too. Setting them \
changes nothing (verified: SECURE_PROXY_SSL_HEADER alone still gives 403). Even in a Django app \
that read it, SECURE_PROXY_SSL_HEADER must be a 2-tuple, not a string. The fix for Label Studio \
is CSRF_TRUSTED_ORIGINS, which ProxyTrust generates.\n\
Example: remove `USE_X_FORWARDED_HOST=true`.\n\
References: shared/knowledge/verified.md; seed-systems.md §1.1-1.2 and §10.1.",
    },
    Code {
        code: "LS002",
        severity: Error,
        name: "cookie-flag-not-integer",
        explanation: "What: a Label Studio cookie flag is not `1` or `0`.\n\
Why: Label Studio reads SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE and CSRF_COOKIE_HTTPONLY with \
`bool(int(value))`: `true` makes the server crash at start-up with `ValueError: invalid literal \
for int() with base 10: 'true'` (verified on 1.23.2).\n\
Example: `SESSION_COOKIE_SECURE=true` -> `SESSION_COOKIE_SECURE=1`.\n\
References: label_studio/core/settings/base.py:473-477 (1.23.2); verified.md.",
    },
    Code {
        code: "LS003",
        severity: Warning,
        name: "sqlite-on-ephemeral-disk",
        explanation: "What: Label Studio would keep its database in SQLite inside the container.\n\
Why: a Cloud Run instance's disk is in memory and gone when the instance stops or is replaced: \
every user, project and annotation is lost at the next scale-down or deploy. Use PostgreSQL \
(Cloud SQL or any reachable server); ProxyTrust then writes DJANGO_DB and the POSTGRE_* variables.\n\
Example: `--set database=postgres --set postgres_host=10.0.0.3`.\n\
References: cloud.google.com/run/docs/container-contract (filesystem); Label Studio \
core/settings/base.py DATABASES; seed-systems.md §1.2 and §1.8.",
    },
    Code {
        code: "LS004",
        severity: Error,
        name: "sqlite-with-several-instances",
        explanation: "What: SQLite with more than one instance.\n\
Why: each instance would have its own database, so a user created on one does not exist on the \
next; logins fail at random. Keep max instances at 1 with SQLite, or use PostgreSQL.\n\
Example: `--set max_instances=1`.\n\
References: seed-systems.md §1.8.",
    },
    Code {
        code: "LS005",
        severity: Error,
        name: "admin-email-invalid",
        explanation: "What: the initial user's name is not an e-mail address.\n\
Why: Label Studio creates the initial user with `create_user(email=USERNAME, ...)`: the \
username is the e-mail you log in with.\n\
Example: `admin@example.com`.\n\
References: label_studio/server.py (1.23.2) _create_user; seed-systems.md §1.2.",
    },
    Code {
        code: "LS006",
        severity: Info,
        name: "before-django-4",
        explanation: "What: Label Studio before 1.14 runs Django 3.2.\n\
Why: Django 3.2 has no Origin check; behind a TLS-terminating front end it skips the Referer \
check too (the request looks like plain http), so login works without CSRF_TRUSTED_ORIGINS. \
1.14.0 moved to Django 4.2, which checks `Origin` and needs the exact origins. ProxyTrust still \
writes CSRF_TRUSTED_ORIGINS in the 4.0+ form (harmless on 3.2) so an upgrade keeps working.\n\
Example: upgrading 1.13.1 -> 1.14.0 is when the 403 appears (issue #6606).\n\
References: label-studio 1.13.1 / 1.14.0 METADATA (Requires-Dist Django); seed-systems.md §1.6.",
    },
    Code {
        code: "LS007",
        severity: Warning,
        name: "version-unparsable",
        explanation: "What: retired; the engine now reports VER001 for every app.\n\
Why: the rules that depend on the version assume the newest known release.\n\
Example: `1.23.2`, `1.14`.\n\
References: seed-systems.md §1.6.",
    },
    Code {
        code: "LS008",
        severity: Error,
        name: "postgres-host-missing",
        explanation: "What: PostgreSQL is selected but no host is set.\n\
Why: Label Studio falls back to `localhost`, where no database runs inside the container.\n\
Example: `--set postgres_host=10.0.0.3`.\n\
References: Label Studio core/settings/base.py DATABASES (POSTGRE_HOST).",
    },
    Code {
        code: "LS009",
        severity: Warning,
        name: "csrf-disabled",
        explanation: "What: USE_ENFORCE_CSRF_CHECKS turns CSRF protection off.\n\
Why: with it false Label Studio skips CSRF on login and signup (its own comment says \"False is \
for tests\"); a common workaround for the 403 that trades the bug for a vulnerability. The \
generated CSRF_TRUSTED_ORIGINS fixes the 403 with protection on.\n\
Example: remove `USE_ENFORCE_CSRF_CHECKS=0`.\n\
References: label_studio/core/settings/base.py:608, core/middleware.py:24-46; seed-systems.md §1.2.",
    },
    Code {
        code: "LS010",
        severity: Warning,
        name: "nobody-can-log-in",
        explanation: "What: signup without an invite link is closed and no initial user is set.\n\
Why: with LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK on, only people with an invite link can sign \
up, and links are made by a logged-in user: without an initial user nobody can get in. Set the \
initial user's e-mail (its password is kept as a secret), or open signup.\n\
Example: `--set admin_email=admin@example.com`.\n\
References: label_studio/users/views.py:62-66, label_studio/server.py (1.23.2); seed-systems.md §1.2.",
    },
    Code {
        code: "CR010",
        severity: Info,
        name: "no-run-app-url",
        explanation: "What: none of the URLs is the service's run.app URL.\n\
Why: Cloud Run serves every service at its run.app URLs too; if anybody logs in through one of \
them, its origin must be trusted as well. Add it if it is used.\n\
Example: `https://labelstudio-123456789012.us-central1.run.app`.\n\
References: cloud.google.com/run/docs/triggering/https-request; seed-systems.md §1.8.",
    },
];

/// Every registered code: the core list above, then each app's own list ([`App::codes`]), in
/// registry order.
///
/// [`App::codes`]: crate::engine::apps::App::codes
pub fn all() -> impl Iterator<Item = &'static Code> {
    CODES
        .iter()
        .chain(
            crate::engine::apps::APPS
                .iter()
                .flat_map(|a| a.codes().iter()),
        )
        .chain(
            crate::engine::platforms::PLATFORMS
                .iter()
                .flat_map(|p| p.codes().iter()),
        )
}

pub fn lookup(code: &str) -> Option<&'static Code> {
    // Exact first: every diagnostic is made with its code as written in the tables (this runs
    // for each diagnostic on every keystroke); any case for what users type (`explain ls001`).
    all()
        .find(|c| c.code == code)
        .or_else(|| all().find(|c| c.code.eq_ignore_ascii_case(code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for c in all() {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            for part in ["What:", "Why:", "Example:", "References:"] {
                assert!(c.explanation.contains(part), "{} lacks {part}", c.code);
            }
        }
    }
}
