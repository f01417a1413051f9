//! Traefik (v3) text: router rules and docker-provider label keys. The static configuration file
//! is YAML, written with [`super::compose::Yaml`] in the plain dialect; labels are Compose values
//! (so their `$` is doubled by the Compose renderer, platforms.md §4.3 "labels in compose").
//!
//! Rules (traefik/traefik `docs/content/reference/routing-configuration/http/routing/rules-and-priority.md`):
//! matcher arguments are Go string literals in backticks, and matchers combine with `||`.
//! Hostnames (letters, digits, `-`, `.`, IDN in punycode) never contain a backtick.

/// ``Host(`a`) || Host(`b`)``: matches requests for any of `hosts`.
pub fn host_rule(hosts: &[String]) -> String {
    hosts
        .iter()
        .map(|h| format!("Host(`{}`)", h.replace('`', "")))
        .collect::<Vec<_>>()
        .join(" || ")
}

/// `traefik.http.<kind>.<name>.<rest>`: one docker-provider label key
/// (`docs/content/reference/dynamic-configuration/docker-labels.yml`).
pub fn label(kind: &str, name: &str, rest: &str) -> String {
    format!("traefik.http.{kind}.{name}.{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_labels() {
        assert_eq!(
            host_rule(&["a.example.org".into(), "b.example.org".into()]),
            "Host(`a.example.org`) || Host(`b.example.org`)"
        );
        assert_eq!(
            label("routers", "app", "rule"),
            "traefik.http.routers.app.rule"
        );
    }
}
