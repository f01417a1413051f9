//! Jupyter Server (jupyter-server/jupyter_server): the server under JupyterLab and Notebook 7,
//! run on its own (one user, token login).
//!
//! What matters behind a TLS-terminating front end:
//! * XSRF: `JupyterHandler.check_xsrf_cookie` skips the check for token-authenticated requests
//!   (`Authorization: token|bearer <t>`, regex `(token|bearer)\s+(.+)`, case-insensitive;
//!   `auth/identity.py`) and when `disable_check_xsrf` is set; otherwise Tornado's check runs and
//!   a cookie-authenticated POST without `_xsrf` fails `'_xsrf' argument missing from POST`
//!   (`base/handlers.py`; Tornado's message always says POST). From 2.17.0 the same check first
//!   compares `Origin` with `Host` (`check_origin`, #1465): a front end that rewrites `Host` gets
//!   `Blocking Cross Origin API request` and 404.
//! * `trust_xheaders` (default False): Tornado's HTTPServer reads `X-Scheme`/`X-Forwarded-Proto`
//!   and `X-Real-Ip`/`X-Forwarded-For` only when it is on (`serverapp.py`, `xheaders=`). The login
//!   cookie is `Secure` when `request.protocol == "https"` unless `secure_cookie` says otherwise
//!   (2.x `IdentityProvider.secure_cookie`; 1.x `tornado_settings["secure_cookie"]`).
//! * `ip` defaults to `localhost`; `port` to 8888 (env `JUPYTER_PORT`); `allow_remote_access` is
//!   True when `ip` is not a loopback address. The token comes from `JUPYTER_TOKEN` (1.x
//!   `ServerApp.token`, 2.x `IdentityProvider.token`, "Prior to 2.0: configured as
//!   ServerApp.token"). The cookie secret is generated into the runtime directory unless
//!   `ServerApp.cookie_secret` is set.
//! * Version rules: 2.0.0 moved authentication to the `IdentityProvider` (settings names) and
//!   accepts `bearer` as well as `token` (1.24.0: `token\s+(.+)` only); 2.17.0 added the Origin
//!   comparison to the XSRF check.
//!
//! References: shared/knowledge/seed-systems.md §2.1, §7; jupyter_server tags v1.24.0, v2.0.0,
//! v2.17.0, v2.20.0 and the 2.21.1 wheel (`serverapp.py`, `base/handlers.py`,
//! `auth/identity.py`, `auth/login.py`); tests/e2e_jupyter.rs runs the real package.

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

pub struct JupyterServer;

/// Versions read (tags of jupyter-server/jupyter_server; 2.21.1 from its PyPI wheel), newest first.
static VERSIONS: &[&str] = &["2.21.1", "2.17.0", "2.0.0", "1.24.0"];

/// `IdentityProvider` and `bearer` tokens (2.0.0).
const IDENTITY_PROVIDER_FROM: Version = Version::new(2, 0, 0);
/// `check_origin()` inside `check_xsrf_cookie` (#1465, first in v2.17.0).
const ORIGIN_IN_XSRF_FROM: Version = Version::new(2, 17, 0);

/// Jupyter's default port (`port_default_value`, serverapp.py).
const PORT: u16 = 8888;

const SRC_XSRF: &str = "jupyter_server/base/handlers.py JupyterHandler.check_xsrf_cookie, check_origin \
(v2.20.0, 2.21.1); auth/identity.py auth_header_pat; tornado/web.py check_xsrf_cookie; \
seed-systems.md §7";
const SRC_XHEADERS: &str = "jupyter_server/serverapp.py trust_xheaders (HTTPServer xheaders=), \
auth/identity.py set_login_cookie (2.x), auth/login.py set_login_cookie (1.24.0); \
tornado/httpserver.py _apply_xheaders";

const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];

static OPTIONS: &[OptionSpec] = &[OptionSpec {
    key: "disable_xsrf",
    label: "Turn off XSRF checks",
    help: "c.ServerApp.disable_check_xsrf = True: not recommended; scripts should send the token (Authorization: token ...) instead",
    kind: OptionKind::Choice(YES_NO),
    default: "no",
}];

fn yes(v: &Valid<'_>, key: &str) -> bool {
    v.opt(key).trim() == "yes"
}

