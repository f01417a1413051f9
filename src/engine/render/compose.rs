//! YAML documents as small trees, rendered for Docker Compose files (with `$` escaped) or as
//! plain YAML (Traefik's static configuration).
//!
//! Rules (shared/knowledge/platforms.md §4.1 and "Pitfalls" 6, from compose-spec
//! `12-interpolation.md`): Compose interpolates `$VAR` / `${VAR}` in every YAML *value* of a
//! Compose file (environment values and labels included), never in keys; a literal `$` is written
//! `$$`. So in [`Dialect::Compose`] every `$` of a string value becomes `$$`, and nothing else
//! changes. Scalars are then written as double-quoted YAML strings ([`super::yaml::quoted`]):
//! PyYAML and Compose read YAML 1.1, where plain `true`, `no`, `8080` or `~` would not be strings
//! (compose-spec `05-services.md` "environment": booleans must be quoted).
//!
//! Keys are written plain when they are plain-safe identifiers (`[A-Za-z_][A-Za-z0-9_.-]*` that
//! YAML 1.1 does not read as a boolean or null), double-quoted otherwise.

use super::yaml::quoted;

/// How string values are escaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// A Compose file: `$` in values is written `$$`.
    Compose,
    /// Any other YAML file: values as they are.
    Plain,
}

/// A YAML node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Yaml {
    /// A string scalar (always double-quoted).
    Str(String),
    /// An integer scalar (plain).
    Int(i64),
    /// A boolean scalar (plain `true` / `false`).
    Bool(bool),
    /// A sequence.
    Seq(Vec<Yaml>),
    /// A mapping in the given order; `Comment` entries are `# text` lines before the next key.
    Map(Vec<Entry>),
}

/// One line of a mapping: a key with its value, or a comment line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Pair(String, Yaml),
    Comment(String),
}

impl Yaml {
    pub fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    /// An empty mapping.
    pub fn map() -> Self {
        Self::Map(Vec::new())
    }

    /// Appends `key: value` to a mapping (no-op on other nodes).
    pub fn with(mut self, key: impl Into<String>, value: Yaml) -> Self {
        if let Self::Map(entries) = &mut self {
            entries.push(Entry::Pair(key.into(), value));
        }
        self
    }

    /// Appends a comment line to a mapping (no-op on other nodes).
    pub fn comment(mut self, text: impl Into<String>) -> Self {
        if let Self::Map(entries) = &mut self {
            for l in text.into().lines() {
                entries.push(Entry::Comment(l.to_owned()));
            }
        }
        self
    }

    /// A sequence of strings.
    pub fn strs<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Self {
        Self::Seq(items.into_iter().map(|s| Self::Str(s.into())).collect())
    }

    /// Renders a whole document (the top node should be a mapping).
    pub fn render(&self, dialect: Dialect) -> String {
        let mut out = String::new();
        match self {
            Self::Map(entries) => render_map(&mut out, entries, 0, dialect),
            other => {
                out.push_str(&scalar_or_flow(other, dialect));
                out.push('\n');
            }
        }
        out
    }
}

/// A scalar in the given dialect.
pub fn scalar(s: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Compose => quoted(&escape_dollars(s)),
        Dialect::Plain => quoted(s),
    }
}

/// `$` -> `$$`: what Compose reads back as one literal `$` (compose-spec `12-interpolation.md`).
pub fn escape_dollars(s: &str) -> String {
    s.replace('$', "$$")
}

/// A mapping key: plain when safe, double-quoted otherwise. Keys are never interpolated.
pub fn key(k: &str) -> String {
    let mut chars = k.chars();
    let plain_chars = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    // YAML 1.1 booleans and nulls (PyYAML's resolver), plus y/n which some YAML 1.1 readers take
    // as booleans.
    let special = matches!(
        k.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "null"
    );
    if plain_chars && !special {
        k.to_owned()
    } else {
        quoted(k)
    }
}

fn scalar_or_flow(node: &Yaml, dialect: Dialect) -> String {
    match node {
        Yaml::Str(s) => scalar(s, dialect),
        Yaml::Int(i) => i.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Seq(items) if items.is_empty() => "[]".to_owned(),
        Yaml::Map(entries) if !entries.iter().any(|e| matches!(e, Entry::Pair(..))) => {
            "{}".to_owned()
        }
        // Non-empty collections are written in block style by the callers.
        Yaml::Seq(_) | Yaml::Map(_) => String::new(),
    }
}

fn is_block(node: &Yaml) -> bool {
    match node {
        Yaml::Seq(items) => !items.is_empty(),
        Yaml::Map(entries) => entries.iter().any(|e| matches!(e, Entry::Pair(..))),
        _ => false,
    }
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push_str("  ");
    }
}

fn render_map(out: &mut String, entries: &[Entry], depth: usize, dialect: Dialect) {
    for e in entries {
        match e {
            Entry::Comment(c) => {
                indent(out, depth);
                if c.is_empty() {
                    out.push_str("#\n");
                } else {
                    out.push_str("# ");
                    out.push_str(c);
                    out.push('\n');
                }
            }
            Entry::Pair(k, v) => {
                indent(out, depth);
                out.push_str(&key(k));
                out.push(':');
                if is_block(v) {
                    out.push('\n');
                    render_block(out, v, depth + 1, dialect);
                } else {
                    out.push(' ');
                    out.push_str(&scalar_or_flow(v, dialect));
                    out.push('\n');
                }
            }
        }
    }
}

fn render_block(out: &mut String, node: &Yaml, depth: usize, dialect: Dialect) {
    match node {
        Yaml::Map(entries) => render_map(out, entries, depth, dialect),
        Yaml::Seq(items) => {
            for item in items {
                indent(out, depth);
                out.push('-');
                if is_block(item) {
                    // A nested collection in a sequence: start it on the next line, indented.
                    out.push('\n');
                    render_block(out, item, depth + 1, dialect);
                } else {
                    out.push(' ');
                    out.push_str(&scalar_or_flow(item, dialect));
                    out.push('\n');
                }
            }
        }
        other => {
            indent(out, depth);
            out.push_str(&scalar_or_flow(other, dialect));
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_values_double_dollars_and_quote() {
        let doc = Yaml::map()
            .comment("top")
            .with(
                "services",
                Yaml::map().with(
                    "app",
                    Yaml::map()
                        .with(
                            "environment",
                            Yaml::map()
                                .with("KEY", Yaml::str("a$b"))
                                .with("ON", Yaml::str("true")),
                        )
                        .with("ports", Yaml::strs(["80:80"]))
                        .with("empty", Yaml::Seq(Vec::new())),
                ),
            )
            .with("n", Yaml::Int(3));
        assert_eq!(
            doc.render(Dialect::Compose),
            "# top\nservices:\n  app:\n    environment:\n      KEY: \"a$$b\"\n      \"ON\": \"true\"\n    \
             ports:\n      - \"80:80\"\n    empty: []\n\"n\": 3\n"
        );
        assert_eq!(scalar("a$b", Dialect::Plain), "\"a$b\"");
    }

    #[test]
    fn nested_maps_in_sequences() {
        let doc = Yaml::map().with(
            "list",
            Yaml::Seq(vec![
                Yaml::map()
                    .with("a", Yaml::Int(1))
                    .with("b", Yaml::Bool(true)),
            ]),
        );
        assert_eq!(
            doc.render(Dialect::Plain),
            "list:\n  -\n    a: 1\n    b: true\n"
        );
    }
}
