//! Kubernetes with an ingress controller (ingress-nginx), deployed with `kubectl`.
//!
//! Facts used (shared/knowledge/platforms.md §3, "Pitfalls" 8, 9, 19, 20), each with its source:
//! * ingress-nginx is **retired**: best-effort maintenance until March 2026, then no releases or
//!   security fixes; its README points new installs to Gateway API (`kubernetes/ingress-nginx`
//!   README.md). The manifests use the portable `networking.k8s.io/v1` Ingress; the
//!   ingress-nginx annotations are the only controller-specific part.
//! * What ingress-nginx sends upstream (`rootfs/etc/nginx/template/nginx.tmpl`, `lua_ingress.lua`):
//!   `Host`, `X-Forwarded-Proto` (its own `$scheme`: `https` when TLS ends at the controller),
//!   `X-Forwarded-Host`, `X-Forwarded-Port`, `X-Forwarded-For`, `X-Real-IP`. Incoming
//!   `X-Forwarded-*` are ignored unless the controller ConfigMap says
//!   `use-forwarded-headers: "true"` (default `"false"`, `docs/user-guide/nginx-configuration/
//!   configmap.md`); behind another L7 load balancer that ends TLS the controller would otherwise
//!   send `X-Forwarded-Proto: http`. `proxy-real-ip-cidr` (default `0.0.0.0/0`) limits whom it
//!   trusts. The official manifests name the ConfigMap `ingress-nginx-controller` in namespace
//!   `ingress-nginx` (`deploy/static/provider/cloud/deploy.yaml`: `--configmap=$(POD_NAMESPACE)/
//!   ingress-nginx-controller`) and the IngressClass `nginx`.
//! * WebSockets work out of the box; `proxy-read-timeout`/`proxy-send-timeout` (default 60 s)
//!   close quiet ones, "a value higher than one hour (3600)" is advised
//!   (`docs/user-guide/miscellaneous.md`). Annotation values are strings: `"3600"`.
//! * Cookie affinity (`nginx.ingress.kubernetes.io/affinity: "cookie"`, `affinity-mode`,
//!   `session-cookie-secure`; annotations.md) is best effort in `balanced` mode: a mitigation,
//!   never the fix for per-replica state.
//! * Env: `env[].value` expands `$(VAR)` and reduces `$$` to `$` (render/kube.rs escapes);
//!   secrets come from a Secret through `valueFrom.secretKeyRef` (not expanded). Env from Secrets
//!   is read at container start: `kubectl rollout restart` picks up new values.
//! * `kubectl create secret generic NAME --from-file=KEY=PATH` stores the file's bytes exactly
//!   (`pkg/cmd/create/create_secret.go`); `--from-literal` would put the value on the command
//!   line, `--from-env-file` cannot hold newlines. Secret keys: `[-._a-zA-Z0-9]+`.
//! * Service links: by default every Service in the namespace injects `<NAME>_SERVICE_HOST`,
//!   `<NAME>_PORT=tcp://…` and more into the pod's environment ("matching the syntax of Docker
//!   links", `core/v1/types.go` `PodSpec.EnableServiceLinks`, default true). They can collide
//!   with an app's own prefixed settings (a Service `label-studio` gives `LABEL_STUDIO_PORT`), so
//!   pods get `enableServiceLinks: false`.
//! * Names (`k8s.io/apimachinery/pkg/util/validation/validation.go`): namespaces are DNS-1123
//!   labels `[a-z0-9]([-a-z0-9]*[a-z0-9])?` (≤ 63); Service names DNS-1035 labels
//!   `[a-z]([-a-z0-9]*[a-z0-9])?` (≤ 63), the strictest rule, used for every object named after
//!   the app; Secrets and IngressClasses are DNS-1123 subdomains (≤ 253). Ingress rule hosts are
//!   DNS names, not IP addresses (`networking/v1` `IngressRule.Host`).

use crate::engine::Valid;
use crate::engine::diagnostics::codes::Code;
use crate::engine::diagnostics::{Diagnostic, Fix, Severity, field};
use crate::engine::inputs::{OptionKind, OptionSpec};
use crate::engine::plan::{EnvValue, EnvVar, Plan};
use crate::engine::render::kube::{self, HEREDOC_DELIMITER, Node};
use crate::engine::render::shell::{self, Script, Word, quote};
use crate::engine::render::{Block, Header};

use super::Platform;

pub struct Kubernetes;

const SECRET_MODES: &[(&str, &str)] = &[
    (
        "secret",
        "Kubernetes Secret made by the deploy script (recommended)",
    ),
    ("inline", "Secret manifest with the values in the YAML"),
];
const YES_NO: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No")];
const OUTER: &[(&str, &str)] = &[
    ("none", "None: TLS ends at the ingress controller"),
    ("l7", "An L7 load balancer in front ends TLS"),
];

