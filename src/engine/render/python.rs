//! Python source: string literals for generated snippets (settings.py fragments, SDK scripts).
//!
//! Rule (Python language reference, "String and Bytes literals"): inside a double-quoted literal
//! `\` and `"` must be escaped, and a literal cannot span lines; escapes `\n`, `\r`, `\t`, `\xhh`,
//! `\uxxxx`, `\Uxxxxxxxx` give any other character. Everything else is written as is (Python 3
//! source is UTF-8 by default, PEP 3120).

/// A double-quoted Python `str` literal that evaluates to exactly `s`.
pub fn str_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            // Line and paragraph separators, and other invisible format characters, are escaped
            // so the generated line reads as what it is.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_python_needs() {
        assert_eq!(str_literal("https://a.example"), "\"https://a.example\"");
        assert_eq!(str_literal(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(str_literal("a\nb\u{1}"), "\"a\\nb\\x01\"");
        assert_eq!(str_literal("x\u{2028}y"), "\"x\\u2028y\"");
        assert_eq!(str_literal("bücher"), "\"bücher\"");
    }
}
