//! Python source pieces: string literals and `re` patterns, for the middleware snippets that
//! configure starlette-csrf (`apps/fastapi.rs`, `apps/romm.rs`).
//!
//! * [`str_lit`]: a double-quoted literal; `\\`, `"` and control characters escaped, everything
//!   else written as is (Python 3 source is UTF-8, PEP 3120).
//! * [`raw_lit`]: `r"..."` when the text allows it (no `"`, no line break, not ending in an odd
//!   run of backslashes: Python reference, "String and Bytes literals"), else [`str_lit`].
//! * [`re_escape`]: what Python's `re.escape` does since 3.7 (`_special_chars_map` in
//!   `Lib/re/__init__.py`): a backslash before each of ``()[]{}?*+-|^$\.&~# `` and the
//!   whitespace characters `\t\n\r\v\f`.

/// Characters `re.escape` escapes (CPython 3.7+, `Lib/re/__init__.py` `_special_chars_map`).
const RE_SPECIAL: &str = "()[]{}?*+-|^$\\.&~# \t\n\r\u{b}\u{c}";

/// A Python double-quoted string literal that evaluates to `s`.
pub fn str_lit(s: &str) -> String {
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
            // Line and paragraph separators are fine inside a literal, but escaping them keeps
            // the snippet readable in every editor.
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A raw literal `r"..."` when `s` can be one, otherwise [`str_lit`]. Regular expressions read
/// better raw: `r"^/api/token/?$"`.
pub fn raw_lit(s: &str) -> String {
    let trailing_backslashes = s.chars().rev().take_while(|c| *c == '\\').count();
    let ok = !s.contains(['"', '\n', '\r'])
        && trailing_backslashes % 2 == 0
        && !s
            .chars()
            .any(|c| (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}');
    if ok { format!("r\"{s}\"") } else { str_lit(s) }
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
    fn literals() {
        assert_eq!(str_lit("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(str_lit("é\u{1}"), "\"é\\x01\"");
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
