//! YAML scalars and flat mappings.
//!
//! Every value is written as a double-quoted scalar: gcloud reads `--env-vars-file` as YAML 1.1,
//! where plain `8080`, `true`, `no`, `on`, `~` or an empty value are not strings and gcloud then
//! fails "Environment variable values must be strings" (`lib/googlecloudsdk/core/yaml.py`,
//! `env_vars_util.EnvVarValueType`; platforms.md §1.2 and "Pitfalls" 3). Double quotes (not single)
//! because a line break inside a single-quoted scalar folds into a space; in double quotes every
//! character can be escaped (YAML 1.1 §4.1.6 escape sequences, also valid in YAML 1.2).

/// A double-quoted YAML scalar that every YAML 1.1/1.2 parser reads back as exactly `s`.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(&mut out, s);
    out
}

/// [`quoted`], appended to `out` (no allocation of its own: the keystroke path writes every
/// manifest scalar through here).
pub fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    let plain = |c: char| {
        !(matches!(c, '"' | '\\' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
            || (c as u32) < 0x20
            || (0x7f..=0x9f).contains(&(c as u32)))
    };
    if s.chars().all(plain) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // C0/C1 controls, DEL, the YAML 1.1 line breaks NEL/LS/PS, and the BOM are not
            // printable in YAML: escape them.
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `KEY: "value"` lines of a flat mapping. Keys are environment variable names (letters,
/// digits, `_`), which are always plain YAML scalars.
pub fn flat_mapping(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(&quoted(v));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(quoted("8080"), "\"8080\"");
        assert_eq!(quoted("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(quoted("\u{85}"), "\"\\x85\"");
    }
}
