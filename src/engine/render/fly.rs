//! `fly secrets import` input: `NAME=VALUE` lines on stdin.
//!
//! flyctl's parser (`internal/command/secrets/parser.go`, `parseSecrets`, superfly/flyctl at
//! ad0172face30) reads stdin line by line (`bufio.Scanner`, so `\n` ends a line and one `\r`
//! before it is dropped), skips lines starting with `#` and blank lines, splits at the first `=`,
//! trims spaces around the name and on the left of the value, cuts the value at its first `#`
//! when the text before that `#` holds an even number of `"` (a comment), then:
//! `"""…"""` on one line is taken verbatim, `"""` alone starts a multi-line value that ends at
//! a line ending in `"""`, and one pair of surrounding `"` or `'` is stripped.
//!
//! ProxyTrust writes every value as `NAME="""VALUE"""` on one line. That reads back as exactly
//! `VALUE` when VALUE has no line break and, if it contains `#`, an even number of `"` before its
//! first `#` (the line's text before `#` then holds `"""` plus those: an odd count, so nothing
//! is cut). Other values cannot pass through `import` unchanged; the deploy script refuses
//! them instead of storing something else.

/// True when `value` reads back unchanged from a `NAME="""VALUE"""` line.
pub fn importable(value: &str) -> bool {
    if value.contains('\n') {
        return false;
    }
    match value.find('#') {
        Some(i) => value[..i].matches('"').count().is_multiple_of(2),
        None => true,
    }
}

/// The import line for a value known when ProxyTrust runs (`None` when [`importable`] is false).
pub fn import_line(name: &str, value: &str) -> Option<String> {
    importable(value).then(|| format!("{name}=\"\"\"{value}\"\"\"\n"))
}

/// The bash function the deploy script defines: `fly_import_line NAME VALUE` prints the import
/// line, or explains on stderr and exits when the value cannot pass unchanged (the same rule as
/// [`importable`]). Called inside `$(...)`, so `exit` stops the substitution and `set -e` the
/// script.
pub const IMPORT_LINE_FN: &[&str] = &[
    "fly_import_line() {",
    "  local before=\"${2%%#*}\"",
    "  local quotes=\"${before//[^\\\"]/}\"",
    "  if [[ \"$2\" == *$'\\n'* ]] || { [[ \"$2\" == *'#'* ]] && (( ${#quotes} % 2 == 1 )); }; then",
    "    echo \"$1: fly secrets import cannot carry this value unchanged (a line break, or an odd number of \\\" before #); set it with the Fly dashboard\" >&2",
    "    exit 1",
    "  fi",
    "  printf '%s=\"\"\"%s\"\"\"\\n' \"$1\" \"$2\"",
    "}",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule() {
        assert!(importable("a#b"));
        assert!(importable("\"x\"#b"));
        assert!(!importable("\"#b"));
        assert!(!importable("a\nb"));
        assert!(importable("it's \"\"\" $x"));
        assert_eq!(import_line("K", "v").as_deref(), Some("K=\"\"\"v\"\"\"\n"));
    }
}
