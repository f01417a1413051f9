//! The reverse proxy in front of the app on a Docker Compose host or a plain VM: nginx, Caddy or
//! Traefik. Shared by [`super::compose`] and [`super::vm`]; each builds a [`Setup`] and gets
//! complete configuration files back.
//!
//! What each proxy really sends decides what the app sees (shared/knowledge/platforms.md §4.2-4.4,
//! "Pitfalls" 10, 12, 13):
//! * nginx sends, without directives, `Host: $proxy_host` (the upstream's name, not the public
//!   host) and `Connection: close`, and no `X-Forwarded-*` at all; and `proxy_set_header` lines
//!   are inherited from an outer level only when the current level has none, so a single
//!   `proxy_set_header` in a `location` silently drops every inherited one (nginx.org
//!   `xml/en/docs/http/ngx_http_proxy_module.xml`, `proxy_set_header`). The generated config
//!   therefore sets every header in the one `location` that proxies, and nothing at outer levels.
//!   Websockets need `Upgrade` and `Connection` passed explicitly, through a `map` in `http{}`, and
//!   `proxy_http_version 1.1` before nginx 1.29.7; an idle websocket is closed after
//!   `proxy_read_timeout` (60 s) (`xml/en/docs/http/websocket.xml`).
//! * Caddy's `reverse_proxy` passes the client's `Host` and sets `X-Forwarded-For`,
//!   `X-Forwarded-Proto` and `X-Forwarded-Host`, but no `X-Forwarded-Port`
//!   (caddyserver/caddy `modules/caddyhttp/reverseproxy/reverseproxy.go` `addForwardedHeaders`, the
//!   same in v2.6.2 and current); it proxies websocket upgrades with no extra configuration
//!   (`streaming.go` `handleUpgradeResponse`).
//! * Traefik passes the client's `Host` (`passHostHeader` defaults to true) and sets `X-Real-Ip`,
//!   `X-Forwarded-For`, `-Host`, `-Port`, `-Server` and `X-Forwarded-Proto`, which is **`wss`** (not
//!   `https`) on websocket upgrade requests (traefik/traefik
//!   `pkg/middlewares/forwardedheaders/forwarded_header.go` `rewrite`). Apps compare it with
//!   `https` (Django's `SECURE_PROXY_SSL_HEADER`, Tornado's `xheaders` accept only `http`/`https`),
//!   so for apps with websockets a `headers` middleware sets `X-Forwarded-Proto: https` on the
//!   router; it runs after the entry point's forwarded-headers handler and `Set`s the header
//!   (`pkg/middlewares/headers/header.go` `modifyCustomRequestHeaders`).
//!
//! Session affinity (for several app containers) is a mitigation only, never the fix for state
//! that differs between instances (platforms.md "Pitfalls" 19): nginx open source has only
//! `ip_hash` (first three octets of the client's IPv4 address; the `sticky` cookie directive is
//! part of the commercial subscription) (`ngx_http_upstream_module.xml`); Caddy has
//! `lb_policy cookie [<name> [<secret>]]` (an HMAC of the upstream address in cookie `lb`;
//! `selectionpolicies.go` `CookieHashSelection`); Traefik has
//! `loadBalancer.sticky.cookie` (`docs/content/reference/routing-configuration/http/load-balancing/service.md`).

use crate::engine::origin::PublicOrigin;
use crate::engine::render::caddy::Node;
use crate::engine::render::compose::{Dialect, Yaml};
use crate::engine::render::nginx::{Item, param};
use crate::engine::render::traefik;

/// Which proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Nginx,
    Caddy,
    Traefik,
}

impl Kind {
    /// From an option value (`nginx`, `caddy`, `traefik`); anything else is Caddy, the default.
    pub fn from_option(s: &str) -> Self {
        match s {
            "nginx" => Self::Nginx,
            "traefik" => Self::Traefik,
            _ => Self::Caddy,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Nginx => "nginx",
            Self::Caddy => "Caddy",
            Self::Traefik => "Traefik",
        }
    }

    /// True when the proxy sends `X-Forwarded-Port` with the generated configuration (nginx:
    /// the config sets it; Traefik: always; Caddy: never).
    pub fn sends_forwarded_port(self) -> bool {
        !matches!(self, Self::Caddy)
    }
}

/// Public origins served together: one scheme and port, one or more host names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub https: bool,
    /// The port the browser connects to (443 / 80 when the URL names none).
    pub port: u16,
    pub hosts: Vec<String>,
}

impl Site {
    pub fn default_port(&self) -> bool {
        self.port == if self.https { 443 } else { 80 }
    }

