//! TOML strings and keys (for `fly.toml`).
//!
//! Rule (TOML 1.0, "String" and "Keys"): a basic string is `"..."`; inside it `"` and `\` must be
//! escaped, as must the control characters U+0000-U+001F and U+007F. The short escapes are
//! `\b \t \n \f \r \" \\`; every other control character is written `\uXXXX`. Everything else
//! (including `$`, `#`, `'` and any Unicode scalar) stands for itself. A bare key may contain
//! only `A-Z a-z 0-9 _ -`; any other key is written as a basic string.

/// A TOML basic string that every TOML 1.0 parser reads back as exactly `s`.
pub fn basic_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A key: bare when it can be, quoted otherwise.
pub fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_owned()
    } else {
        basic_string(k)
    }
}

/// `key = "value"` lines.
pub fn string_pairs(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        out.push_str("  ");
        out.push_str(&key(k));
        out.push_str(" = ");
        out.push_str(&basic_string(v));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_reads_back() {
        let nasty = "it's \"q\" $x # c \\ \n\t\r\u{1}\u{7f} é 🙂";
        let doc = format!("v = {}\n{} = 1\n", basic_string(nasty), key("a.b"));
        let t: ::toml::Table = ::toml::from_str(&doc).expect("parses");
        assert_eq!(t["v"].as_str(), Some(nasty));
        assert_eq!(t["a.b"].as_integer(), Some(1));
        assert_eq!(key("SECRET_KEY"), "SECRET_KEY");
    }
}