const DEFAULT_NAMESPACE: &str = "default";
const DEFAULT_CLASS: &str = "nginx";
const CONTROLLER_NAMESPACE: &str = "ingress-nginx";
const CONTROLLER_CONFIGMAP: &str = "ingress-nginx-controller";
/// Seconds, as advised for WebSockets in ingress-nginx docs/user-guide/miscellaneous.md.
const WEBSOCKET_TIMEOUT: &str = "3600";
const LABEL: &str = "app.kubernetes.io/name";

static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "name",
        label: "Name",
        help: "Deployment, Service and Ingress name (lower-case letters, digits, -); empty: the app id",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "namespace",
        label: "Namespace",
        help: "Created when missing",
        kind: OptionKind::Text,
        default: DEFAULT_NAMESPACE,
    },
    OptionSpec {
        key: "image",
        label: "Container image",
        help: "Empty: the app's official image for the chosen version",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "max_instances",
        label: "Replicas",
        help: "Pods of the Deployment",
        kind: OptionKind::Integer,
        default: "1",
    },
    OptionSpec {
        key: "secrets",
        label: "Secrets",
        help: "Where secret values live",
        kind: OptionKind::Choice(SECRET_MODES),
        default: "secret",
    },
    OptionSpec {
        key: "ingress_class",
        label: "Ingress class",
        help: "ingressClassName of the Ingress (ingress-nginx installs the class nginx)",
        kind: OptionKind::Text,
        default: DEFAULT_CLASS,
    },
    OptionSpec {
        key: "tls_secret",
        label: "TLS secret",
        help: "Secret with the certificate for the https hosts (e.g. made by cert-manager); empty: NAME-tls",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "outer_lb",
        label: "In front of the ingress",
        help: "Whether another L7 load balancer ends TLS before ingress-nginx (then it must trust X-Forwarded-*)",
        kind: OptionKind::Choice(OUTER),
        default: "none",
    },
    OptionSpec {
        key: "proxy_real_ip_cidr",
        label: "Outer load balancer CIDRs",
        help: "proxy-real-ip-cidr: comma-separated ranges the outer load balancer connects from",
        kind: OptionKind::Text,
        default: "",
    },
    OptionSpec {
        key: "affinity",
        label: "Sticky sessions",
        help: "ingress-nginx cookie affinity sends a browser back to the same pod, best effort; a mitigation, not a fix for state that differs between pods",
        kind: OptionKind::Choice(YES_NO),
        default: "no",
    },
];