fn https(v: &Valid<'_>) -> bool {
    v.origins.first().is_some_and(|o| o.scheme == "https")
}

fn newest() -> &'static str {
    VERSIONS[0]
}

fn version(v: &Valid<'_>) -> Version {
    v.version
        .or_else(|| Version::parse(newest()))
        .unwrap_or(Version::new(0, 0, 0))
}

fn parse_count(s: &str) -> Option<u32> {
    s.trim().parse::<u32>().ok()
}

fn platform_has(v: &Valid<'_>, key: &str) -> bool {
    v.platform.options().iter().any(|s| s.key == key)
}

use crate::engine::diagnostics::set_option;

fn pip_version(v: &Valid<'_>) -> String {
    let typed = v.raw.app_version.trim().trim_start_matches(['v', 'V']);
    if typed.is_empty() {
        newest().to_owned()
    } else {
        typed.to_owned()
    }
}

impl App for JupyterServer {
    fn id(&self) -> &'static str {
        "jupyter-server"
    }
    fn name(&self) -> &'static str {
        "Jupyter Server"
    }
    fn summary(&self) -> &'static str {
        "The server under JupyterLab (Tornado): '_xsrf' argument missing from POST, tokens behind a proxy"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn known_versions(&self) -> &'static [&'static str] {
        VERSIONS
    }
    fn websockets(&self) -> bool {
        // Kernel channels are WebSockets (services/kernels/websocket.py).
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
        if ver < IDENTITY_PROVIDER_FROM {
            diags.push(
                Diagnostic::new(
                    "JS002",
                    field::VERSION,
                    format!("Jupyter Server {ver} accepts only `Authorization: token ...` (not bearer) and has no IdentityProvider settings"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use Jupyter Server {}", newest()),
                    vec![FieldEdit::SetVersion {
                        value: newest().to_owned(),
                    }],
                )),
            );
        }
        if yes(v, "disable_xsrf") {
            diags.push(
                Diagnostic::new(
                    "JS001",
                    field::option("disable_xsrf"),
                    "Without XSRF checks any web page the user visits can run code in the server with their cookies; scripts should send the token instead",
                )
                .with_fix(Fix::unsafe_(
                    "Keep XSRF checks (use the token)",
                    set_option("disable_xsrf", "no"),
                )),
            );
        }
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
                    "JS003",
                    field::option("max_instances"),
                    format!("Kernels and files live in one Jupyter Server process, not up to {n} instances"),
                )
                .with_fix(Fix::unsafe_("Run one instance", edits)),
            );
        }
        for (i, extra) in v.raw.extra_env.iter().enumerate() {
            let name = extra.name.trim();
            if name == "JUPYTER_PORT" {
                diags.push(
                    Diagnostic::new(
                        "JS004",
                        field::extra(i),
                        "JUPYTER_PORT is overridden: the generated config sets c.ServerApp.port from PORT",
                    )
                    .with_fix(Fix::safe(
                        "Remove JUPYTER_PORT",
                        vec![FieldEdit::RemoveExtra { index: i }],
                    )),
                );
            }
        }
        if let Some(token) = v.raw.secrets.get("JUPYTER_TOKEN").filter(|t| !t.is_empty())
            && token.len() < 32
        {
            diags.push(Diagnostic::new(
                "JS005",
                field::secret("JUPYTER_TOKEN"),
                format!(
                    "The token is the only login for a public server: {} characters is guessable, use 32 or more",
                    token.len()
                ),
            ));
        }
    }

    fn plan(&self, v: &Valid<'_>) -> AppPlan {
        let ver = version(v);
        let origins = v.origin_strings();
        let env = vec![
            EnvVar::secret(
                "JUPYTER_TOKEN",
                SecretSpec {
                    slug: "token",
                    value: None,
                    generate: Some(SecretGen::Hex { bytes: 32 }),
                    describe: "the server's login and API token",
                },
                "The server's token: the password on the login page and the API token for scripts \
                 (`Authorization: token ...`, which skips the XSRF check). Read from this variable \
                 by the server itself. Hex, so it can go into a URL unchanged.",
                "jupyter_server/auth/identity.py IdentityProvider.token default (2.x), \
                 serverapp.py ServerApp.token default (1.24.0): JUPYTER_TOKEN",
            ),
            EnvVar::secret(
                "JUPYTER_COOKIE_SECRET",
                SecretSpec {
                    slug: "cookie-secret",
                    value: None,
                    generate: Some(SecretGen::Hex { bytes: 32 }),
                    describe: "signs the login cookie (hex)",
                },
                "Signs the login cookie. Unset, the server writes a new secret into its runtime \
                 directory inside the container, and every restart logs the user out. The \
                 generated config reads this variable (bytes.fromhex) into \
                 c.ServerApp.cookie_secret; the server itself does not read it.",
                "jupyter_server/serverapp.py cookie_secret, cookie_secret_file (v2.20.0)",
            ),
        ];
        let mut reasons = vec![
            Reason {
                subject: "c.ServerApp.trust_xheaders = True".to_owned(),
                why: "The front end ends TLS and sends X-Forwarded-Proto: https. Jupyter Server \
                      reads it only with trust_xheaders; then the request is https, the login \
                      cookie is marked Secure, and the log shows the client's address."
                    .to_owned(),
                source: SRC_XHEADERS.to_owned(),
            },
            Reason {
                subject: "Scripts: the token, not disabled XSRF".to_owned(),
                why:
                    "Requests with `Authorization: token <JUPYTER_TOKEN>` are token-authenticated \
                      and skip the XSRF check; only cookie-authenticated requests need `_xsrf`. \
                      Turning XSRF off lets any page the user visits post to the server with their \
                      cookies."
                        .to_owned(),
                source: SRC_XSRF.to_owned(),
            },
            Reason {
                subject: "One instance".to_owned(),
                why: "Kernels run as children of the server process and are tracked in its memory \
                      (MappingKernelManager); another instance has none of them."
                    .to_owned(),
                source: "jupyter_server/services/kernels/kernelmanager.py MappingKernelManager"
                    .to_owned(),
            },
        ];
        if ver >= ORIGIN_IN_XSRF_FROM {
            reasons.push(Reason {
                subject: "Host must reach the server unchanged".to_owned(),
                why: "From 2.17.0 the XSRF check also compares the browser's Origin with the Host \
                      header; a front end that rewrites Host makes every cookie-authenticated API \
                      call fail (404, 'Blocking Cross Origin API request'). Cloud Run passes the \
                      public Host through."
                    .to_owned(),
                source: "jupyter_server/base/handlers.py check_xsrf_cookie (#1465, v2.17.0); \
                         platforms.md §1.4"
                    .to_owned(),
            });
        }
        AppPlan {
            env,
            container_port: PORT,
            image: String::new(),
            snippet: Snippet {
                title: "jupyter_server_config.py".to_owned(),
                language: "python",
                filename: "jupyter_server_config.py".to_owned(),
                body: snippet(v, ver, &origins),
            },
            verify: verify_script(&origins),
            reasons,
        }
    }
}

