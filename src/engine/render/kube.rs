//! Kubernetes manifests: a small YAML tree and its block-style serializer, and the escaping of
//! container `env[].value` strings.
//!
//! * Every string scalar is double-quoted ([`super::yaml::quoted`]): Kubernetes reads manifests
//!   with a YAML 1.1-style parser (sigs.k8s.io/yaml over go-yaml), where plain `8080`, `true`,
//!   `yes`, `on` or `~` would not be strings, and annotation values must be strings
//!   (ingress-nginx docs/user-guide/nginx-configuration/annotations.md: quote `"true"`,
//!   `"3600"`; shared/knowledge/platforms.md §3 and "Pitfalls" 8). Keys are written plain only
//!   when they cannot be read as anything but a string.
//! * No line of the output is a bare word (every scalar is quoted, every key ends with `:`), so a
//!   rendered document can sit inside a quoted here-document whose delimiter is a bare word
//!   (see [`HEREDOC_DELIMITER`]).
//! * `$(NAME)` in `env[].value` is expanded by the kubelet from earlier variables, and `$$` is
//!   reduced to `$` everywhere in the value (kubernetes `third_party/forked/golang/expansion/
//!   expand.go`, `Expand` / `tryReadVariableName`; `core/v1/types.go` `EnvVar.Value`). So a
//!   literal value is written with every `$` doubled ([`env_value`]): `$(X)` becomes `$$(X)`, and
//!   a literal `$$` survives as `$$$$`. Escaping only `$(` would still turn `a$$b` into `a$b`.

use super::yaml::push_quoted;

/// The delimiter of the quoted here-documents that carry rendered manifests in deploy scripts.
pub const HEREDOC_DELIMITER: &str = "PROXYTRUST_MANIFESTS";

/// A YAML value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Str(String),
    Int(i64),
    Bool(bool),
    /// Keys in the order given.
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
}

impl Node {
    pub fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    /// A map from `(key, value)` pairs.
    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Node)>) -> Self {
        Self::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// The value written into `env[].value` so that the container receives exactly `s`.
pub fn env_value(s: &str) -> String {
    s.replace('$', "$$")
}

/// Words a YAML 1.1 parser (PyYAML, go-yaml v2) resolves to a boolean or null when plain.
fn reserved_word(k: &str) -> bool {
    matches!(
        k.to_ascii_lowercase().as_str(),
        "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "null" | "~"
    )
}

/// A mapping key: plain when it is a word of letters, digits, `_`, `.`, `/`, `-` starting with a
/// letter or `_` and not a YAML 1.1 boolean/null word; double-quoted otherwise.
fn push_key(out: &mut String, k: &str) {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && !reserved_word(k);
    if plain {
        out.push_str(k);
    } else {
        push_quoted(out, k);
    }
}

/// Appends the scalar form of `n` (nothing for a non-empty map or sequence, which
/// [`is_scalar`] sends to the block writer instead).
fn push_scalar(out: &mut String, n: &Node) {
    match n {
        Node::Str(s) => push_quoted(out, s),
        Node::Int(i) => out.push_str(&i.to_string()),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Map(m) if m.is_empty() => out.push_str("{}"),
        Node::Seq(s) if s.is_empty() => out.push_str("[]"),
        Node::Map(_) | Node::Seq(_) => {}
    }
}

fn is_scalar(n: &Node) -> bool {
    match n {
        Node::Map(m) => m.is_empty(),
        Node::Seq(s) => s.is_empty(),
        _ => true,
    }
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// Writes the entries of a map, each starting at column `indent`; the first entry's indentation
/// is skipped when `first_inline` (it follows a `- ` already written).
fn emit_map(out: &mut String, entries: &[(String, Node)], indent: usize, first_inline: bool) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 || !first_inline {
            pad(out, indent);
        }
        push_key(out, k);
        out.push(':');
        if is_scalar(v) {
            out.push(' ');
            push_scalar(out, v);
            out.push('\n');
        } else {
            out.push('\n');
            emit_block(out, v, indent + 2);
        }
    }
}

