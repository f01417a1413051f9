//! Tornado (tornadoweb/tornado), the framework for your own code (and the base of Jupyter Server
//! and JupyterHub).
//!
//! What matters behind a TLS-terminating front end:
//! * `xsrf_cookies=True` makes `RequestHandler._execute` call `check_xsrf_cookie()` for every
//!   method but GET, HEAD and OPTIONS. The token comes from the `_xsrf` argument or the
//!   `X-XSRFToken` / `X-CSRFToken` header and must match the XSRF cookie; the errors are
//!   `'_xsrf' argument missing from POST` (whatever the method), `'_xsrf' argument has invalid
//!   format` and `XSRF cookie does not match POST argument` (`tornado/web.py`). The token is not
//!   signed with `cookie_secret`, so it works across instances; signed login cookies
//!   (`set_signed_cookie`) need the same `cookie_secret` everywhere.
//! * `xsrf_cookie_kwargs` (4.3+) passes cookie attributes (`secure`, `samesite`, ...) to
//!   `set_cookie`; `xsrf_cookie_name` (6.3+) allows the `__Host-` prefix, which needs https
//!   (docs/releases/v6.3.0.rst). Page JavaScript reads the cookie to send `X-XSRFToken`, so it must
//!   not be HttpOnly.
//! * `HTTPServer(xheaders=True)` takes `remote_ip` from `X-Forwarded-For` (walking from the right,
//!   skipping `trusted_downstream`, 4.5+) or `X-Real-Ip`, and `protocol` from `X-Scheme` or the
//!   last `X-Forwarded-Proto` entry (`tornado/httpserver.py::_apply_xheaders`). Without it every
//!   request behind the front end is `http` from the front end's address, and URLs built from the
//!   request (`full_url()`, OAuth `redirect_uri`) say `http://`.
//! * Versions: 6.3.0 renamed `get/set_secure_cookie` to `get/set_signed_cookie` (old names kept as
//!   deprecated aliases) and added `xsrf_cookie_name`; 6.5.5 validates `set_cookie`'s `domain`,
//!   `path` and `samesite` (attribute injection), after the 6.5.0 and 6.5.3 security fixes.
//!
//! References: shared/knowledge/seed-systems.md §7; tornado v6.2.0, v6.4.0, v6.5.1 `web.py` and
//! `httpserver.py`, docs/releases/v4.3.0, v4.5.0, v6.3.0, v6.5.0, v6.5.3, v6.5.5;
//! tests/e2e_jupyter.rs runs the generated settings on the real package.

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

pub struct Tornado;

/// Versions read (tags of tornadoweb/tornado), newest first.
static VERSIONS: &[&str] = &["6.5.7", "6.4.2", "6.2.0"];

/// `get/set_signed_cookie` and `xsrf_cookie_name` (docs/releases/v6.3.0.rst).
const SIGNED_COOKIE_FROM: Version = Version::new(6, 3, 0);
/// `set_cookie` validates `domain`, `path`, `samesite` (docs/releases/v6.5.5.rst).
const COOKIE_VALIDATION_FROM: Version = Version::new(6, 5, 5);

/// Your code listens on `PORT` (Cloud Run's default port is 8080).
const PORT: u16 = 8080;

const SRC_XSRF: &str = "tornado/web.py RequestHandler._execute, check_xsrf_cookie, xsrf_token \
(v6.5.1); seed-systems.md §7";
const SRC_XHEADERS: &str = "tornado/httpserver.py HTTPServer xheaders, trusted_downstream, \
_apply_xheaders (v6.5.1); docs/releases/v4.5.0.rst; seed-systems.md §7";

const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];
const SAME_SITE: &[(&str, &str)] = &[("Lax", "Lax"), ("Strict", "Strict")];

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "api_token",
        label: "API token for scripts",
        help: "Requests with Authorization: token <API_TOKEN> skip the XSRF check (no cookie is involved)",
        kind: OptionKind::Choice(YES_NO),
        default: "yes",
    },
    OptionSpec {
        key: "same_site",
        label: "XSRF cookie SameSite",
        help: "SameSite of the XSRF cookie (xsrf_cookie_kwargs)",
        kind: OptionKind::Choice(SAME_SITE),
        default: "Lax",
    },
    OptionSpec {
        key: "trusted_downstream",
        label: "Trusted proxy addresses",
        help: "HTTPServer trusted_downstream: exact IP addresses skipped in X-Forwarded-For, comma-separated",
        kind: OptionKind::Text,
        default: "",
    },
];

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

