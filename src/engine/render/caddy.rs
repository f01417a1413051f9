//! Caddyfiles as a small tree of directives (Caddy v2).
//!
//! Lexing (caddyserver/caddy `caddyconfig/caddyfile/lexer.go`, v2.6.2 and current): tokens are
//! separated by whitespace; a token starting with `"` runs to the closing `"` and only `\"` is
//! an escape inside it (other backslashes stay); a token starting with `` ` `` runs to the closing
//! backtick with no escapes; `#` at the start of a token comments out the rest of the line;
//! `{` / `}` open and close blocks. [`token`] quotes whatever would not read back as one token.
//! Indentation is four spaces, not Caddy's usual tab: a tab pasted into interactive bash inside a
//! here-document triggers completion, and Caddy reads spaces the same way.

/// One line of a Caddyfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Tokens on one line, with an optional block.
    Line(Vec<String>, Option<Vec<Node>>),
    /// `# text`
    Comment(String),
    Blank,
}

impl Node {
    /// A line of tokens, each quoted as needed.
    pub fn line(tokens: &[&str]) -> Self {
        Self::Line(tokens.iter().map(|t| token(t)).collect(), None)
    }

    /// A line of tokens with a block.
    pub fn block(tokens: &[&str], inner: Vec<Node>) -> Self {
        Self::Line(tokens.iter().map(|t| token(t)).collect(), Some(inner))
    }

    pub fn comments(text: &str) -> Vec<Node> {
        text.lines().map(|l| Self::Comment(l.to_owned())).collect()
    }
}

/// One token as Caddy's lexer reads it back.
pub fn token(t: &str) -> String {
    let needs = t.is_empty()
        || t.chars().any(char::is_whitespace)
        || t.starts_with(['"', '`', '#'])
        || t == "{"
        || t == "}";
    if !needs {
        return t.to_owned();
    }
    format!("\"{}\"", t.replace('"', "\\\""))
}

pub fn render(nodes: &[Node]) -> String {
    let mut out = String::new();
    render_into(&mut out, nodes, 0);
    out
}

fn render_into(out: &mut String, nodes: &[Node], depth: usize) {
    for n in nodes {
        match n {
            Node::Blank => out.push('\n'),
            Node::Comment(c) => {
                indent(out, depth);
                if c.is_empty() {
                    out.push_str("#\n");
                } else {
                    out.push_str("# ");
                    out.push_str(c);
                    out.push('\n');
                }
            }
            Node::Line(tokens, block) => {
                indent(out, depth);
                out.push_str(&tokens.join(" "));
                match block {
                    Some(inner) => {
                        out.push_str(" {\n");
                        render_into(out, inner, depth + 1);
                        indent(out, depth);
                        out.push_str("}\n");
                    }
                    None => out.push('\n'),
                }
            }
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_quotes() {
        let f = vec![Node::block(
            &["app.example.org"],
            vec![Node::line(&["reverse_proxy", "app:8080"])],
        )];
        assert_eq!(
            render(&f),
            "app.example.org {\n    reverse_proxy app:8080\n}\n"
        );
        assert_eq!(token("a b"), "\"a b\"");
        assert_eq!(token("#x"), "\"#x\"");
        assert_eq!(token("say \"hi\""), "\"say \\\"hi\\\"\"");
    }
}