static CODES: &[Code] = &[
    Code {
        code: "K8S001",
        severity: Severity::Error,
        name: "name-invalid",
        explanation: "What: the name is not a DNS-1035 label.\n\
Why: the Service, Deployment, Ingress and container are named after it, and a Service name must \
be lower-case letters, digits and `-`, start with a letter, end with a letter or digit, at most 63 \
characters; kubectl apply fails otherwise.\n\
Example: `label-studio`.\n\
References: k8s.io/apimachinery pkg/util/validation/validation.go IsDNS1035Label.",
    },
    Code {
        code: "K8S002",
        severity: Severity::Error,
        name: "namespace-invalid",
        explanation: "What: the namespace is not a DNS-1123 label.\n\
Why: namespaces are lower-case letters, digits and `-`, starting and ending with a letter or digit, \
at most 63 characters.\n\
Example: `default`, `tools`.\n\
References: k8s.io/apimachinery pkg/util/validation/validation.go IsDNS1123Label.",
    },
    Code {
        code: "K8S003",
        severity: Severity::Error,
        name: "image-missing",
        explanation: "What: there is no container image to run.\n\
Why: Kubernetes runs images; frameworks (your own app) have no official image. Build one, push it \
to a registry the cluster can pull from, and enter its reference.\n\
Example: `registry.example.org/myapp:1.0`.\n\
References: core/v1 Container.image.",
    },
    Code {
        code: "K8S004",
        severity: Severity::Warning,
        name: "inline-secrets",
        explanation: "What: secret values are written into the YAML (a Secret's stringData).\n\
Why: the file then holds the secrets: it ends up in repositories, CI logs and shell history. By \
default the deploy script creates the Secret with kubectl from files in a private temporary \
directory and the YAML only references it (secretKeyRef).\n\
Example: `--set secrets=secret`.\n\
References: core/v1 Secret (stringData), EnvVarSource.secretKeyRef; kubectl create secret generic \
--from-file.",
    },
    Code {
        code: "K8S005",
        severity: Severity::Info,
        name: "ingress-nginx-retired",
        explanation: "What: ingress-nginx is retired.\n\
Why: the project gives best-effort maintenance until March 2026, then no releases or security \
fixes, and points new installations to Gateway API. The generated Ingress is the portable \
networking.k8s.io/v1 kind; only its nginx.ingress.kubernetes.io annotations (timeouts, \
affinity) and the use-forwarded-headers setting are ingress-nginx specific. With a Gateway API \
implementation the same routing is an HTTPRoute, and the forwarded headers it sends depend on the \
implementation: check them before relying on X-Forwarded-Proto.\n\
Example: an existing ingress-nginx keeps working; plan the move.\n\
References: kubernetes/ingress-nginx README.md; platforms.md §3.",
    },
    Code {
        code: "K8S006",
        severity: Severity::Warning,
        name: "forwarded-headers-trust-all",
        explanation: "What: ingress-nginx will trust X-Forwarded-* from any address.\n\
Why: behind an outer L7 load balancer, use-forwarded-headers must be \"true\" (otherwise the \
controller sends X-Forwarded-Proto: http and CSRF/secure-cookie checks fail), but \
proxy-real-ip-cidr defaults to 0.0.0.0/0, so a client that reaches the controller directly can \
claim any scheme, host or address. Set it to the outer load balancer's ranges.\n\
Example: `--set proxy_real_ip_cidr=10.0.0.0/16`.\n\
References: ingress-nginx docs/user-guide/nginx-configuration/configmap.md (use-forwarded-headers, \
proxy-real-ip-cidr); platforms.md \"Pitfalls\" 9.",
    },
    Code {
        code: "K8S007",
        severity: Severity::Error,
        name: "tls-secret-invalid",
        explanation: "What: the TLS secret name is not a DNS-1123 subdomain.\n\
Why: Secret names are lower-case letters, digits, `-` and `.`, starting and ending with a letter \
or digit, at most 253 characters.\n\
Example: `label-studio-tls`.\n\
References: k8s.io/apimachinery pkg/util/validation/validation.go IsDNS1123Subdomain.",
    },
    Code {
        code: "K8S008",
        severity: Severity::Error,
        name: "ingress-class-invalid",
        explanation: "What: the ingress class is not a valid IngressClass name.\n\
Why: IngressClass names are DNS-1123 subdomains; ingress-nginx installs the class `nginx`.\n\
Example: `nginx`.\n\
References: ingress-nginx deploy/static/provider/cloud/deploy.yaml (IngressClass nginx); \
validation.go IsDNS1123Subdomain.",
    },
    Code {
        code: "K8S009",
        severity: Severity::Error,
        name: "cidr-invalid",
        explanation: "What: a proxy-real-ip-cidr entry is not an IPv4 or IPv6 CIDR.\n\
Why: the controller reads a comma-separated list of CIDRs.\n\
Example: `10.0.0.0/16,192.168.0.0/24`.\n\
References: ingress-nginx docs/user-guide/nginx-configuration/configmap.md (proxy-real-ip-cidr).",
    },
    Code {
        code: "K8S010",
        severity: Severity::Info,
        name: "ip-host",
        explanation: "What: a public URL uses an IP address.\n\
Why: an Ingress rule's host must be a DNS name, not an IP; the rule for it is written without a \
host, so it matches requests for any host.\n\
Example: use a DNS name such as `app.example.org`.\n\
References: networking/v1 IngressRule.Host.",
    },
];

/// `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63.
fn dns1035(s: &str) -> bool {
    s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63.
fn dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Labels joined by `.`, at most 253.
fn dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(dns1123_label)
}

/// The closest DNS-1035 label (the unsafe fixes of K8S001 and K8S002).
fn sanitise(s: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) && !out.is_empty() {
        out.insert_str(0, "app-");
    }
    out.truncate(63);
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out
    }
}