    /// The origins of this site, as browsers send them.
    pub fn origins(&self) -> Vec<String> {
        let scheme = if self.https { "https" } else { "http" };
        self.hosts
            .iter()
            .map(|h| {
                if self.default_port() {
                    format!("{scheme}://{h}")
                } else {
                    format!("{scheme}://{h}:{}", self.port)
                }
            })
            .collect()
    }
}

/// Groups origins by scheme and port, in the order they were typed. With no origin at all the
/// configuration still needs a site: `https://app.example.org` stands in (URL012 reports it).
pub fn sites(origins: &[PublicOrigin]) -> Vec<Site> {
    let mut out: Vec<Site> = Vec::new();
    for o in origins {
        let https = o.scheme == "https";
        let port = o.port.unwrap_or(if https { 443 } else { 80 });
        match out.iter_mut().find(|s| s.https == https && s.port == port) {
            Some(s) => {
                if !s.hosts.contains(&o.host) {
                    s.hosts.push(o.host.clone());
                }
            }
            None => out.push(Site {
                https,
                port,
                hosts: vec![o.host.clone()],
            }),
        }
    }
    if out.is_empty() {
        out.push(Site {
            https: true,
            port: 443,
            hosts: vec!["app.example.org".to_owned()],
        });
    }
    out
}

/// Every https host name, in order (one certificate covers them all).
pub fn https_hosts(sites: &[Site]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in sites.iter().filter(|s| s.https) {
        for h in &s.hosts {
            if !out.contains(h) {
                out.push(h.clone());
            }
        }
    }
    out
}

/// Everything the proxy configuration depends on.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The service name (`[a-z0-9][a-z0-9-]*`), used for names in the configuration.
    pub service: String,
    pub sites: Vec<Site>,
    /// Where the app listens, as the proxy reaches it: `app` (Compose service name) or
    /// `127.0.0.1`.
    pub upstream_host: String,
    pub upstream_port: u16,
    /// App containers behind the one name (Compose replicas); 1 on a VM.
    pub replicas: u32,
    /// Session affinity asked for (only meaningful with several replicas).
    pub sticky: bool,
    /// The app uses websockets ([`crate::engine::apps::App::websockets`]).
    pub websockets: bool,
    /// nginx: certificate and key paths (certbot's `live/<cert-name>/` layout).
    pub cert_dir: String,
    /// nginx: also listen on IPv6 (`[::]`), as Debian's default site does.
    pub ipv6: bool,
}

impl Setup {
    /// The service name as an identifier for nginx variables and upstream names.
    pub fn ident(&self) -> String {
        self.service
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    }

    fn sticky_active(&self) -> bool {
        self.sticky && self.replicas > 1
    }
}

// ---------------------------------------------------------------------------------------------
// nginx

/// The nginx configuration: a file nginx includes inside `http { }` (the official image's
/// `/etc/nginx/conf.d/`, Debian's `/etc/nginx/sites-enabled/`).
pub fn nginx(s: &Setup) -> Vec<Item> {
    let id = s.ident();
    let upstream = format!("{id}_upstream");
    let conn_var = format!("${id}_connection_upgrade");
    let mut items = Vec::new();
    items.extend(Item::comments(
        "Every proxy_set_header is in the one location that proxies: nginx inherits\n\
         proxy_set_header lines from an outer level only when a level has none of its own, so\n\
         a single line here would silently drop any set at the server or http level.",
    ));
    items.push(Item::Blank);
    if s.websockets {
        items.extend(Item::comments(
            "Websockets: pass the client's Upgrade, and Connection: upgrade only when it asked\n\
             for one (nginx.org docs/http/websocket.html).",
        ));
        items.push(Item::block(
            "map",
            &["$http_upgrade", &conn_var],
            vec![
                Item::d("default", &["upgrade"]),
                Item::Directive("''".to_owned(), vec!["close".to_owned()]),
            ],
        ));
        items.push(Item::Blank);
    }
    let mut up = Vec::new();
    if s.replicas > 1 {
        up.extend(Item::comments(&format!(
            "{} app containers answer to the name {}: nginx resolves it when it starts and\n\
             balances over every address. After scaling, restart the proxy so it sees the new\n\
             containers.",
            s.replicas, s.upstream_host
        )));
    }
    if s.sticky_active() {
        up.extend(Item::comments(
            "Session affinity (a mitigation, not a fix for per-instance state): ip_hash sends a\n\
             client to the same container, keyed on the first three octets of its IPv4 address;\n\
             clients behind one NAT all land on one container. Cookie-based stickiness is NGINX\n\
             Plus only.",
        ));
        up.push(Item::d("ip_hash", &[]));
    }
    up.push(Item::d(
        "server",
        &[&param(&format!("{}:{}", s.upstream_host, s.upstream_port))],
    ));
    items.push(Item::block("upstream", &[&upstream], up));

    let https_hosts = https_hosts(&s.sites);
    // Plain-http port 80 hosts that redirect to https: the https hosts with no http site of
    // their own on port 80.
    let http80: Vec<&String> = s
        .sites
        .iter()
        .filter(|x| !x.https && x.port == 80)
        .flat_map(|x| x.hosts.iter())
        .collect();
    let redirect: Vec<String> = https_hosts
        .iter()
        .filter(|h| !http80.contains(h))
        .cloned()
        .collect();
    if !redirect.is_empty() {
        items.push(Item::Blank);
        items.extend(Item::comments("http -> https for the https host names."));
        let mut server = listen(80, false, s.ipv6);
        server.push(server_name(&redirect));
        server.push(Item::d("return", &["301", "https://$host$request_uri"]));
        items.push(Item::block("server", &[], server));
    }
    for site in &s.sites {
        items.push(Item::Blank);
        let mut server = listen(site.port, site.https, s.ipv6);
        server.push(server_name(&site.hosts));
        if site.https {
            server.push(Item::d(
                "ssl_certificate",
                &[&param(&format!("{}/fullchain.pem", s.cert_dir))],
            ));
            server.push(Item::d(
                "ssl_certificate_key",
                &[&param(&format!("{}/privkey.pem", s.cert_dir))],
            ));
        }
        server.push(Item::Blank);
        server.push(Item::block(
            "location",
            &["/"],
            location(s, site, &upstream, &conn_var),
        ));
        items.push(Item::block("server", &[], server));
    }
    items
}

