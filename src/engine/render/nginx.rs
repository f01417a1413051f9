//! nginx configuration as a small tree of directives and blocks.
//!
//! Syntax (nginx.org `xml/en/docs/beginners_guide.xml`, "Configuration File's Structure"): a
//! simple directive is a name and parameters separated by spaces, ending with `;`; a block
//! directive has `{ ... }` instead; `#` starts a comment. A parameter with spaces, `;`, `{`, `}`,
//! `#` or quotes is written in double quotes with `"` and `\` escaped. Parameters that name
//! variables (`$host`) are written as they are: they are ProxyTrust's own text, never user input.
//! Indentation is four spaces (no tabs: a tab pasted into interactive bash inside a
//! here-document triggers completion).

/// One line of a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `name param ...;`
    Directive(String, Vec<String>),
    /// `name param ... { items }`
    Block(String, Vec<String>, Vec<Item>),
    /// `# text` (one item per line).
    Comment(String),
    Blank,
}

impl Item {
    pub fn d(name: &str, params: &[&str]) -> Self {
        Self::Directive(
            name.to_owned(),
            params.iter().map(|p| (*p).to_owned()).collect(),
        )
    }

    pub fn block(name: &str, params: &[&str], items: Vec<Item>) -> Self {
        Self::Block(
            name.to_owned(),
            params.iter().map(|p| (*p).to_owned()).collect(),
            items,
        )
    }

    /// Comment lines from a (possibly multi-line) text.
    pub fn comments(text: &str) -> Vec<Item> {
        text.lines().map(|l| Self::Comment(l.to_owned())).collect()
    }
}

/// A parameter as nginx reads it back.
pub fn param(p: &str) -> String {
    let needs = p.is_empty()
        || p.chars()
            .any(|c| c.is_whitespace() || matches!(c, ';' | '{' | '}' | '#' | '"' | '\'' | '\\'));
    if !needs {
        return p.to_owned();
    }
    let mut out = String::from("\"");
    for c in p.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Renders items at top level (what goes into a `conf.d` / `sites-available` file, which nginx
/// includes inside `http { }`).
pub fn render(items: &[Item]) -> String {
    let mut out = String::new();
    render_into(&mut out, items, 0);
    out
}

fn render_into(out: &mut String, items: &[Item], depth: usize) {
    for item in items {
        match item {
            Item::Blank => out.push('\n'),
            Item::Comment(c) => {
                indent(out, depth);
                if c.is_empty() {
                    out.push_str("#\n");
                } else {
                    out.push_str("# ");
                    out.push_str(c);
                    out.push('\n');
                }
            }
            Item::Directive(name, params) => {
                indent(out, depth);
                out.push_str(name);
                for p in params {
                    out.push(' ');
                    out.push_str(p);
                }
                out.push_str(";\n");
            }
            Item::Block(name, params, inner) => {
                indent(out, depth);
                out.push_str(name);
                for p in params {
                    out.push(' ');
                    out.push_str(p);
                }
                out.push_str(" {\n");
                render_into(out, inner, depth + 1);
                indent(out, depth);
                out.push_str("}\n");
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
    fn renders_blocks_and_quotes() {
        let conf = vec![
            Item::Comment("c".into()),
            Item::block(
                "server",
                &[],
                vec![
                    Item::d("listen", &["443", "ssl"]),
                    Item::d("return", &["301", "https://$host$request_uri"]),
                ],
            ),
        ];
        assert_eq!(
            render(&conf),
            "# c\nserver {\n    listen 443 ssl;\n    return 301 https://$host$request_uri;\n}\n"
        );
        assert_eq!(param("a b"), "\"a b\"");
        assert_eq!(param("a\"b\\"), "\"a\\\"b\\\\\"");
        assert_eq!(param("app.example.org"), "app.example.org");
    }
}