fn trusted(v: &Valid<'_>) -> Vec<String> {
    v.opt("trusted_downstream")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The XSRF cookie's name: `__Host-xsrf` on https with 6.3+, else Tornado's `_xsrf`.
fn cookie_name(v: &Valid<'_>, ver: Version) -> &'static str {
    if https(v) && ver >= SIGNED_COOKIE_FROM {
        "__Host-xsrf"
    } else {
        "_xsrf"
    }
}

fn same_site(v: &Valid<'_>) -> &'static str {
    if v.opt("same_site").trim().eq_ignore_ascii_case("strict") {
        "Strict"
    } else {
        "Lax"
    }
}

impl App for Tornado {
    fn id(&self) -> &'static str {
        "tornado"
    }
    fn name(&self) -> &'static str {
        "Tornado"
    }
    fn summary(&self) -> &'static str {
        "Python web framework (your own code): xsrf_cookies and xheaders behind a proxy"
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
        let ver = version(v);
        let upgrade = Fix::unsafe_(
            format!("Use Tornado {}", newest()),
            vec![FieldEdit::SetVersion {
                value: newest().to_owned(),
            }],
        );
        if ver < SIGNED_COOKIE_FROM {
            diags.push(
                Diagnostic::new(
                    "TOR002",
                    field::VERSION,
                    format!("Tornado {ver} has no xsrf_cookie_name and names signed cookies set_secure_cookie: the XSRF cookie stays _xsrf"),
                )
                .with_fix(upgrade.clone()),
            );
        }
        if ver < COOKIE_VALIDATION_FROM {
            diags.push(
                Diagnostic::new(
                    "TOR003",
                    field::VERSION,
                    format!("Tornado {ver} lacks the cookie attribute validation and DoS fixes of 6.5.0-6.5.5: use 6.5.5 or newer"),
                )
                .with_fix(upgrade),
            );
        }
        let ips = trusted(v);
        let bad: Vec<&str> = ips
            .iter()
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_err())
            .map(String::as_str)
            .collect();
        if !bad.is_empty() {
            let good: Vec<&str> = ips
                .iter()
                .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
                .map(String::as_str)
                .collect();
            diags.push(
                Diagnostic::new(
                    "TOR004",
                    field::option("trusted_downstream"),
                    format!(
                        "Trusted proxy addresses must be single IP addresses (Tornado compares whole addresses): {}",
                        bad.join(", ")
                    ),
                )
                .with_fix(Fix::unsafe_(
                    "Keep only the IP addresses",
                    vec![FieldEdit::SetOption {
                        key: "trusted_downstream".into(),
                        value: good.join(","),
                    }],
                )),
            );
        }
    }

    fn plan(&self, v: &Valid<'_>) -> AppPlan {
        let ver = version(v);
        let origins = v.origin_strings();
        let mut env = vec![EnvVar::secret(
            "TORNADO_COOKIE_SECRET",
            SecretSpec {
                slug: "cookie-secret",
                value: None,
                generate: Some(SecretGen::Text { bytes: 48 }),
                describe: "signs login cookies; the same on every instance",
            },
            "Tornado's cookie_secret: signs cookies set with set_signed_cookie (your login). One \
             value for every instance and every restart, or logins break when a request reaches \
             another instance. The snippet reads it (the name is yours to keep or change).",
            "tornado/web.py create_signed_value, Application cookie_secret (v6.5.1)",
        )];
        if yes(v, "api_token") {
            env.push(EnvVar::secret(
                "API_TOKEN",
                SecretSpec {
                    slug: "api-token",
                    value: None,
                    generate: Some(SecretGen::Hex { bytes: 32 }),
                    describe: "token scripts send as Authorization: token ...",
                },
                "The token scripts send as `Authorization: token <API_TOKEN>`. The snippet's \
                 check_xsrf_cookie skips the XSRF check for a request that carries it: a cross-site \
                 page cannot, since no cookie is involved (the same rule as Jupyter Server and \
                 JupyterHub).",
                "jupyter_server/base/handlers.py check_xsrf_cookie (token_authenticated); \
                 tornado/web.py check_xsrf_cookie",
            ));
        }
        let mut reasons = vec![
            Reason {
                subject: "xheaders=True".to_owned(),
                why: "The front end ends TLS and forwards plain http with X-Forwarded-Proto and \
                      X-Forwarded-For. With xheaders Tornado reports the request as https from the \
                      client's address, so URLs your code builds from the request \
                      (self.request.full_url(), OAuth redirect_uri) say https://."
                    .to_owned(),
                source: SRC_XHEADERS.to_owned(),
            },
            Reason {
                subject: "xsrf_cookies=True and the X-XSRFToken header".to_owned(),
                why: "Every POST, PUT, PATCH and DELETE needs the token: forms include \
                      {% module xsrf_form_html() %}, page JavaScript copies the XSRF cookie into \
                      X-XSRFToken (so the cookie is not HttpOnly). Otherwise Tornado answers 403 \
                      '_xsrf' argument missing from POST, whatever the method."
                    .to_owned(),
                source: SRC_XSRF.to_owned(),
            },
        ];
        if https(v) {
            reasons.push(Reason {
                subject: format!("XSRF cookie {}", cookie_name(v, ver)),
                why: if ver >= SIGNED_COOKIE_FROM {
                    "Secure, and named with the __Host- prefix (xsrf_cookie_name, Tornado 6.3+): \
                     browsers keep it for this host only, on https, for path /."
                        .to_owned()
                } else {
                    "Secure. Tornado before 6.3 has no xsrf_cookie_name, so it keeps the name \
                     _xsrf."
                        .to_owned()
                },
                source: "docs/releases/v6.3.0.rst (xsrf_cookie_name, __Host- example); \
                         tornado/web.py xsrf_token"
                    .to_owned(),
            });
        }
        AppPlan {
            env,
            container_port: PORT,
            image: String::new(),
            snippet: Snippet {
                title: "Tornado settings and server (proxytrust_tornado.py)".to_owned(),
                language: "python",
                filename: "proxytrust_tornado.py".to_owned(),
                body: snippet(v, ver),
            },
            verify: verify_script(&origins, yes(v, "api_token")),
            reasons,
        }
    }
}