fn listen(port: u16, ssl: bool, ipv6: bool) -> Vec<Item> {
    let p = port.to_string();
    let mut v = Vec::new();
    let mut params = vec![p.as_str()];
    if ssl {
        params.push("ssl");
    }
    v.push(Item::d("listen", &params));
    if ipv6 {
        let addr = format!("[::]:{port}");
        let mut params = vec![addr.as_str()];
        if ssl {
            params.push("ssl");
        }
        v.push(Item::d("listen", &params));
    }
    v
}

fn server_name(hosts: &[String]) -> Item {
    Item::Directive(
        "server_name".to_owned(),
        hosts.iter().map(|h| param(h)).collect(),
    )
}

fn location(s: &Setup, site: &Site, upstream: &str, conn_var: &str) -> Vec<Item> {
    // $host has no port; for a non-default port the public Host (and the browser's Origin)
    // carries it, so the port is added back ($server_port is the port this server listens on).
    let host = if site.default_port() {
        "$host"
    } else {
        "$host:$server_port"
    };
    let mut v = vec![Item::d("proxy_pass", &[&format!("http://{upstream}")])];
    v.extend(Item::comments(
        "The public host name (nginx would send the upstream's name otherwise).",
    ));
    v.push(Item::d("proxy_set_header", &["Host", host]));
    v.push(Item::d("proxy_set_header", &["X-Forwarded-Host", host]));
    v.extend(Item::comments(&format!(
        "{} here: what Django's SECURE_PROXY_SSL_HEADER, Tornado's xheaders and\n\
         uvicorn's --proxy-headers read to know the browser used {}.",
        if site.https { "https" } else { "http" },
        if site.https { "https" } else { "http" },
    )));
    v.push(Item::d(
        "proxy_set_header",
        &["X-Forwarded-Proto", "$scheme"],
    ));
    v.push(Item::d(
        "proxy_set_header",
        &["X-Forwarded-Port", "$server_port"],
    ));
    v.push(Item::d(
        "proxy_set_header",
        &["X-Forwarded-For", "$proxy_add_x_forwarded_for"],
    ));
    v.push(Item::d("proxy_set_header", &["X-Real-IP", "$remote_addr"]));
    if s.websockets {
        v.push(Item::d("proxy_http_version", &["1.1"]));
        v.push(Item::d("proxy_set_header", &["Upgrade", "$http_upgrade"]));
        v.push(Item::d("proxy_set_header", &["Connection", conn_var]));
        v.extend(Item::comments(
            "Keep idle websockets open for an hour (the default closes them after 60 s).",
        ));
        v.push(Item::d("proxy_read_timeout", &["3600s"]));
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Caddy

/// The Caddyfile: one site block for every public origin.
pub fn caddyfile(s: &Setup) -> Vec<Node> {
    let addresses: Vec<String> = s.sites.iter().flat_map(Site::origins).collect::<Vec<_>>();
    let mut rp = Vec::new();
    rp.extend(Node::comments(
        "Caddy passes the client's Host and sets X-Forwarded-For, X-Forwarded-Proto and\n\
         X-Forwarded-Host itself (header_up lines for them are redundant). It sends no\n\
         X-Forwarded-Port. Websocket upgrades are proxied without extra settings.",
    ));
    let target = format!("{}:{}", s.upstream_host, s.upstream_port);
    if s.replicas > 1 {
        rp.extend(Node::comments(&format!(
            "{} app containers answer to the name {}: look up every address (A records),\n\
             refreshed every minute, and balance over them.",
            s.replicas, s.upstream_host
        )));
        rp.push(Node::line(&[
            "dynamic",
            "a",
            &s.upstream_host,
            &s.upstream_port.to_string(),
        ]));
    } else {
        rp.push(Node::line(&["to", &target]));
    }
    if s.sticky_active() {
        rp.extend(Node::comments(
            "Session affinity (a mitigation, not a fix for per-instance state): a cookie named\n\
             lb pins a browser to one container while it is up.",
        ));
        rp.push(Node::line(&["lb_policy", "cookie"]));
    }
    let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let mut site_tokens: Vec<String> = Vec::new();
    for (i, a) in refs.iter().enumerate() {
        // Site addresses are separated by ", " (the comma ends each but the last).
        if i + 1 < refs.len() {
            site_tokens.push(format!("{a},"));
        } else {
            site_tokens.push((*a).to_owned());
        }
    }
    let tokens: Vec<&str> = site_tokens.iter().map(String::as_str).collect();
    vec![Node::block(
        &tokens,
        vec![Node::block(&["reverse_proxy"], rp)],
    )]
}

// ---------------------------------------------------------------------------------------------
// Traefik

/// The certificate resolver's name in the static configuration and the router labels.
pub const TRAEFIK_RESOLVER: &str = "letsencrypt";

/// The entry point name for a port: `web` (80) and `websecure` (443) as in Traefik's docs,
/// `port<N>` otherwise.
pub fn entry_point(port: u16) -> String {
    match port {
        80 => "web".to_owned(),
        443 => "websecure".to_owned(),
        p => format!("port{p}"),
    }
}

/// The ports Traefik listens on: 80 always (ACME HTTP-01 challenges and redirects), then every
/// site's port.
pub fn traefik_ports(s: &Setup) -> Vec<u16> {
    let mut ports = vec![80];
    for site in &s.sites {
        if !ports.contains(&site.port) {
            ports.push(site.port);
        }
    }
    ports
}

/// Traefik's static configuration (`/etc/traefik/traefik.yml`).
pub fn traefik_static(s: &Setup, acme_email: &str) -> Yaml {
    let any_https = s.sites.iter().any(|x| x.https);
    let http80 = s.sites.iter().any(|x| !x.https && x.port == 80);
    let mut eps = Yaml::map();
    for port in traefik_ports(s) {
        let mut ep = Yaml::map().with("address", Yaml::str(format!(":{port}")));
        if port == 80 && any_https && !http80 && s.sites.iter().any(|x| x.https && x.port == 443) {
            ep = ep.with(
                "http",
                Yaml::map().with(
                    "redirections",
                    Yaml::map().with(
                        "entryPoint",
                        Yaml::map()
                            .with("to", Yaml::str("websecure"))
                            .with("scheme", Yaml::str("https")),
                    ),
                ),
            );
        }
        eps = eps.with(entry_point(port), ep);
    }
    let mut doc = Yaml::map()
        .with("entryPoints", eps)
        .comment(
            "Containers are routed only when they carry the label traefik.enable=true.\n\
             Traefik reads the labels through the Docker socket (mounted read-only).",
        )
        .with(
            "providers",
            Yaml::map().with(
                "docker",
                Yaml::map().with("exposedByDefault", Yaml::Bool(false)),
            ),
        );
    if any_https {
        let mut acme = Yaml::map();
        if !acme_email.trim().is_empty() {
            acme = acme.with("email", Yaml::str(acme_email.trim()));
        }
        acme = acme
            .with("storage", Yaml::str("/letsencrypt/acme.json"))
            .with(
                "httpChallenge",
                Yaml::map().with("entryPoint", Yaml::str("web")),
            );
        doc = doc
            .comment("Let's Encrypt certificates (HTTP-01 challenge on port 80).")
            .with(
                "certificatesResolvers",
                Yaml::map().with(TRAEFIK_RESOLVER, Yaml::map().with("acme", acme)),
            );
    }
    doc
}

/// The docker-provider labels on the app service, in order (written as a Compose mapping).
pub fn traefik_labels(s: &Setup) -> Vec<(String, String)> {
    let svc = &s.service;
    let mut l: Vec<(String, String)> = vec![("traefik.enable".to_owned(), "true".to_owned())];
    let many = s.sites.len() > 1;
    for (i, site) in s.sites.iter().enumerate() {
        let router = if many {
            format!("{svc}-{i}")
        } else {
            svc.clone()
        };
        let r = |rest: &str| traefik::label("routers", &router, rest);
        l.push((r("rule"), traefik::host_rule(&site.hosts)));
        l.push((r("entrypoints"), entry_point(site.port)));
        if site.https {
            l.push((r("tls.certresolver"), TRAEFIK_RESOLVER.to_owned()));
        }
        l.push((r("service"), svc.clone()));
        if s.websockets {
            l.push((
                r("middlewares"),
                format!("{}@docker", proto_middleware(svc, site.https)),
            ));
        }
    }
    let srv = |rest: &str| traefik::label("services", svc, rest);
    l.push((srv("loadbalancer.server.port"), s.upstream_port.to_string()));
    if s.sticky_active() {
        l.push((srv("loadbalancer.sticky.cookie"), "true".to_owned()));
        l.push((
            srv("loadbalancer.sticky.cookie.httponly"),
            "true".to_owned(),
        ));
        if s.sites.iter().all(|x| x.https) {
            l.push((srv("loadbalancer.sticky.cookie.secure"), "true".to_owned()));
        }
    }
    if s.websockets {
        for https in [true, false] {
            if s.sites.iter().any(|x| x.https == https) {
                l.push((
                    traefik::label(
                        "middlewares",
                        &proto_middleware(svc, https),
                        "headers.customrequestheaders.X-Forwarded-Proto",
                    ),
                    if https { "https" } else { "http" }.to_owned(),
                ));
            }
        }
    }
    l
}

fn proto_middleware(svc: &str, https: bool) -> String {
    format!("{svc}-{}-proto", if https { "https" } else { "http" })
}

/// The Traefik static configuration rendered as plain YAML.
pub fn traefik_static_text(s: &Setup, acme_email: &str) -> String {
    traefik_static(s, acme_email).render(Dialect::Plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::render::{caddy, nginx as ng};

    fn setup() -> Setup {
        Setup {
            service: "label-studio".into(),
            sites: vec![Site {
                https: true,
                port: 443,
                hosts: vec!["app.example.org".into()],
            }],
            upstream_host: "label-studio".into(),
            upstream_port: 8080,
            replicas: 1,
            sticky: false,
            websockets: true,
            cert_dir: "/etc/letsencrypt/live/label-studio".into(),
            ipv6: false,
        }
    }

    #[test]
    fn nginx_sets_every_header_in_the_location() {
        let text = ng::render(&nginx(&setup()));
        assert!(text.contains("map $http_upgrade $label_studio_connection_upgrade {"));
        assert!(text.contains("        proxy_set_header X-Forwarded-Proto $scheme;\n"));
        assert!(text.contains("return 301 https://$host$request_uri;"));
        // Nothing at server level.
        for l in text
            .lines()
            .filter(|l| l.starts_with("    proxy_set_header"))
        {
            assert!(l.starts_with("        "), "{l}");
        }
    }

    #[test]
    fn caddy_and_traefik() {
        let mut s = setup();
        s.replicas = 3;
        s.sticky = true;
        let c = caddy::render(&caddyfile(&s));
        assert!(c.contains("dynamic a label-studio 8080"), "{c}");
        assert!(c.contains("lb_policy cookie"), "{c}");
        let labels = traefik_labels(&s);
        assert!(labels.contains(&(
            "traefik.http.middlewares.label-studio-https-proto.headers.customrequestheaders.X-Forwarded-Proto".into(),
            "https".into()
        )));
        assert_eq!(entry_point(8443), "port8443");
    }

    #[test]
    fn sites_group_by_scheme_and_port() {
        let o = |scheme: &str, host: &str, port: Option<u16>| PublicOrigin {
            index: 0,
            scheme: scheme.into(),
            host: host.into(),
            port,
        };
        let s = sites(&[
            o("https", "a.example.org", None),
            o("https", "b.example.org", None),
            o("http", "a.example.org", Some(8080)),
        ]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].hosts, vec!["a.example.org", "b.example.org"]);
        assert_eq!(s[1].origins(), vec!["http://a.example.org:8080"]);
    }
}
