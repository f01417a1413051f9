//! Python source: string literals for generated snippets (settings.py fragments, SDK scripts).
//!
//! Rule (Python language reference, "String and Bytes literals"): inside a double-quoted literal
//! `\` and `"` must be escaped, and a literal cannot span lines; escapes `\n`, `\r`, `\t`, `\xhh`,
//! `\uxxxx`, `\Uxxxxxxxx` give any other character. Everything else is written as is (Python 3
//! source is UTF-8 by default, PEP 3120).
//!
//! Also raw literals for regular expressions ([`raw_lit`]: `r"..."` when the text allows it: no
//! `"`, no line break, not ending in an odd run of backslashes) and [`re_escape`], what Python's
//! `re.escape` does since 3.7 (`_special_chars_map` in `Lib/re/__init__.py`: a backslash before
//! each of ``()[]{}?*+-|^$\.&~# `` and `\t\n\r\v\f`), for the starlette-csrf snippets.

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

/// Characters `re.escape` escapes (CPython 3.7+, `Lib/re/__init__.py` `_special_chars_map`).
const RE_SPECIAL: &str = "()[]{}?*+-|^$\\.&~# \t\n\r\u{b}\u{c}";

/// A raw literal `r"..."` when `s` can be one, otherwise [`str_literal`]. Regular expressions read
/// better raw: `r"^/api/token/?$"`.
pub fn raw_lit(s: &str) -> String {
    let trailing_backslashes = s.chars().rev().take_while(|c| *c == '\\').count();
    let ok = !s.contains(['"', '\n', '\r'])
        && trailing_backslashes % 2 == 0
        && !s
            .chars()
            .any(|c| (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}');
    if ok {
        format!("r\"{s}\"")
    } else {
        str_literal(s)
    }
}

/// Python's `re.escape(s)` (3.7+).
pub fn re_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if RE_SPECIAL.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
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

    #[test]
    fn literals() {
        assert_eq!(str_literal("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(str_literal("é\u{1}"), "\"é\\x01\"");
        assert_eq!(raw_lit("^/api/token/?$"), r#"r"^/api/token/?$""#);
        assert_eq!(raw_lit("a\"b"), r#""a\"b""#);
        assert_eq!(raw_lit("ends\\"), r#""ends\\""#);
        assert_eq!(raw_lit("ends\\\\"), r#"r"ends\\""#);
    }

    #[test]
    fn escape_like_python() {
        assert_eq!(re_escape("/api/v1.0"), "/api/v1\\.0");
        assert_eq!(re_escape("/a-b c"), "/a\\-b\\ c");
        assert_eq!(re_escape("/x_y/z"), "/x_y/z");
    }
}