fn snippet(v: &Valid<'_>, ver: Version) -> String {
    let secure = https(v);
    let name = cookie_name(v, ver);
    let signed = if ver >= SIGNED_COOKIE_FROM {
        "get_signed_cookie"
    } else {
        "get_secure_cookie"
    };
    let setter = if ver >= SIGNED_COOKIE_FROM {
        "set_signed_cookie"
    } else {
        "set_secure_cookie"
    };
    let mut s = format!(
        "# Tornado {ver} behind {}: TLS ends at the front end.\n\
         # Import this module from your application:\n\
         #\n\
         #   from proxytrust_tornado import SETTINGS, BaseHandler, serve\n\
         #   app = tornado.web.Application([(r\"/\", MainHandler)], **SETTINGS)\n\
         #   serve(app)\n\
         #   tornado.ioloop.IOLoop.current().start()\n\n",
        v.platform.name()
    );
    s.push_str("import hmac\nimport os\n\nimport tornado.httpserver\nimport tornado.web\n\n");
    let api = yes(v, "api_token");
    if api {
        s.push_str(
            "# Scripts send this token as `Authorization: token <API_TOKEN>`.\n\
             API_TOKEN = os.environ.get(\"API_TOKEN\", \"\")\n\n",
        );
    }
    s.push_str("SETTINGS = {\n");
    s.push_str(&format!(
        "    # Signs cookies set with {setter} (your login); the same on every instance.\n\
         \x20   \"cookie_secret\": os.environ[\"TORNADO_COOKIE_SECRET\"],\n"
    ));
    s.push_str(
        "    # POST, PUT, PATCH and DELETE need the token: the _xsrf form field or the\n\
         \x20   # X-XSRFToken header.\n\
         \x20   \"xsrf_cookies\": True,\n",
    );
    if name != "_xsrf" {
        s.push_str(&format!(
            "    # The __Host- prefix: this host only, https only, path /.\n\
             \x20   \"xsrf_cookie_name\": {},\n",
            str_literal(name)
        ));
    }
    s.push_str(&format!(
        "    # Not HttpOnly: page JavaScript reads it to send X-XSRFToken.\n\
         \x20   \"xsrf_cookie_kwargs\": {{{}\"samesite\": {}}},\n",
        if secure { "\"secure\": True, " } else { "" },
        str_literal(same_site(v))
    ));
    s.push_str("}\n\n\n");
    s.push_str("class BaseHandler(tornado.web.RequestHandler):\n");
    s.push_str("    \"\"\"Base class for your handlers.\"\"\"\n\n");
    if api {
        s.push_str(
            "    def api_token_ok(self):\n\
             \x20       \"\"\"True when the request carries API_TOKEN (Authorization: token|bearer).\"\"\"\n\
             \x20       scheme, _, value = self.request.headers.get(\"Authorization\", \"\").partition(\" \")\n\
             \x20       if not API_TOKEN or scheme.lower() not in (\"token\", \"bearer\"):\n\
             \x20           return False\n\
             \x20       return hmac.compare_digest(value.strip().encode(), API_TOKEN.encode())\n\n\
             \x20   def check_xsrf_cookie(self):\n\
             \x20       # A token request uses no cookie, so a cross-site page cannot forge it.\n\
             \x20       if self.api_token_ok():\n\
             \x20           return\n\
             \x20       super().check_xsrf_cookie()\n\n",
        );
    }
    s.push_str("    def get_current_user(self):\n");
    if api {
        s.push_str("        if self.api_token_ok():\n            return \"api\"\n");
    }
    s.push_str(&format!(
        "        # Your login handler sets it with self.{setter}(\"user\", name).\n\
         \x20       return self.{signed}(\"user\")\n\n\n"
    ));
    let ips: Vec<String> = trusted(v)
        .iter()
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
        .map(|ip| str_literal(ip))
        .collect();
    s.push_str(
        "def serve(app, port=None, address=\"\"):\n\
         \x20   \"\"\"Listen on PORT (every interface by default), trusting the front end's\n\
         \x20   X-Forwarded-Proto and X-Forwarded-For.\"\"\"\n\
         \x20   server = tornado.httpserver.HTTPServer(\n\
         \x20       app,\n\
         \x20       xheaders=True,\n",
    );
    if !ips.is_empty() {
        s.push_str(&format!(
            "        trusted_downstream=[{}],\n",
            ips.join(", ")
        ));
    }
    s.push_str(
        "    )\n\
         \x20   server.listen(int(port or os.environ.get(\"PORT\", \"8080\")), address)\n\
         \x20   return server\n",
    );
    s.push_str(&format!(
        "\n\n# In your pages (the XSRF cookie is readable by JavaScript):\n\
         #\n\
         #   const xsrf = decodeURIComponent(\n\
         #     document.cookie.match(/(?:^|; ){}=([^;]*)/)[1]);\n\
         #   fetch(\"/api/items\", {{method: \"POST\", headers: {{\"X-XSRFToken\": xsrf}},\n\
         #                         body: JSON.stringify(item)}});\n\
         #\n\
         # and in forms: {{% module xsrf_form_html() %}}\n",
        name
    ));
    s
}