fn emit_block(out: &mut String, n: &Node, indent: usize) {
    match n {
        Node::Map(entries) if !entries.is_empty() => emit_map(out, entries, indent, false),
        Node::Seq(items) if !items.is_empty() => {
            for item in items {
                pad(out, indent);
                out.push_str("- ");
                match item {
                    _ if is_scalar(item) => {
                        push_scalar(out, item);
                        out.push('\n');
                    }
                    Node::Map(entries) => emit_map(out, entries, indent + 2, true),
                    _ => {
                        // A sequence directly inside a sequence: on the next line.
                        out.push('\n');
                        emit_block(out, item, indent + 2);
                    }
                }
            }
        }
        _ => {
            pad(out, indent);
            push_scalar(out, n);
            out.push('\n');
        }
    }
}

/// One YAML document (no `---`), block style, two-space indentation.
pub fn document(n: &Node) -> String {
    let mut out = String::new();
    emit_block(&mut out, n, 0);
    out
}

/// Several documents separated by `---` lines.
pub fn documents(nodes: &[Node]) -> String {
    let mut out = String::new();
    for (i, n) in nodes.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&document(n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// kubernetes third_party/forked/golang/expansion/expand.go, transcribed: `$$` -> `$`,
    /// `$(NAME)` -> the mapping, anything else kept.
    fn expand(input: &str, mapping: &dyn Fn(&str) -> String) -> String {
        let b = input.as_bytes();
        let mut out = String::new();
        let mut checkpoint = 0;
        let mut cursor = 0;
        while cursor < b.len() {
            if b[cursor] == b'$' && cursor + 1 < b.len() {
                out.push_str(&input[checkpoint..cursor]);
                let rest = &input[cursor + 1..];
                let (read, is_var, advance) = match rest.as_bytes()[0] {
                    b'$' => ("$".to_owned(), false, 1),
                    b'(' => match rest[1..].find(')') {
                        Some(i) => (rest[1..=i].to_owned(), true, i + 2),
                        None => ("$(".to_owned(), false, 1),
                    },
                    _ => {
                        let c = rest.chars().next().unwrap_or_default();
                        (format!("${c}"), false, c.len_utf8())
                    }
                };
                if is_var {
                    out.push_str(&mapping(&read));
                } else {
                    out.push_str(&read);
                }
                cursor += advance;
                checkpoint = cursor + 1;
            }
            cursor += 1;
        }
        out.push_str(&input[checkpoint.min(input.len())..]);
        out
    }

    #[test]
    fn escaped_values_expand_to_themselves() {
        let map = |n: &str| {
            if n == "A" {
                "x".to_owned()
            } else {
                format!("$({n})")
            }
        };
        for v in [
            "$(A)",
            "a$$b",
            "$",
            "x$",
            "$$(A)",
            "é$(A)$",
            "$(",
            "$)",
            "",
            "no dollar",
        ] {
            assert_eq!(expand(&env_value(v), &map), v, "{v}");
        }
        // Unescaped, the kubelet changes them.
        assert_eq!(expand("$(A)", &map), "x");
        assert_eq!(expand("a$$b", &map), "a$b");
    }

    #[test]
    fn blocks() {
        let n = Node::map([
            ("apiVersion", Node::str("v1")),
            ("on", Node::Bool(true)),
            (
                "items",
                Node::Seq(vec![
                    Node::map([("name", Node::str("a")), ("port", Node::Int(80))]),
                    Node::str("b"),
                ]),
            ),
            ("empty", Node::Map(vec![])),
        ]);
        assert_eq!(
            document(&n),
            "apiVersion: \"v1\"\n\"on\": true\nitems:\n  - name: \"a\"\n    port: 80\n  - \"b\"\nempty: {}\n"
        );
    }
}
