//! POSIX shell: quoting and a tiny script model (comments, commands as argv vectors, raw control
//! lines). All shell quoting in ProxyTrust lives here.
//!
//! Rule (bash manual, QUOTING; POSIX XCU 2.2.2): everything between single quotes is literal and a
//! `'` cannot appear inside, so `'` is written `'"'"'` (as CPython's `shlex.quote`). Words made
//! only of characters no shell treats specially are left bare. `^` is quoted because zsh with
//! EXTENDED_GLOB treats a leading `^` as a glob (shared/knowledge/platforms.md §11).

use std::borrow::Cow;

/// Characters that never need quoting in bash, dash or zsh (as words after the command name).
pub(crate) fn is_safe(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '@' | '%' | '+' | '=' | ':' | ',' | '.' | '/' | '-')
}

/// Quotes one word so that bash reads it back as exactly `s`.
pub fn quote(s: &str) -> String {
    quote_cow(s).into_owned()
}

/// [`quote`] without a copy for a word that needs no quotes (most words of a command).
fn quote_cow(s: &str) -> Cow<'_, str> {
    if !s.is_empty() && s.bytes().all(|b| is_safe(char::from(b))) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(quote_always(s))
}

fn quote_always(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => out.push_str("'\"'\"'"),
            '\\' => {
                let mut run = 1;
                while chars.peek() == Some(&'\\') {
                    chars.next();
                    run += 1;
                }
                if matches!(chars.peek(), None | Some('\'')) {
                    // Backslashes right before a closing `'` are literal in bash, but shellcheck
                    // reads `\'` as an attempt to escape the quote (SC1003): write them outside
                    // the quotes, each escaped.
                    out.push('\'');
                    for _ in 0..run {
                        out.push_str("\\\\");
                    }
                    out.push('\'');
                } else {
                    for _ in 0..run {
                        out.push('\\');
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Quotes for display on one line (comments): like [`quote`], but control characters such as
/// newlines use bash's `$'...'` form so the line stays one line.
pub fn quote_one_line(s: &str) -> String {
    let special = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !s.chars().any(special) {
        return quote(s);
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if special(c) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// One word of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Word {
    /// A literal: quoted as needed.
    Lit(String),
    /// Shell text emitted as is, e.g. `"$runtime_sa"`; only for text ProxyTrust itself writes,
    /// never for user input.
    Raw(String),
}

impl Word {
    pub fn lit(s: impl Into<String>) -> Self {
        Self::Lit(s.into())
    }
    /// The unquoted length (a capacity hint).
    fn len_hint(&self) -> usize {
        match self {
            Self::Lit(s) | Self::Raw(s) => s.len(),
        }
    }

    fn render(&self) -> Cow<'_, str> {
        match self {
            Self::Lit(s) => quote_cow(s),
            Self::Raw(s) => Cow::Borrowed(s),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Comment(String),
    Blank,
    /// A command; `prefix` is shell text before it (e.g. `printf '%s' "$v" |`), `suffix` after
    /// it (e.g. `>/dev/null`).
    Cmd {
        prefix: Option<String>,
        argv: Vec<Word>,
        suffix: Option<String>,
    },
    /// Shell text ProxyTrust writes itself (control flow). Never built from user input
    /// except through [`quote`].
    Raw(String),
    /// Lines written exactly as given, at column 0, neither trimmed nor indented: the body and
    /// the closing delimiter of a here-document (`<<'EOF'`, whose body bash reads literally).
    Verbatim(String),
}

/// A script: lines, plus the indentation applied to them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub lines: Vec<Line>,
}

impl Script {
    pub fn comment(&mut self, text: impl AsRef<str>) -> &mut Self {
        if text.as_ref().is_empty() {
            self.lines.push(Line::Comment(String::new()));
        }
        for l in text.as_ref().lines() {
            self.lines.push(Line::Comment(l.to_owned()));
        }
        self
    }
    pub fn blank(&mut self) -> &mut Self {
        self.lines.push(Line::Blank);
        self
    }
    pub fn raw(&mut self, text: impl Into<String>) -> &mut Self {
        self.lines.push(Line::Raw(text.into()));
        self
    }
    pub fn cmd(&mut self, argv: Vec<Word>) -> &mut Self {
        self.lines.push(Line::Cmd {
            prefix: None,
            argv,
            suffix: None,
        });
        self
    }
    pub fn cmd_with(
        &mut self,
        prefix: Option<String>,
        argv: Vec<Word>,
        suffix: Option<String>,
    ) -> &mut Self {
        self.lines.push(Line::Cmd {
            prefix,
            argv,
            suffix,
        });
        self
    }
    /// A here-document body followed by its closing `delimiter`, both at column 0. The command
    /// line that opens it (`... <<'DELIM'`) must quote the delimiter, so bash reads `body`
    /// literally; `body` must not contain a line equal to `delimiter` (the caller's serializer
    /// guarantees it: see `render::kube` and `render::ecs`).
    pub fn heredoc(&mut self, body: &str, delimiter: &str) -> &mut Self {
        let mut text = body.to_owned();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(delimiter);
        self.lines.push(Line::Verbatim(text));
        self
    }
    /// Writes `content` to the file `target` (shell text, e.g. `compose.yaml` or
    /// `"$dir/x.conf"`) with a quoted here-document: `cat > target <<'END'`. The shell performs
    /// no expansion at all in a here-document whose delimiter is quoted (bash manual,
    /// "Here Documents"; POSIX XCU 2.7.4), so the file gets exactly `content`. The delimiter is
    /// chosen so that no line of `content` equals it. `content` should end with a newline (one
    /// is added otherwise).
    pub fn write_file(&mut self, target: &str, content: &str) -> &mut Self {
        let mut delim = String::from("PROXYTRUST_EOF");
        let mut n = 0;
        while content.lines().any(|l| l == delim) {
            n += 1;
            delim = format!("PROXYTRUST_EOF_{n}");
        }
        self.lines
            .push(Line::Raw(format!("cat > {target} <<'{delim}'")));
        self.heredoc(content, &delim);
        self
    }
    pub fn extend(&mut self, other: &Script) -> &mut Self {
        self.lines.extend(other.lines.iter().cloned());
        self
    }

    /// Renders the script. Long commands are broken after the command words with ` \`
    /// continuations, one flag per line. Indentation of `Raw` lines is kept; commands and
    /// comments take the indentation of the preceding `Raw` block opener (`then`, `(`), tracked
    /// by a simple depth counter.
    pub fn render(&self) -> String {
        // Roughly the final size, so the text is not copied over and over as it grows.
        let estimate: usize = self
            .lines
            .iter()
            .map(|l| match l {
                Line::Blank => 1,
                Line::Comment(c) | Line::Verbatim(c) | Line::Raw(c) => c.len() + 8,
                Line::Cmd {
                    prefix,
                    argv,
                    suffix,
                } => {
                    prefix.as_ref().map_or(0, String::len)
                        + suffix.as_ref().map_or(0, String::len)
                        + argv.iter().map(|w| w.len_hint() + 8).sum::<usize>()
                }
            })
            .sum();
        let mut out = String::with_capacity(estimate + 256);
        let mut depth: usize = 0;
        for line in &self.lines {
            match line {
                Line::Blank => out.push('\n'),
                Line::Comment(c) => {
                    push_indent(&mut out, depth);
                    if c.is_empty() {
                        out.push_str("#\n");
                    } else {
                        out.push_str("# ");
                        out.push_str(c);
                        out.push('\n');
                    }
                }
                Line::Verbatim(v) => {
                    out.push_str(v);
                    out.push('\n');
                }
                Line::Raw(r) => {
                    let t = r.trim();
                    if closes(t) {
                        depth = depth.saturating_sub(1);
                    }
                    push_indent(&mut out, depth);
                    out.push_str(t);
                    out.push('\n');
                    if opens(t) {
                        depth += 1;
                    }
                }
                Line::Cmd {
                    prefix,
                    argv,
                    suffix,
                } => {
                    render_cmd(&mut out, depth, prefix.as_deref(), argv, suffix.as_deref());
                }
            }
        }
        out
    }
}

fn opens(t: &str) -> bool {
    t == "("
        || t == "then"
        || t.ends_with(" then")
        || t.ends_with(" do")
        || t.ends_with(" in")
        || t.ends_with('{')
        || t.starts_with("else")
}

fn closes(t: &str) -> bool {
    matches!(t, ")" | "fi" | "done" | "}" | "esac") || t.starts_with("else")
}

fn push_indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn render_cmd(
    out: &mut String,
    depth: usize,
    prefix: Option<&str>,
    argv: &[Word],
    suffix: Option<&str>,
) {
    let words: Vec<Cow<'_, str>> = argv.iter().map(Word::render).collect();
    // A literal `$` or backtick inside single quotes is intended: say so to shellcheck (SC2016
    // would otherwise suggest double quotes, which is exactly the bug it warns about).
    if argv
        .iter()
        .any(|w| matches!(w, Word::Lit(s) if s.contains(['$', '`'])))
    {
        push_indent(out, depth);
        out.push_str("# shellcheck disable=SC2016 # literal $ and ` in values are intended\n");
    }
    // The whole command on one line when it fits (measured, not built, first).
    let words_len = words.iter().map(|w| w.len()).sum::<usize>() + words.len().saturating_sub(1);
    let single_len =
        prefix.map_or(0, |p| p.len() + 1) + words_len + suffix.map_or(0, |s| s.len() + 1);
    let multiline = prefix.is_some_and(|p| p.contains('\n'))
        || suffix.is_some_and(|s| s.contains('\n'))
        || words.iter().any(|w| w.contains('\n'));
    push_indent(out, depth);
    if single_len + depth * 2 <= 100 && !multiline {
        if let Some(p) = prefix {
            out.push_str(p);
            out.push(' ');
        }
        push_joined(out, &words);
        if let Some(s) = suffix {
            out.push(' ');
            out.push_str(s);
        }
        out.push('\n');
        return;
    }
    let mut depth = depth;
    if let Some(p) = prefix {
        // `printf ... |` on its own line, the command below it.
        out.push_str(p);
        out.push_str(" \\\n");
        depth += 1;
        push_indent(out, depth);
        if words_len + depth * 2 <= 100
            && suffix.is_none()
            && !words.iter().any(|w| w.contains('\n'))
        {
            push_joined(out, &words);
            out.push('\n');
            return;
        }
    }
    // Head: everything up to the first word that starts with `-`.
    let split = argv
        .iter()
        .position(|w| match w {
            Word::Lit(s) | Word::Raw(s) => s.starts_with('-'),
        })
        .unwrap_or(words.len());
    push_joined(out, &words[..split]);
    // One option per line; a `--flag` keeps its separate value (`--name value`) on its line.
    let starts_dash = |w: &Word| match w {
        Word::Lit(s) | Word::Raw(s) => s.starts_with('-'),
    };
    let mut i = split;
    while i < words.len() {
        out.push_str(" \\\n");
        push_indent(out, depth + 1);
        out.push_str(&words[i]);
        if starts_dash(&argv[i]) && i + 1 < words.len() && !starts_dash(&argv[i + 1]) {
            out.push(' ');
            out.push_str(&words[i + 1]);
            i += 1;
        }
        i += 1;
    }
    if let Some(s) = suffix {
        out.push(' ');
        out.push_str(s);
    }
    out.push('\n');
}

/// The words of a command on one line, each quoted as needed (for `$(...)` substitutions).
pub fn line(words: &[Word]) -> String {
    let mut out = String::with_capacity(words.iter().map(|w| w.len_hint() + 1).sum());
    push_joined(&mut out, words.iter().map(Word::render));
    out
}

/// The words of an argv as they are, without shell quoting (for `Platform::deploy_command`).
pub fn unquoted(argv: Vec<Word>) -> Vec<String> {
    argv.into_iter()
        .map(|w| match w {
            Word::Lit(s) | Word::Raw(s) => s,
        })
        .collect()
}

/// Appends the words separated by single spaces.
fn push_joined<S: AsRef<str>>(out: &mut String, words: impl IntoIterator<Item = S>) {
    for (i, w) in words.into_iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("abc"), "abc");
        assert_eq!(quote("--region=us-central1"), "--region=us-central1");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), "'it'\"'\"'s'");
        assert_eq!(quote("$x"), "'$x'");
        assert_eq!(quote("^|^a"), "'^|^a'");
        assert_eq!(quote_one_line("a\nb"), "$'a\\nb'");
        assert_eq!(quote("a\\"), "'a'\\\\''");
        assert_eq!(quote("a\\'b"), "'a'\\\\''\"'\"'b'");
        assert_eq!(quote("a\\\\"), "'a'\\\\\\\\''");
    }
}