fn verify_script(origins: &[String], api: bool) -> Script {
    let mut s = Script::default();
    s.comment("Checks the deployed app's XSRF protection (needs curl).");
    s.comment("Good: every line starts with \"good:\". Bad: a \"BAD:\" line says what to change.");
    if api {
        s.comment("Export API_TOKEN (the secret) to check the token path.");
    }
    s.raw("set -u");
    if origins.is_empty() {
        s.raw("echo 'BAD: no public URL was given to ProxyTrust'");
        return s;
    }
    let list: Vec<String> = origins.iter().map(|o| quote(o)).collect();
    s.raw(format!("origins=({})", list.join(" ")));
    s.raw("for origin in \"${origins[@]}\"; do");
    s.comment("1. A POST with no token is refused (403) by every handler: XSRF is on.");
    s.raw("status=\"$(curl -sS -o /dev/null -w '%{http_code}' -X POST \"$origin/\")\"");
    s.raw("case \"$status\" in 403) echo \"good: $origin refuses POST without _xsrf\" ;; 404) echo \"skipped: $origin/ has no handler; try a path of yours\" ;; *) echo \"BAD: $origin POST without _xsrf gave HTTP $status: is xsrf_cookies on?\" ;; esac");
    if api {
        s.comment("2. The same POST with the API token passes the XSRF check (anything but 403).");
        s.raw("if [ -n \"${API_TOKEN:-}\" ]; then");
        s.raw("status=\"$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H \"Authorization: token $API_TOKEN\" \"$origin/\")\"");
        s.raw("case \"$status\" in 403) echo \"BAD: $origin refused the API token\" ;; *) echo \"good: $origin token POST passed the XSRF check (HTTP $status)\" ;; esac");
        s.raw("else");
        s.raw("echo \"skipped: export API_TOKEN to check the token path\"");
        s.raw("fi");
    }
    s.raw("done");
    s
}

use Severity::{Error, Info, Warning};