fn cidr_ok(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => bits <= 32,
        Ok(std::net::IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

fn is_ip(host: &str) -> bool {
    host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok()
}

use crate::engine::diagnostics::set_option as set;

fn s(v: impl Into<String>) -> Node {
    Node::str(v)
}

impl Kubernetes {
    fn or_default<'a>(v: &'a Valid<'_>, key: &str, default: &'a str) -> &'a str {
        let x = v.opt(key).trim();
        if x.is_empty() { default } else { x }
    }

    fn name<'a>(v: &'a Valid<'a>) -> &'a str {
        Self::or_default(v, "name", v.app.id())
    }

    fn namespace<'a>(v: &'a Valid<'_>) -> &'a str {
        Self::or_default(v, "namespace", DEFAULT_NAMESPACE)
    }

    fn secret_name(v: &Valid<'_>) -> String {
        format!("{}-secrets", Self::name(v))
    }

    fn tls_secret(v: &Valid<'_>) -> String {
        let t = v.opt("tls_secret").trim();
        if t.is_empty() {
            format!("{}-tls", Self::name(v))
        } else {
            t.to_owned()
        }
    }

    fn inline(v: &Valid<'_>) -> bool {
        v.opt("secrets") == "inline"
    }

    fn l7(v: &Valid<'_>) -> bool {
        v.opt("outer_lb") == "l7"
    }

    fn replicas(v: &Valid<'_>) -> i64 {
        v.opt("max_instances").trim().parse::<i64>().unwrap_or(1)
    }

    fn image(v: &Valid<'_>, plan: &Plan) -> String {
        let i = v.opt("image").trim();
        if !i.is_empty() {
            i.to_owned()
        } else if plan.app.image.is_empty() {
            "YOUR_IMAGE".to_owned()
        } else {
            plan.app.image.clone()
        }
    }

    fn metadata(v: &Valid<'_>, name: &str) -> Node {
        Node::map([
            ("name", s(name)),
            ("namespace", s(Self::namespace(v))),
            ("labels", Node::map([(LABEL, s(Self::name(v)))])),
        ])
    }

    /// The Secret manifest with the values (inline mode only).
    fn secret_manifest(v: &Valid<'_>, plan: &Plan) -> Node {
        let data: Vec<(String, Node)> = plan
            .deploy_env()
            .filter_map(|var| match &var.value {
                EnvValue::Secret(spec) => {
                    Some((var.name.clone(), s(spec.value.clone().unwrap_or_default())))
                }
                EnvValue::Literal(_) => None,
            })
            .collect();
        Node::map([
            ("apiVersion", s("v1")),
            ("kind", s("Secret")),
            ("metadata", Self::metadata(v, &Self::secret_name(v))),
            ("type", s("Opaque")),
            ("stringData", Node::Map(data)),
        ])
    }

    fn deployment(v: &Valid<'_>, plan: &Plan) -> Node {
        let name = Self::name(v);
        let secret = Self::secret_name(v);
        let env: Vec<Node> = plan
            .deploy_env()
            .map(|var| match &var.value {
                EnvValue::Literal(val) => {
                    Node::map([("name", s(&var.name)), ("value", s(kube::env_value(val)))])
                }
                EnvValue::Secret(_) => Node::map([
                    ("name", s(&var.name)),
                    (
                        "valueFrom",
                        Node::map([(
                            "secretKeyRef",
                            Node::map([
                                ("name", s(&secret)),
                                ("key", s(&var.name)),
                                ("optional", Node::Bool(false)),
                            ]),
                        )]),
                    ),
                ]),
            })
            .collect();
        let mut container = vec![
            ("name", s(name)),
            ("image", s(Self::image(v, plan))),
            (
                "ports",
                Node::Seq(vec![Node::map([
                    ("name", s("http")),
                    (
                        "containerPort",
                        Node::Int(i64::from(plan.app.container_port)),
                    ),
                    ("protocol", s("TCP")),
                ])]),
            ),
        ];
        if !env.is_empty() {
            container.push(("env", Node::Seq(env)));
        }
        let selector = Node::map([(LABEL, s(name))]);
        Node::map([
            ("apiVersion", s("apps/v1")),
            ("kind", s("Deployment")),
            ("metadata", Self::metadata(v, name)),
            (
                "spec",
                Node::map([
                    ("replicas", Node::Int(Self::replicas(v))),
                    ("selector", Node::map([("matchLabels", selector.clone())])),
                    (
                        "template",
                        Node::map([
                            ("metadata", Node::map([("labels", selector)])),
                            (
                                "spec",
                                Node::map([
                                    ("enableServiceLinks", Node::Bool(false)),
                                    ("containers", Node::Seq(vec![Node::map(container)])),
                                ]),
                            ),
                        ]),
                    ),
                ]),
            ),
        ])
    }

    fn service(v: &Valid<'_>) -> Node {
        let name = Self::name(v);
        Node::map([
            ("apiVersion", s("v1")),
            ("kind", s("Service")),
            ("metadata", Self::metadata(v, name)),
            (
                "spec",
                Node::map([
                    ("type", s("ClusterIP")),
                    ("selector", Node::map([(LABEL, s(name))])),
                    (
                        "ports",
                        Node::Seq(vec![Node::map([
                            ("name", s("http")),
                            ("port", Node::Int(80)),
                            ("targetPort", s("http")),
                            ("protocol", s("TCP")),
                        ])]),
                    ),
                ]),
            ),
        ])
    }

    /// Distinct DNS hosts of the origins (IP hosts cannot be Ingress hosts), and whether any
    /// origin is https.
    fn hosts(v: &Valid<'_>) -> (Vec<String>, Vec<String>) {
        let mut all = Vec::new();
        let mut tls = Vec::new();
        for o in &v.origins {
            if is_ip(&o.host) {
                continue;
            }
            if !all.contains(&o.host) {
                all.push(o.host.clone());
            }
            if o.scheme == "https" && !tls.contains(&o.host) {
                tls.push(o.host.clone());
            }
        }
        (all, tls)
    }

    fn annotations(v: &Valid<'_>) -> Vec<(String, Node)> {
        let mut a = Vec::new();
        let key = |k: &str| format!("nginx.ingress.kubernetes.io/{k}");
        if v.app.websockets() {
            a.push((key("proxy-read-timeout"), s(WEBSOCKET_TIMEOUT)));
            a.push((key("proxy-send-timeout"), s(WEBSOCKET_TIMEOUT)));
        }
        if v.opt("affinity") == "yes" {
            a.push((key("affinity"), s("cookie")));
            a.push((key("affinity-mode"), s("balanced")));
            if v.origins.iter().any(|o| o.scheme == "https") {
                a.push((key("session-cookie-secure"), s("true")));
            }
        }
        a
    }

    fn ingress(v: &Valid<'_>) -> Node {
        let name = Self::name(v);
        let (hosts, tls_hosts) = Self::hosts(v);
        let backend = Node::map([(
            "service",
            Node::map([
                ("name", s(name)),
                ("port", Node::map([("name", s("http"))])),
            ]),
        )]);
        let http = Node::map([(
            "paths",
            Node::Seq(vec![Node::map([
                ("path", s("/")),
                ("pathType", s("Prefix")),
                ("backend", backend),
            ])]),
        )]);
        let rules: Vec<Node> = if hosts.is_empty() {
            vec![Node::map([("http", http)])]
        } else {
            hosts
                .iter()
                .map(|h| Node::map([("host", s(h)), ("http", http.clone())]))
                .collect()
        };
        let mut spec = vec![(
            "ingressClassName",
            s(Self::or_default(v, "ingress_class", DEFAULT_CLASS)),
        )];
        if !tls_hosts.is_empty() {
            spec.push((
                "tls",
                Node::Seq(vec![Node::map([
                    (
                        "hosts",
                        Node::Seq(tls_hosts.into_iter().map(Node::Str).collect()),
                    ),
                    ("secretName", s(Self::tls_secret(v))),
                ])]),
            ));
        }
        spec.push(("rules", Node::Seq(rules)));
        let mut metadata = vec![
            ("name".to_owned(), s(name)),
            ("namespace".to_owned(), s(Self::namespace(v))),
            ("labels".to_owned(), Node::map([(LABEL, s(name))])),
        ];
        let annotations = Self::annotations(v);
        if !annotations.is_empty() {
            metadata.push(("annotations".to_owned(), Node::Map(annotations)));
        }
        Node::map([
            ("apiVersion", s("networking.k8s.io/v1")),
            ("kind", s("Ingress")),
            ("metadata", Node::Map(metadata)),
            ("spec", Node::map(spec)),
        ])
    }

    fn env_docs(v: &Valid<'_>, plan: &Plan) -> Vec<Node> {
        let mut docs = Vec::new();
        if Self::inline(v) && plan.deploy_env().any(EnvVar::is_secret) {
            docs.push(Self::secret_manifest(v, plan));
        }
        docs.push(Self::deployment(v, plan));
        docs
    }

    fn proxy_docs(v: &Valid<'_>) -> Vec<Node> {
        vec![Self::service(v), Self::ingress(v)]
    }

    fn contains_secret(v: &Valid<'_>, plan: &Plan) -> bool {
        Self::inline(v)
            && plan
                .env
                .iter()
                .any(|e| e.is_secret() && e.known_value().is_some())
    }

    /// `env_docs`: the rendered [`Self::env_docs`] (rendered once per keystroke and shared with
    /// the deploy script's here-document).
    fn env_block(v: &Valid<'_>, plan: &Plan, header: &Header, env_docs: &str) -> Block {
        let mut content = header.hash_comment("env");
        content.push_str(&format!(
            "# The Deployment with its environment. Literal values are written with every `$`\n\
             # doubled: Kubernetes expands $(VAR) in env values and turns $$ into $.\n\
             # Secrets come from the Secret {} (secretKeyRef); {}.\n\
             # enableServiceLinks is off: Service links would add <SERVICE>_PORT=tcp://... and\n\
             # similar variables that can collide with the app's own settings.\n",
            Self::secret_name(v),
            if Self::inline(v) {
                "its manifest with the values is the first document"
            } else {
                "deploy.sh creates it"
            }
        ));
        content.push_str(env_docs);
        Block {
            id: "env",
            title: "Environment (Kubernetes Deployment)".to_owned(),
            language: "yaml",
            filename: "deployment.yaml".to_owned(),
            content,
            contains_secret: Self::contains_secret(v, plan),
        }
    }

    /// `proxy_docs`: the rendered [`Self::proxy_docs`].
    fn proxy_block(v: &Valid<'_>, header: &Header, proxy_docs: &str) -> Block {
        let mut c = header.hash_comment("proxy");
        c.push_str(
            "# Service and Ingress. What ingress-nginx sends to the pods: Host, X-Forwarded-Proto\n\
             # (https when TLS ends at the controller), X-Forwarded-Host, X-Forwarded-Port,\n\
             # X-Forwarded-For, X-Real-IP. It ignores incoming X-Forwarded-* unless its ConfigMap\n\
             # sets use-forwarded-headers: \"true\".\n",
        );
        if Self::l7(v) {
            c.push_str(&format!(
                "# An L7 load balancer ends TLS in front of the controller: deploy.sh sets\n\
                 # use-forwarded-headers: \"true\"{} in the ConfigMap {CONTROLLER_NAMESPACE}/{CONTROLLER_CONFIGMAP}\n\
                 # (with Helm: controller.config), else the pods would see X-Forwarded-Proto: http.\n",
                if v.opt("proxy_real_ip_cidr").trim().is_empty() {
                    ""
                } else {
                    " and proxy-real-ip-cidr"
                }
            ));
        } else {
            c.push_str(
                "# TLS ends at the controller here, so use-forwarded-headers stays \"false\" (clients\n\
                 # cannot forge X-Forwarded-*).\n",
            );
        }
        if v.app.websockets() {
            c.push_str(&format!(
                "# {} uses WebSockets: proxy-read/send-timeout {WEBSOCKET_TIMEOUT} s (default 60 s).\n",
                v.app.name()
            ));
        }
        if v.opt("affinity") == "yes" {
            c.push_str(
                "# Cookie affinity (INGRESSCOOKIE) is best effort: a pod that goes away loses its\n\
                 # browsers. A mitigation for per-pod state, not a fix.\n",
            );
        }
        c.push_str(
            "# ingress-nginx is retired (best-effort maintenance until March 2026, then no\n\
             # security fixes); Gateway API is the way forward: an HTTPRoute does this routing.\n",
        );
        c.push_str(proxy_docs);
        Block {
            id: "proxy",
            title: "Service and Ingress (ingress-nginx)".to_owned(),
            language: "yaml",
            filename: "ingress.yaml".to_owned(),
            content: c,
            contains_secret: false,
        }
    }

    fn ns_flag(v: &Valid<'_>) -> [Word; 2] {
        [Word::lit("--namespace"), Word::lit(Self::namespace(v))]
    }

    /// `manifests`: every document of the env and proxy blocks, in that order.
    fn deploy_block(v: &Valid<'_>, plan: &Plan, header: &Header, manifests: &str) -> Block {
        let name = Self::name(v);
        let ns = Self::namespace(v);
        let secret = Self::secret_name(v);
        let secret_vars: Vec<&EnvVar> = if Self::inline(v) {
            Vec::new()
        } else {
            plan.deploy_env().filter(|e| e.is_secret()).collect()
        };
        let mut sc = Script::default();
        sc.raw("#!/usr/bin/env bash");
        for l in header.lines("deploy") {
            sc.comment(l);
        }
        sc.comment("");
        sc.comment(format!(
            "Deploys {} to Kubernetes (namespace {ns}): Deployment, Service and Ingress {name},",
            plan.app_name
        ));
        sc.comment(format!(
            "served by the ingress controller of class {}. Needs kubectl with the cluster's",
            Self::or_default(v, "ingress_class", DEFAULT_CLASS)
        ));
        sc.comment(
            "context. Run it as a file (bash deploy.sh) or paste it into bash: the commands",
        );
        sc.comment("run in a subshell, so a failure stops the script and leaves your shell open.");
        if !secret_vars.is_empty() {
            super::secret_variables_comment(
                &mut sc,
                [
                    &format!(
                        "Secret values are read from these shell variables when the Secret {secret}"
                    ),
                    "does not exist yet (export them first):",
                ],
                secret_vars.iter().copied(),
            );
        }
        sc.raw("(");
        sc.raw("set -euo pipefail");
        if ns != DEFAULT_NAMESPACE {
            sc.raw(format!(
                "if ! kubectl get namespace {} >/dev/null 2>&1; then",
                quote(ns)
            ));
            sc.cmd(vec![
                Word::lit("kubectl"),
                Word::lit("create"),
                Word::lit("namespace"),
                Word::lit(ns),
            ]);
            sc.raw("fi");
        }
        let mut step = 1;
        if !secret_vars.is_empty() {
            sc.blank();
            sc.comment(format!(
                "{step}. The Secret {secret}, created once (a rerun keeps its values). Values go"
            ));
            sc.comment(
                "   through files in a private temporary directory, never the command line.",
            );
            sc.raw(format!(
                "if ! kubectl get secret {} --namespace {} >/dev/null 2>&1; then",
                quote(&secret),
                quote(ns)
            ));
            sc.raw("secret_dir=\"$(mktemp -d)\"");
            sc.raw("trap 'rm -rf \"$secret_dir\"' EXIT");
            let mut create = vec![
                Word::lit("kubectl"),
                Word::lit("create"),
                Word::lit("secret"),
                Word::lit("generic"),
                Word::lit(secret.clone()),
            ];
            create.extend(Self::ns_flag(v));
            for var in &secret_vars {
                let EnvValue::Secret(spec) = &var.value else {
                    continue;
                };
                let shell_var = format!("{}_VALUE", var.name);
                let value_expr = match spec.generate {
                    Some(g) => format!("\"${{{shell_var}:-$({} | tr -d '\\n')}}\"", g.openssl()),
                    None => format!(
                        "\"${{{shell_var}:?export {shell_var} first: {}}}\"",
                        spec.describe
                    ),
                };
                sc.comment(format!("{}: {}.", var.name, spec.describe));
                sc.raw(format!(
                    "printf '%s' {value_expr} >\"$secret_dir/{}\"",
                    var.name
                ));
                // Env names are [A-Za-z_][A-Za-z0-9_]*: safe in a double-quoted word.
                create.push(Word::Raw(format!(
                    "--from-file={0}=\"$secret_dir/{0}\"",
                    var.name
                )));
            }
            sc.cmd_with(None, create, Some(">/dev/null".to_owned()));
            sc.raw("fi");
            step += 1;
        }
        if Self::l7(v) {
            sc.blank();
            sc.comment(format!(
                "{step}. ingress-nginx behind an L7 load balancer: trust its X-Forwarded-* headers."
            ));
            let mut data = serde_json::Map::new();
            data.insert("use-forwarded-headers".into(), "true".into());
            let cidr = v.opt("proxy_real_ip_cidr").trim();
            if !cidr.is_empty() {
                data.insert("proxy-real-ip-cidr".into(), cidr.into());
            }
            let patch = serde_json::json!({ "data": data }).to_string();
            sc.cmd(vec![
                Word::lit("kubectl"),
                Word::lit("patch"),
                Word::lit("configmap"),
                Word::lit(CONTROLLER_CONFIGMAP),
                Word::lit("--namespace"),
                Word::lit(CONTROLLER_NAMESPACE),
                Word::lit("--type"),
                Word::lit("merge"),
                Word::lit("--patch"),
                Word::lit(patch),
            ]);
            step += 1;
        }
        sc.blank();
        sc.comment(format!(
            "{step}. The manifests: the Deployment (env block) and the Service and Ingress (proxy"
        ));
        sc.comment("   block), from the here-document below.");
        sc.cmd_with(
            None,
            Self::apply_argv(),
            Some(format!("<<'{HEREDOC_DELIMITER}'")),
        );
        sc.heredoc(manifests, HEREDOC_DELIMITER);
        sc.blank();
        sc.comment("Pods read Secrets into env vars at start: restart them to pick up new values.");
        let mut restart = vec![
            Word::lit("kubectl"),
            Word::lit("rollout"),
            Word::lit("restart"),
            Word::lit(format!("deployment/{name}")),
        ];
        restart.extend(Self::ns_flag(v));
        sc.cmd(restart);
        let mut status = vec![
            Word::lit("kubectl"),
            Word::lit("rollout"),
            Word::lit("status"),
            Word::lit(format!("deployment/{name}")),
        ];
        status.extend(Self::ns_flag(v));
        status.push(Word::lit("--timeout=300s"));
        sc.cmd(status);
        sc.raw(")");
        Block {
            id: "deploy",
            title: "Deploy script (kubectl)".to_owned(),
            language: "bash",
            filename: "deploy.sh".to_owned(),
            content: sc.render(),
            contains_secret: Self::contains_secret(v, plan),
        }
    }

    fn apply_argv() -> Vec<Word> {
        vec![
            Word::lit("kubectl"),
            Word::lit("apply"),
            Word::lit("-f"),
            Word::lit("-"),
        ]
    }
}