fn snippet(v: &Valid<'_>, ver: Version, origins: &[String]) -> String {
    let public = origins
        .first()
        .cloned()
        .unwrap_or_else(|| "https://SERVER".to_owned());
    let mut s = format!(
        "# Jupyter Server {ver} behind {}: TLS ends at the front end.\n\
         #\n\
         # Deploy it from a folder holding this file and a Dockerfile such as:\n\
         #\n\
         #   FROM python:3.12-slim\n\
         #   RUN python3 -m pip install --no-cache-dir jupyter-server=={}\n\
         #   COPY jupyter_server_config.py /etc/jupyter/jupyter_server_config.py\n\
         #   CMD [\"jupyter\", \"server\"]\n\
         #\n\
         # (add jupyterlab for the JupyterLab interface).\n\n",
        v.platform.name(),
        pip_version(v)
    );
    s.push_str("import os\n\n");
    s.push_str("c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)\n\n");
    s.push_str(
        "# Listen on every interface, on the port the platform gives (PORT).\n\
         c.ServerApp.ip = \"0.0.0.0\"\n\
         c.ServerApp.port = int(os.environ.get(\"PORT\", \"8888\"))\n\
         c.ServerApp.open_browser = False\n\n",
    );
    s.push_str(
        "# Trust X-Forwarded-Proto / X-Forwarded-For from the front end: requests are\n\
         # https, so the login cookie is Secure.\n\
         c.ServerApp.trust_xheaders = True\n",
    );
    if https(v) {
        if ver >= IDENTITY_PROVIDER_FROM {
            s.push_str("c.IdentityProvider.secure_cookie = True\n");
        } else {
            s.push_str("c.ServerApp.tornado_settings = {\"secure_cookie\": True}\n");
        }
    }
    s.push_str(
        "\n# The login cookie survives restarts: one secret from the environment.\n\
         c.ServerApp.cookie_secret = bytes.fromhex(os.environ[\"JUPYTER_COOKIE_SECRET\"])\n",
    );
    s.push_str(
        "\n# The token (the login password and the API token) comes from JUPYTER_TOKEN,\n\
         # which the server reads itself.\n",
    );
    if yes(v, "disable_xsrf") {
        s.push_str(
            "\n# NOT RECOMMENDED: cookie-authenticated requests without an _xsrf token are\n\
             # accepted, so any web page the user visits can run code here. Send the token\n\
             # from scripts instead (below).\n\
             c.ServerApp.disable_check_xsrf = True\n",
        );
    } else {
        s.push_str("\n# XSRF checks stay on: pages send _xsrf, scripts send the token.\n");
    }
    s.push_str(&format!(
        "\n# Scripts and extensions: call the REST API with the token. Requests with\n\
         # `Authorization: token <token>` skip the XSRF check.\n\
         #\n\
         # --- client ---\n\
         #   import json\n\
         #   import os\n\
         #   import urllib.request\n\
         #\n\
         #   SERVER = {}\n\
         #\n\
         #   def server_api(method, path, body=None):\n\
         #       req = urllib.request.Request(\n\
         #           SERVER + path,\n\
         #           method=method,\n\
         #           data=None if body is None else json.dumps(body).encode(),\n\
         #           headers={{\n\
         #               \"Authorization\": \"token \" + os.environ[\"JUPYTER_TOKEN\"],\n\
         #               \"Content-Type\": \"application/json\",\n\
         #           }},\n\
         #       )\n\
         #       with urllib.request.urlopen(req) as resp:\n\
         #           return resp.status, json.loads(resp.read() or b\"null\")\n\
         #\n\
         #   # e.g. create a notebook:\n\
         #   # server_api(\"POST\", \"/api/contents\", {{\"type\": \"notebook\"}})\n\
         # --- end client ---\n",
        str_literal(&public)
    ));
    s
}

