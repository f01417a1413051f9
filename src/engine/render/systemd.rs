//! systemd unit files and `EnvironmentFile=` files.
//!
//! `EnvironmentFile=` (systemd `man/systemd.exec.xml`; parser `src/basic/env-file.c`
//! `parse_env_file_internal`; shared/knowledge/platforms.md §10): one `NAME=value` per line, `#`
//! or `;` lines are comments; an unquoted value takes POSIX-shell backslash escapes; a
//! `'...'`-quoted value is literal (any character but `'`, newlines included); quoted and
//! unquoted pieces after `=` are concatenated (the parser returns to its pre-value state after a
//! closing quote, but quotes open a piece only there: after an unquoted piece a `'` is literal).
//! No `$` expansion and no `%` specifiers happen in the file. [`single_quote`] writes the whole
//! value as quoted pieces (`'` written `'"'"'`, backslashes left inside the single quotes), so a
//! value reads back the same in systemd and in bash. (`shell::quote` moves trailing backslashes
//! out of the quotes for shellcheck's sake; systemd would then read the next `'` literally.)
//!
//! Unit files (`man/systemd.unit.xml` "Specifiers", `man/systemd.service.xml` "Command lines"):
//! `%` starts a specifier in most settings (literal `%` is `%%`); in `Exec*=` command lines `$NAME`
//! is substituted from the environment (literal `$` is `$$`), words are split on whitespace and
//! double-quoted words take C-style escapes.

/// One `NAME=value` line of an `EnvironmentFile=` (with its newline).
pub fn env_line(name: &str, value: &str) -> String {
    format!("{name}={}\n", single_quote(value))
}

/// The value as a plain word when it is one, else as `'...'` pieces only: `'` becomes `'"'"'` (close, a double-quoted `'`, reopen);
/// everything else, backslashes and newlines included, stays inside single quotes.
pub fn single_quote(value: &str) -> String {
    // Plain words (letters, digits, `_@%+=:,./-`) need no quotes, as in the shell.
    if !value.is_empty() && value.chars().all(super::shell::is_safe) {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\"'\"'");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// `%` -> `%%` for settings where specifiers are expanded (`Description=`, paths, ...).
pub fn escape_specifiers(s: &str) -> String {
    s.replace('%', "%%")
}

/// One word of an `ExecStart=` command line, as systemd splits and unescapes it.
pub fn exec_word(w: &str) -> String {
    let safe = !w.is_empty()
        && w.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '@' | '+' | '=' | ':' | ',' | '.' | '/' | '-')
        });
    if safe {
        return w.to_owned();
    }
    let mut out = String::from("\"");
    for c in w.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("$$"),
            '%' => out.push_str("%%"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A unit file section line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitLine {
    /// `Key=value` (the value is written as given: callers escape with [`escape_specifiers`] or
    /// build command lines with [`exec_word`]).
    Set(&'static str, String),
    Comment(String),
}

/// A unit file: sections in order, each with its lines.
pub fn render_unit(sections: &[(&str, Vec<UnitLine>)]) -> String {
    let mut out = String::new();
    for (i, (name, lines)) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push('[');
        out.push_str(name);
        out.push_str("]\n");
        for l in lines {
            match l {
                UnitLine::Set(k, v) => {
                    out.push_str(k);
                    out.push('=');
                    out.push_str(v);
                    out.push('\n');
                }
                UnitLine::Comment(c) => {
                    for part in c.lines() {
                        out.push_str("# ");
                        out.push_str(part);
                        out.push('\n');
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines_and_words() {
        assert_eq!(env_line("A", "x"), "A=x\n");
        assert_eq!(env_line("A", "it's $x%"), "A='it'\"'\"'s $x%'\n");
        assert_eq!(env_line("A", ""), "A=''\n");
        assert_eq!(exec_word("/usr/bin/docker"), "/usr/bin/docker");
        assert_eq!(exec_word("a b$%\"\\"), "\"a b$$%%\\\"\\\\\"");
        assert_eq!(escape_specifiers("50%"), "50%%");
    }
}