static CODES: &[Code] = &[
    Code {
        code: "TOR002",
        severity: Info,
        name: "before-signed-cookie-names",
        explanation: "What: Tornado older than 6.3.\n\
Why: 6.3.0 added `xsrf_cookie_name` (for the `__Host-` prefix) and renamed \
`get_secure_cookie`/`set_secure_cookie` to `get_signed_cookie`/`set_signed_cookie` (the old names \
stay as deprecated aliases). ProxyTrust writes the old names and keeps the cookie name `_xsrf`.\n\
Example: `6.5.7`.\n\
References: tornado docs/releases/v6.3.0.rst; tornado/web.py (v6.2.0).",
    },
    Code {
        code: "TOR003",
        severity: Warning,
        name: "security-fixes-missing",
        explanation: "What: Tornado older than 6.5.5.\n\
Why: 6.5.5 validates the `domain`, `path` and `samesite` arguments of `set_cookie` (they could \
inject other cookie attributes) and limits multipart parts; 6.5.0 (CVE-2025-47287) and 6.5.3 \
(CVE-2025-67724/67725/67726) fixed denial-of-service and header-injection bugs.\n\
Example: `6.5.7`.\n\
References: tornado docs/releases/v6.5.0.rst, v6.5.3.rst, v6.5.5.rst.",
    },
    Code {
        code: "TOR004",
        severity: Error,
        name: "trusted-downstream-not-an-address",
        explanation: "What: a trusted proxy entry is not a single IP address.\n\
Why: `HTTPServer(trusted_downstream=...)` is compared with each `X-Forwarded-For` entry as a \
whole string; a network or host name never matches.\n\
Example: `10.0.0.5,10.0.0.6`.\n\
References: tornado/httpserver.py _apply_xheaders; docs/releases/v4.5.0.rst.",
    },
];