/// The verify script: the server answers, the token works without `_xsrf`, and the login cookie
/// is Secure.
fn verify_script(origins: &[String]) -> Script {
    let mut s = Script::default();
    s.comment("Checks the deployed Jupyter Server (needs curl).");
    s.comment("Good: every line starts with \"good:\". Bad: a \"BAD:\" line says what to change.");
    s.comment("Export JUPYTER_TOKEN (the secret) first to check the token and the login.");
    s.raw("set -u");
    if origins.is_empty() {
        s.raw("echo 'BAD: no public URL was given to ProxyTrust'");
        return s;
    }
    let list: Vec<String> = origins.iter().map(|o| quote(o)).collect();
    s.raw(format!("origins=({})", list.join(" ")));
    s.raw("for origin in \"${origins[@]}\"; do");
    s.comment("1. GET /api answers with the version, without login.");
    s.raw("version=\"$(curl -sS \"$origin/api\" | sed -n 's/.*\"version\": *\"\\([^\"]*\\)\".*/\\1/p')\"");
    s.raw("if [ -n \"$version\" ]; then echo \"good: $origin runs Jupyter Server $version\"; else echo \"BAD: $origin/api gave no version: is the server listening on 0.0.0.0:\\$PORT?\"; fi");
    s.raw("if [ -n \"${JUPYTER_TOKEN:-}\" ]; then");
    s.comment("2. A token-authenticated POST needs no _xsrf. The folder does not exist, so 404");
    s.comment("means the request passed the XSRF check; 403 means it did not.");
    s.raw("status=\"$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H \"Authorization: token $JUPYTER_TOKEN\" \\\n    -H 'Content-Type: application/json' --data '{}' \"$origin/api/contents/proxytrust-verify-missing\")\"");
    s.raw("case \"$status\" in 404) echo \"good: $origin accepts token requests without _xsrf\" ;; *) echo \"BAD: $origin token POST gave HTTP $status\" ;; esac");
    s.comment(
        "3. Log in with the token as a browser does: the login cookie must be Secure on https.",
    );
    s.raw("jar=\"$(mktemp)\"");
    s.raw("headers=\"$(mktemp)\"");
    s.raw("xsrf=\"$(curl -sS -c \"$jar\" -o /dev/null -D - \"$origin/login\" | tr -d '\\r' | sed -n 's/^[Ss]et-[Cc]ookie: *_xsrf=\\([^;]*\\).*/\\1/p' | head -n 1)\"");
    s.raw("curl -sS -o /dev/null -b \"$jar\" -c \"$jar\" -D \"$headers\" -H \"Origin: $origin\" -H \"Referer: $origin/login\" \\\n    --data-urlencode \"_xsrf=$xsrf\" --data-urlencode \"password=$JUPYTER_TOKEN\" \"$origin/login\"");
    s.raw("cookie=\"$(grep -i '^set-cookie: *username-' \"$headers\" | head -n 1 | tr -d '\\r' | tr '[:upper:]' '[:lower:]')\"");
    s.raw("if [ -z \"$cookie\" ]; then");
    s.raw("echo \"BAD: $origin login set no login cookie (wrong token, or a proxy drops Set-Cookie)\"");
    s.raw("else");
    s.raw("case \"$origin\" in https://*) case \"$cookie\" in *'; secure'*) echo \"good: $origin login cookie is Secure\" ;; *) echo \"BAD: $origin login cookie is not Secure: set c.ServerApp.trust_xheaders = True\" ;; esac ;; *) echo \"good: $origin login works\" ;; esac");
    s.comment("4. The same cookie without _xsrf is refused: XSRF protection is on.");
    s.raw("status=\"$(curl -sS -o /dev/null -w '%{http_code}' -X POST -b \"$jar\" -H \"Origin: $origin\" \\\n    -H 'Content-Type: application/json' --data '{}' \"$origin/api/contents/proxytrust-verify-missing\")\"");
    s.raw("case \"$status\" in 403) echo \"good: $origin refuses cookie requests without _xsrf\" ;; 404) echo \"BAD: $origin accepts cookie requests without _xsrf (disable_check_xsrf is on)\" ;; *) echo \"BAD: $origin cookie POST gave HTTP $status\" ;; esac");
    s.raw("fi");
    s.raw("rm -f \"$jar\" \"$headers\"");
    s.raw("else");
    s.raw("echo \"skipped: export JUPYTER_TOKEN to check token requests and the login cookie\"");
    s.raw("fi");
    s.raw("done");
    s
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "JS001",
        severity: Warning,
        name: "xsrf-disabled",
        explanation: "What: cookie-authenticated requests would be accepted without an `_xsrf` token \
(`c.ServerApp.disable_check_xsrf = True`).\n\
Why: the browser sends the login cookie with requests any web page makes to the server, so any \
page the user visits could create files and run code. Scripts do not need it: requests with \
`Authorization: token <token>` skip the check (its help: API requests must originate from pages \
served by this server or authenticate with a token).\n\
Example: keep `disable_xsrf=no`; send `Authorization: token $JUPYTER_TOKEN`.\n\
References: jupyter_server/serverapp.py disable_check_xsrf; base/handlers.py check_xsrf_cookie; \
seed-systems.md §7.",
    },
    Code {
        code: "JS002",
        severity: Info,
        name: "jupyter-server-1",
        explanation: "What: Jupyter Server 1.x.\n\
Why: 1.x accepts only `Authorization: token <t>` (regex `token\\s+(.+)`); `bearer` arrived with \
the IdentityProvider in 2.0.0. The Secure flag of the login cookie is the `secure_cookie` Tornado \
setting there, not `IdentityProvider.secure_cookie`. ProxyTrust writes the 1.x names.\n\
Example: `2.21.1`.\n\
References: jupyter_server/auth/login.py (v1.24.0); auth/identity.py (v2.0.0).",
    },
    Code {
        code: "JS003",
        severity: Error,
        name: "several-instances",
        explanation: "What: the platform may run more than one instance.\n\
Why: kernels are child processes of one server and are tracked in its memory; files live on \
its disk. A request or WebSocket that reaches another instance finds no kernel.\n\
Example: `--set max_instances=1`.\n\
References: jupyter_server/services/kernels/kernelmanager.py MappingKernelManager.",
    },
    Code {
        code: "JS004",
        severity: Warning,
        name: "jupyter-port-overridden",
        explanation: "What: JUPYTER_PORT is set as an extra variable.\n\
Why: the generated config sets `c.ServerApp.port` from PORT (what the platform gives), which \
wins over the JUPYTER_PORT default.\n\
Example: remove JUPYTER_PORT.\n\
References: jupyter_server/serverapp.py port (env JUPYTER_PORT).",
    },
    Code {
        code: "JS005",
        severity: Warning,
        name: "short-token",
        explanation: "What: the JUPYTER_TOKEN you gave is short.\n\
Why: on a public server the token is the only login (and the API key); Jupyter generates 24 \
random bytes when it makes one.\n\
Example: `openssl rand -hex 32`.\n\
References: jupyter_server/auth/identity.py _token_default.",
    },
];