impl Platform for Kubernetes {
    fn id(&self) -> &'static str {
        "kubernetes"
    }
    fn name(&self) -> &'static str {
        "Kubernetes"
    }
    fn summary(&self) -> &'static str {
        "Deployment + Service + Ingress; ingress-nginx sets X-Forwarded-* itself unless told to trust an outer load balancer"
    }
    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }
    fn https_only(&self) -> bool {
        false
    }
    fn reserved(&self, _name: &str) -> bool {
        false
    }
    /// On EKS the AWS Load Balancer Controller provisions an ALB for the Ingress, whose address
    /// is the same `*.elb.amazonaws.com` name an ECS service's ALB has (platforms.md §2), so
    /// such a URL is not another platform's here.
    fn owns_host(&self, host: &str) -> bool {
        host.ends_with(".elb.amazonaws.com")
    }
    fn needs_pushed_image_for_own_code(&self) -> bool {
        true
    }
    fn codes(&self) -> &'static [Code] {
        CODES
    }

    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>) {
        let name = v.opt("name").trim();
        if !name.is_empty() && !dns1035(name) {
            let fixed = sanitise(name, v.app.id());
            diags.push(
                Diagnostic::new(
                    "K8S001",
                    field::option("name"),
                    format!("Not a DNS-1035 label (lower-case letters, digits, -): {name}"),
                )
                .with_fix(Fix::unsafe_(format!("Use {fixed}"), set("name", &fixed))),
            );
        }
        let ns = v.opt("namespace").trim();
        if !ns.is_empty() && !dns1123_label(ns) {
            let fixed = sanitise(ns, DEFAULT_NAMESPACE);
            diags.push(
                Diagnostic::new(
                    "K8S002",
                    field::option("namespace"),
                    format!("Not a valid namespace (lower-case letters, digits, -): {ns}"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {fixed}"),
                    set("namespace", &fixed),
                )),
            );
        }
        if v.opt("image").trim().is_empty() && v.app_plan().image.is_empty() {
            diags.push(Diagnostic::new(
                "K8S003",
                field::option("image"),
                format!(
                    "{} has no official image: build and push yours, then enter its reference",
                    v.app.name()
                ),
            ));
        }
        if Self::inline(v) {
            diags.push(
                Diagnostic::new(
                    "K8S004",
                    field::option("secrets"),
                    "Secret values are written into the YAML",
                )
                .with_fix(Fix::unsafe_(
                    "Keep secrets in a Secret made by the deploy script",
                    set("secrets", "secret"),
                )),
            );
        }
        diags.push(Diagnostic::new(
            "K8S005",
            field::PLATFORM,
            "ingress-nginx is retired after March 2026: plan the move to Gateway API",
        ));
        let cidrs: Vec<&str> = v
            .opt("proxy_real_ip_cidr")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if let Some(bad) = cidrs.iter().find(|c| !cidr_ok(c)) {
            diags.push(
                Diagnostic::new(
                    "K8S009",
                    field::option("proxy_real_ip_cidr"),
                    format!("Not a CIDR: {bad}"),
                )
                .with_fix(Fix::unsafe_("Clear it", set("proxy_real_ip_cidr", ""))),
            );
        }
        if Self::l7(v) && cidrs.is_empty() {
            diags.push(Diagnostic::new(
                "K8S006",
                field::option("proxy_real_ip_cidr"),
                "ingress-nginx will trust X-Forwarded-* from every address: set the outer load balancer's CIDRs",
            ));
        }
        let tls = v.opt("tls_secret").trim();
        if !tls.is_empty() && !dns1123_subdomain(tls) {
            diags.push(
                Diagnostic::new(
                    "K8S007",
                    field::option("tls_secret"),
                    format!("Not a valid Secret name: {tls}"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {}-tls", Self::name(v)),
                    set("tls_secret", ""),
                )),
            );
        }
        let class = v.opt("ingress_class").trim();
        if !class.is_empty() && !dns1123_subdomain(class) {
            diags.push(
                Diagnostic::new(
                    "K8S008",
                    field::option("ingress_class"),
                    format!("Not a valid IngressClass name: {class}"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Use {DEFAULT_CLASS}"),
                    set("ingress_class", DEFAULT_CLASS),
                )),
            );
        }
        for o in v.origins.iter().filter(|o| is_ip(&o.host)) {
            diags.push(Diagnostic::new(
                "K8S010",
                field::url(o.index),
                format!(
                    "An Ingress host cannot be an IP address: the rule matches every host: {}",
                    o.host
                ),
            ));
        }
    }

    fn injected(&self, _v: &Valid<'_>, _container_port: u16) -> Vec<EnvVar> {
        Vec::new()
    }

    fn inline_secrets(&self, v: &Valid<'_>) -> bool {
        Self::inline(v)
    }

    fn secret_reference(&self, v: &Valid<'_>, var: &EnvVar) -> String {
        match &var.value {
            EnvValue::Secret(_) if !Self::inline(v) => {
                format!("secretKeyRef {}/{}", Self::secret_name(v), var.name)
            }
            _ => "(inline secret)".to_owned(),
        }
    }

    fn deploy_command(&self, _v: &Valid<'_>, _plan: &Plan) -> Vec<String> {
        shell::unquoted(Self::apply_argv())
    }

    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block> {
        let env_docs = kube::documents(&Self::env_docs(v, plan));
        let proxy_docs = kube::documents(&Self::proxy_docs(v));
        // `documents` separates documents with `---` lines: the same text as rendering all.
        let manifests = format!("{env_docs}---\n{proxy_docs}");
        vec![
            Self::env_block(v, plan, header, &env_docs),
            Self::deploy_block(v, plan, header, &manifests),
            Self::proxy_block(v, header, &proxy_docs),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(dns1035("label-studio"));
        assert!(!dns1035("1abc"));
        assert!(!dns1035("Label"));
        assert!(!dns1035(&"a".repeat(64)));
        assert!(dns1123_label("1abc"));
        assert!(!dns1123_label("-a"));
        assert!(dns1123_subdomain("a.b-c.d"));
        assert!(!dns1123_subdomain("a..b"));
        for bad in ["Bad Value!", "123", "--", &"X_".repeat(50)] {
            let s = sanitise(bad, "app");
            assert!(dns1035(&s), "{bad} -> {s}");
        }
        assert!(cidr_ok("10.0.0.0/16"));
        assert!(cidr_ok("fd00::/8"));
        assert!(!cidr_ok("10.0.0.0/33"));
        assert!(!cidr_ok("x"));
    }
}
