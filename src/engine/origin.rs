//! Public origins: turning what the user typed into exactly what a browser sends in `Origin`:
//! `scheme://host[:port]`, lower-case host, IDN in punycode, default port dropped, no path,
//! query, fragment, userinfo or trailing slash (RFC 6454 §6.1; WHATWG URL "origin" and host
//! parsing, implemented by the `url` crate). Django compares `Origin` with each trusted origin as
//! an exact string (shared/knowledge/seed-systems.md §6.2), so every normalisation here matters.
//!
//! Every problem becomes a diagnostic (`URL0xx`, see `diagnostics/codes.rs`) whose fix sets the
//! entry to the normalised origin; outputs are produced best-effort from the normalised form.

use crate::engine::diagnostics::{Diagnostic, FieldEdit, Fix, field};

/// A parsed public origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicOrigin {
    /// Index of the URL entry it came from.
    pub index: usize,
    /// `https` or `http`.
    pub scheme: String,
    /// Lower-case, punycode host (IPv6 in brackets).
    pub host: String,
    /// Explicit non-default port.
    pub port: Option<u16>,
}

impl PublicOrigin {
    /// The serialised origin, exactly as a browser sends it.
    pub fn origin(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// Parses every URL entry. Empty entries are skipped (an empty row in the form is not an error);
/// no usable entry at all is `URL012`.
pub fn parse_all(urls: &[String], https_only: bool) -> (Vec<PublicOrigin>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut origins: Vec<PublicOrigin> = Vec::new();
    for (index, raw) in urls.iter().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        if let Some(o) = parse_one(index, raw, https_only, &mut diags) {
            if let Some(first) = origins.iter().find(|p| p.origin() == o.origin()) {
                diags.push(
                    Diagnostic::new(
                        "URL011",
                        field::url(index),
                        format!("Same origin as URL {}: {}", first.index + 1, o.origin()),
                    )
                    .with_fix(Fix::safe(
                        format!("Remove URL {}", index + 1),
                        vec![FieldEdit::RemoveUrl { index }],
                    )),
                );
            } else {
                origins.push(o);
            }
        }
    }
    if origins.is_empty() && !diags.iter().any(|d| d.field.starts_with("urls[")) {
        diags.push(Diagnostic::new(
            "URL012",
            field::URLS,
            "Enter the public URL users open in their browser",
        ));
    }
    (origins, diags)
}

/// Splits `scheme://rest` the way the user wrote it, without normalising.
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once("://")?;
    let ok = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some((scheme, rest))
}