/// Messages Jupyter Server prints itself. Tornado's XSRF messages (which Jupyter Server passes
/// through) are in the `tornado` module.
static SIGNATURES: &[Signature] = &[
    Signature {
        id: "jupyter-server-blocking-cross-origin",
        pattern: r"Blocking Cross Origin API request for \S+\.\s+Origin: (?P<origin>https?://[^\s,]+), Host: \S+",
        apps: &["jupyter-server"],
        emitter: "Jupyter Server's origin check (base/handlers.py JupyterHandler.check_origin)",
        cause: "The browser's Origin does not match the Host header the server received: a front \
                end rewrote Host (e.g. to the container's address), or the page is on another \
                site. From 2.17 the XSRF check runs this comparison too, so every \
                cookie-authenticated API call fails.",
        fix: "Pass the public Host through to the server (Cloud Run does), or allow the origin \
              with c.ServerApp.allow_origin = 'https://…'; scripts should send the token.",
        references: "jupyter_server/base/handlers.py check_origin, check_xsrf_cookie (v2.20.0); \
                     seed-systems.md §2.4",
    },
    Signature {
        id: "jupyter-server-xsrf-argument-missing",
        pattern: r"ServerApp\] 403 [A-Z]+ \S+ \([^)]*\): '_xsrf' argument missing from POST",
        apps: &["jupyter-server"],
        emitter: "Jupyter Server's XSRF check (Tornado's message, always 'POST')",
        cause: "A cookie-authenticated request that changes something (POST, PUT, PATCH, DELETE) \
                came without the _xsrf token: a script or extension using the browser's login \
                cookie, or a page that does not send X-XSRFToken.",
        fix: "Scripts: send Authorization: token <JUPYTER_TOKEN>, which skips the check; pages: \
              send the _xsrf cookie's value in X-XSRFToken. Turning XSRF off is not needed.",
        references: "jupyter_server/base/handlers.py check_xsrf_cookie; tornado/web.py \
                     check_xsrf_cookie; seen in tests/e2e_jupyter.rs (Jupyter Server 2.21.1)",
    },
    Signature {
        id: "jupyter-server-blocking-non-local-host",
        pattern: r"Blocking request with non-local 'Host' \S+ \(\S+\)\. If the server should be accessible at that name, set ServerApp\.allow_remote_access to disable the check\.",
        apps: &["jupyter-server"],
        emitter: "Jupyter Server's Host check (base/handlers.py JupyterHandler.check_host)",
        cause: "The server listens on a loopback address, so allow_remote_access defaults to \
                False and requests for the public host name are refused (DNS-rebinding \
                protection).",
        fix: "Listen on 0.0.0.0 (ProxyTrust's config does; allow_remote_access is then True) or \
              set c.ServerApp.allow_remote_access = True.",
        references: "jupyter_server/base/handlers.py check_host; serverapp.py allow_remote_access \
                     (v2.20.0)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diagnose::diagnose;
    use crate::engine::generate;
    use crate::engine::inputs::{ExtraVar, RawInputs};
    use crate::engine::test_support::{self, block, codes};

    const URL: &str = "https://lab-abc123-uc.a.run.app";

    fn raw(opts: &[(&str, &str)]) -> RawInputs {
        test_support::inputs(
            "jupyter-server",
            "cloud-run",
            &[URL],
            &[&[("service", "lab"), ("region", "us-central1")], opts],
        )
    }

    #[test]
    fn newest_on_cloud_run_is_clean_and_exact() {
        let g = generate(&raw(&[]));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        let names: Vec<(&str, bool)> = g.env.iter().map(|e| (e.name.as_str(), e.secret)).collect();
        assert!(names.contains(&("JUPYTER_TOKEN", true)));
        assert!(names.contains(&("JUPYTER_COOKIE_SECRET", true)));
        let snippet = block(&g, "snippet");
        for line in [
            "c.ServerApp.ip = \"0.0.0.0\"",
            "c.ServerApp.trust_xheaders = True",
            "c.IdentityProvider.secure_cookie = True",
            "jupyter-server==2.21.1",
            "\"Authorization\": \"token \"",
            &format!("SERVER = \"{URL}\""),
        ] {
            assert!(snippet.contains(line), "{line}: {snippet}");
        }
        assert!(!snippet.contains("disable_check_xsrf = True"));
        let deploy = block(&g, "deploy");
        assert!(
            deploy.contains("--port=8888") && deploy.contains("--source=."),
            "{deploy}"
        );
        assert!(JupyterServer.websockets());
    }

    #[test]
    fn version_and_options() {
        let mut r = raw(&[("disable_xsrf", "yes"), ("max_instances", "2")]);
        r.app_version = "1.24.0".into();
        r.extra_env.push(ExtraVar {
            name: "JUPYTER_PORT".into(),
            value: "9999".into(),
        });
        r.secrets.insert("JUPYTER_TOKEN".into(), "abc".into());
        let g = generate(&r);
        let c = codes(&g);
        for code in ["JS001", "JS002", "JS003", "JS004", "JS005"] {
            assert!(c.contains(&code), "{code}: {c:?}");
        }
        let snippet = block(&g, "snippet");
        assert!(snippet.contains("c.ServerApp.tornado_settings = {\"secure_cookie\": True}"));
        assert!(snippet.contains("c.ServerApp.disable_check_xsrf = True"));
        assert!(!snippet.contains("IdentityProvider"));
        // Fixes remove their diagnostic and add no error.
        for d in g.diagnostics.iter().filter(|d| d.code.starts_with("JS")) {
            for fix in &d.fixes {
                let mut fixed = r.clone();
                fix.apply(&mut fixed);
                let after = generate(&fixed).diagnostics;
                assert!(!after.iter().any(|a| a.code == d.code));
                assert!(
                    after
                        .iter()
                        .filter(|a| a.severity == Severity::Error)
                        .all(|a| c.contains(&a.code))
                );
            }
        }
    }

    #[test]
    /// The explanations (What / Why / Example / References) are checked for every module's
    /// codes in diagnostics/codes.rs.
    fn codes_have_the_module_prefix() {
        for c in CODES {
            assert!(c.code.starts_with("JS"), "{}", c.code);
        }
    }

    #[test]
    fn samples_are_recognised() {
        let text = "[W 2025-06-01 10:00:00.000 ServerApp] Blocking Cross Origin API request for /api/contents.  Origin: https://lab.example.org, Host: 127.0.0.1:8888";
        let found = diagnose(text, &RawInputs::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].signature, "jupyter-server-blocking-cross-origin");
        assert!(found[0].edits.iter().any(
            |e| matches!(e, FieldEdit::AddUrl { value } if value == "https://lab.example.org")
        ));
        let text = "[W 2025-06-01 10:00:00.000 ServerApp] Blocking request with non-local 'Host' lab.example.org (lab.example.org). If the server should be accessible at that name, set ServerApp.allow_remote_access to disable the check.";
        let found = diagnose(text, &RawInputs::default());
        assert_eq!(found[0].signature, "jupyter-server-blocking-non-local-host");
    }
}