/// Tornado's own XSRF messages. Jupyter Server passes them through unchanged and JupyterHub uses
/// the same words (with the real method), so they name those apps too.
static SIGNATURES: &[Signature] = &[
    Signature {
        id: "tornado-xsrf-argument-missing",
        pattern: r"'_xsrf' argument missing from POST",
        apps: &["tornado", "jupyter-server", "jupyterhub"],
        emitter: "Tornado's RequestHandler.check_xsrf_cookie (the text says POST for every \
                  method; JupyterHub's own check names the real method)",
        cause: "xsrf_cookies is on and a POST, PUT, PATCH or DELETE came without the token: no \
                _xsrf form field and no X-XSRFToken / X-CSRFToken header (a fetch() or script \
                that does not send it, or a form without xsrf_form_html).",
        fix: "Pages: copy the XSRF cookie into X-XSRFToken, forms: xsrf_form_html(). Scripts: \
              authenticate with a token (Jupyter: Authorization: token ...) instead of cookies; \
              turning XSRF off is not needed.",
        references: "tornado/web.py check_xsrf_cookie (v6.5.1); jupyter_server/base/handlers.py \
                     check_xsrf_cookie; seed-systems.md §2.4, §7",
    },
    Signature {
        id: "tornado-xsrf-invalid-format",
        pattern: r"'_xsrf' argument has invalid format",
        apps: &["tornado", "jupyter-server"],
        emitter: "Tornado's RequestHandler.check_xsrf_cookie (4.4+)",
        cause: "The token sent could not be decoded: it was not copied unchanged from the XSRF \
                cookie (e.g. URL-encoded twice, or a value from another app).",
        fix: "Send the cookie's value unchanged (decodeURIComponent once) in X-XSRFToken.",
        references: "tornado/web.py check_xsrf_cookie, _decode_xsrf_token (v6.5.1); \
                     seed-systems.md §2.4",
    },
    Signature {
        id: "xsrf-cookie-mismatch-post",
        pattern: r"XSRF cookie does not match POST argument",
        apps: &["jupyterhub", "jupyter-server", "tornado"],
        emitter: "Tornado's check_xsrf_cookie or JupyterHub's (_xsrf_utils.py), same words",
        cause: "The token sent does not match the XSRF cookie. At JupyterHub's login this is the \
                load-balancer case: the token is bound to the client address before login, and \
                the Hub saw another address for the POST than for the login page. Elsewhere the \
                page kept an old token, or the cookie was not sent (wrong path or host, or not \
                Secure-compatible).",
        fix: "JupyterHub: set JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS (5.3+) or forward client \
              addresses. Tornado apps: send the current cookie's value in X-XSRFToken.",
        references: "tornado/web.py check_xsrf_cookie (v6.5.1); jupyterhub/_xsrf_utils.py \
                     check_xsrf_cookie; docs/source/faq/troubleshooting.md (JupyterHub); \
                     seed-systems.md §2.2, §2.4",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diagnose::diagnose;
    use crate::engine::generate;
    use crate::engine::inputs::RawInputs;
    use crate::engine::test_support::{self, block};

    fn raw(opts: &[(&str, &str)]) -> RawInputs {
        test_support::inputs(
            "tornado",
            "cloud-run",
            &["https://app-abc123-uc.a.run.app"],
            &[&[("service", "app"), ("region", "us-central1")], opts],
        )
    }

    #[test]
    fn newest_settings() {
        let g = generate(&raw(&[]));
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        let s = block(&g, "snippet");
        for want in [
            "\"xsrf_cookies\": True",
            "\"xsrf_cookie_name\": \"__Host-xsrf\"",
            "\"xsrf_cookie_kwargs\": {\"secure\": True, \"samesite\": \"Lax\"}",
            "xheaders=True",
            "get_signed_cookie(\"user\")",
            "def check_xsrf_cookie(self):",
        ] {
            assert!(s.contains(want), "{want}: {s}");
        }
        assert!(g.env.iter().any(|e| e.name == "API_TOKEN" && e.secret));
        assert!(block(&g, "deploy").contains("--source=."));
    }

    #[test]
    fn versions_and_options() {
        let mut r = raw(&[
            ("api_token", "no"),
            ("same_site", "Strict"),
            ("trusted_downstream", "10.0.0.5,10.0.0.0/8"),
        ]);
        r.app_version = "6.2.0".into();
        let g = generate(&r);
        let c: Vec<&str> = g.diagnostics.iter().map(|d| d.code).collect();
        assert!(c.contains(&"TOR002") && c.contains(&"TOR003") && c.contains(&"TOR004"));
        let s = block(&g, "snippet");
        assert!(s.contains("get_secure_cookie(\"user\")"), "{s}");
        assert!(!s.contains("xsrf_cookie_name"), "{s}");
        assert!(!s.contains("API_TOKEN"), "{s}");
        assert!(s.contains("\"samesite\": \"Strict\""), "{s}");
        assert!(s.contains("trusted_downstream=[\"10.0.0.5\"]"), "{s}");
        for d in &g.diagnostics {
            for fix in &d.fixes {
                let mut fixed = r.clone();
                fix.apply(&mut fixed);
                assert!(
                    !generate(&fixed)
                        .diagnostics
                        .iter()
                        .any(|a| a.code == d.code)
                );
            }
        }
    }

    #[test]
    /// The explanations (What / Why / Example / References) are checked for every module's
    /// codes in diagnostics/codes.rs.
    fn codes_have_the_module_prefix() {
        for c in CODES {
            assert!(c.code.starts_with("TOR"), "{}", c.code);
        }
    }

    #[test]
    fn messages_name_their_apps() {
        let check = |text: &str, current: &str, id: &str, app: &str| {
            let raw = RawInputs {
                app: current.into(),
                ..RawInputs::default()
            };
            let found = diagnose(text, &raw);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!((found[0].signature, found[0].app), (id, app), "{text}");
        };
        let missing = "WARNING:tornado.general:403 POST /api/items (10.0.0.23): '_xsrf' argument missing from POST";
        check(missing, "", "tornado-xsrf-argument-missing", "tornado");
        check(
            missing,
            "jupyter-server",
            "tornado-xsrf-argument-missing",
            "jupyter-server",
        );
        check(
            missing,
            "jupyterhub",
            "tornado-xsrf-argument-missing",
            "jupyterhub",
        );
        check(
            "[W 2025-06-01 10:00:00.000 ServerApp] 403 POST /api/contents (127.0.0.1): '_xsrf' argument missing from POST",
            "",
            "jupyter-server-xsrf-argument-missing",
            "jupyter-server",
        );
        check(
            "[W 2025-06-01 10:00:00.000 ServerApp] 403 POST /user/alice/api/contents (127.0.0.1): '_xsrf' argument missing from POST",
            "",
            "jupyterhub-xsrf-missing-post",
            "jupyterhub",
        );
        check(
            "HTTP 403: Forbidden ('_xsrf' argument has invalid format)",
            "",
            "tornado-xsrf-invalid-format",
            "tornado",
        );
        let mismatch = "403 Forbidden XSRF cookie does not match POST argument";
        check(mismatch, "", "xsrf-cookie-mismatch-post", "jupyterhub");
        check(mismatch, "tornado", "xsrf-cookie-mismatch-post", "tornado");
    }
}