fn parse_one(
    index: usize,
    raw: &str,
    https_only: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<PublicOrigin> {
    let fld = field::url(index);
    // Each finding is recorded with its code; the fix (set the entry to the normalised origin)
    // is attached once the origin is known.
    let mut found: Vec<(&'static str, String)> = Vec::new();

    let trimmed = raw.trim();
    if trimmed != raw {
        found.push((
            "URL002",
            "URL has spaces or line breaks around it".to_owned(),
        ));
    }

    let (scheme_raw, rest) = match split_scheme(trimmed) {
        Some(parts) => parts,
        None => {
            found.push(("URL001", format!("URL has no scheme: {trimmed}")));
            ("https", trimmed.trim_start_matches('/'))
        }
    };
    let scheme_lower = scheme_raw.to_ascii_lowercase();
    let scheme = match scheme_lower.as_str() {
        "https" => "https",
        "http" if https_only => {
            found.push((
                "URL008",
                format!("The platform serves https only, the URL says http: {trimmed}"),
            ));
            "https"
        }
        "http" => "http",
        other => {
            found.push(("URL009", format!("Scheme is not http or https: {other}")));
            "https"
        }
    };

    // Authority as typed: up to the first `/`, `?` or `#` (also `\`, which URL parsers treat as
    // `/` for special schemes).
    let auth_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    let after = &rest[auth_end..];
    let host_port = match authority.rsplit_once('@') {
        Some((_, hp)) => {
            found.push(("URL007", "URL has a user name or password".to_owned()));
            hp
        }
        None => authority,
    };
    if after == "/" {
        found.push(("URL004", "URL ends with a slash".to_owned()));
    } else if !after.is_empty() {
        found.push((
            "URL005",
            format!("URL has a path, query or fragment: {after}"),
        ));
    }

    // Let the WHATWG parser do host parsing (lower-casing, IDNA, IPv4/IPv6, port range).
    let candidate = format!("{scheme}://{host_port}/");
    let parsed = match url::Url::parse(&candidate) {
        Ok(u) => u,
        Err(e) => {
            let code = if matches!(e, url::ParseError::EmptyHost) || host_port.is_empty() {
                "URL010"
            } else {
                "URL014"
            };
            let msg = if code == "URL010" {
                format!("URL has no host: {trimmed}")
            } else {
                format!("URL cannot be parsed ({e}): {trimmed}")
            };
            diags.push(Diagnostic::new(code, fld.clone(), msg));
            // The other findings have no fix without a host; report them plainly.
            for (code, msg) in found {
                diags.push(Diagnostic::new(code, fld.clone(), msg));
            }
            return None;
        }
    };
    let host = match parsed.host_str() {
        Some(h) if !h.is_empty() => h.to_owned(),
        _ => {
            diags.push(Diagnostic::new(
                "URL010",
                fld,
                format!("URL has no host: {trimmed}"),
            ));
            return None;
        }
    };
    let raw_host = strip_port(host_port);
    if !raw_host.is_ascii() {
        found.push(("URL013", format!("Browsers send this host as {host}")));
    } else if raw_host.chars().any(|c| c.is_ascii_uppercase()) {
        found.push(("URL003", format!("Host has upper-case letters: {raw_host}")));
    }
    // `url` drops the scheme's default port; a port typed but dropped was a default port.
    let typed_port = host_port
        .strip_prefix(raw_host)
        .and_then(|p| p.strip_prefix(':'))
        .unwrap_or("");
    // A port typed but dropped by the parser was the default one; `http://host:80` on an
    // https-only platform is also a default port the browser never shows.
    let typed_default = (!typed_port.is_empty() && parsed.port().is_none())
        || (scheme_lower == "http" && typed_port == "80");
    if typed_default {
        found.push((
            "URL006",
            format!("Default port is never sent by browsers: :{typed_port}"),
        ));
    }
    let port = if typed_default { None } else { parsed.port() };
    let origin = PublicOrigin {
        index,
        scheme: scheme.to_owned(),
        host,
        port,
    };
    let normalised = origin.origin();
    for (code, msg) in found {
        let mut d = Diagnostic::new(code, fld.clone(), msg);
        if normalised != raw {
            d = d.with_fix(Fix::safe(
                format!("Use {normalised}"),
                vec![FieldEdit::SetUrl {
                    index,
                    value: normalised.clone(),
                }],
            ));
        }
        diags.push(d);
    }
    Some(origin)
}

/// The host part of `host[:port]` as typed (IPv6 literals keep their brackets).
fn strip_port(host_port: &str) -> &str {
    if host_port.starts_with('[') {
        return match host_port.find(']') {
            Some(end) => &host_port[..=end],
            None => host_port,
        };
    }
    match host_port.rsplit_once(':') {
        Some((h, _)) => h,
        None => host_port,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(raw: &str, https_only: bool) -> (Option<String>, Vec<&'static str>) {
        let (o, d) = parse_all(&[raw.to_owned()], https_only);
        (
            o.first().map(PublicOrigin::origin),
            d.iter().map(|d| d.code).collect(),
        )
    }

    #[test]
    fn clean_origin_has_no_diagnostics() {
        assert_eq!(
            one("https://labelstudio-abc123-uc.a.run.app", true),
            (
                Some("https://labelstudio-abc123-uc.a.run.app".into()),
                vec![]
            )
        );
        assert_eq!(
            one("http://localhost:8080", false),
            (Some("http://localhost:8080".into()), vec![])
        );
    }

    #[test]
    fn each_problem_has_its_code() {
        let cases: &[(&str, bool, &str, &[&str])] = &[
            (
                "ls.example.com",
                true,
                "https://ls.example.com",
                &["URL001"],
            ),
            (
                " https://ls.example.com\n",
                true,
                "https://ls.example.com",
                &["URL002"],
            ),
            (
                "https://LS.Example.com",
                true,
                "https://ls.example.com",
                &["URL003"],
            ),
            (
                "https://ls.example.com/",
                true,
                "https://ls.example.com",
                &["URL004"],
            ),
            (
                "https://ls.example.com/user/login?x#y",
                true,
                "https://ls.example.com",
                &["URL005"],
            ),
            (
                "https://ls.example.com:443",
                true,
                "https://ls.example.com",
                &["URL006"],
            ),
            (
                "http://ls.example.com:80",
                false,
                "http://ls.example.com",
                &["URL006"],
            ),
            (
                "https://u:p@ls.example.com",
                true,
                "https://ls.example.com",
                &["URL007"],
            ),
            (
                "http://ls.example.com",
                true,
                "https://ls.example.com",
                &["URL008"],
            ),
            (
                "wss://ls.example.com",
                true,
                "https://ls.example.com",
                &["URL009"],
            ),
            (
                "http://ls.example.com:80",
                true,
                "https://ls.example.com",
                &["URL008", "URL006"],
            ),
            (
                "https://bücher.example",
                true,
                "https://xn--bcher-kva.example",
                &["URL013"],
            ),
            (
                "https://ls.example.com:8443",
                true,
                "https://ls.example.com:8443",
                &[],
            ),
            (
                "HTTPS://ls.example.com",
                true,
                "https://ls.example.com",
                &[],
            ),
        ];
        for (raw, https_only, want, codes) in cases {
            let (origin, got) = one(raw, *https_only);
            assert_eq!(origin.as_deref(), Some(*want), "{raw:?}");
            assert_eq!(&got, codes, "{raw:?}");
        }
    }

    #[test]
    fn unusable_urls_give_errors_and_no_origin() {
        assert_eq!(one("https://", true), (None, vec!["URL010"]));
        assert_eq!(one("https://ls example.com", true), (None, vec!["URL014"]));
        assert_eq!(
            one("https://ls.example.com:99999", true),
            (None, vec!["URL014"])
        );
    }

    #[test]
    fn duplicates_and_empty_lists() {
        let (o, d) = parse_all(
            &[
                "https://a.example".into(),
                "".into(),
                "https://A.example/".into(),
            ],
            true,
        );
        assert_eq!(o.len(), 1);
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"URL011"), "{codes:?}");
        let (_, d) = parse_all(&["  ".into()], true);
        assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec!["URL012"]);
    }

    #[test]
    fn combined_problems_share_one_normalising_fix() {
        let (_, d) = parse_all(&["HTTP://Admin@LS.example.com:443/login ".into()], true);
        assert!(d.len() >= 4);
        for diag in &d {
            assert_eq!(
                diag.fixes[0].edits,
                vec![FieldEdit::SetUrl {
                    index: 0,
                    value: "https://ls.example.com".into()
                }]
            );
        }
    }
}
