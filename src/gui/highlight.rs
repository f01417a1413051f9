//! Syntax highlighting for the output blocks: a small tokenizer per language (bash, YAML, JSON,
//! Python, nginx, TOML, dotenv, Markdown, Caddyfile) that colours comments, strings, keys,
//! variables and flags. It only colours: the text is never changed, so what is copied is what
//! is shown. Layouts are cached by the caller (`outputs.rs`) and rebuilt only when a block's
//! text or the theme changes.

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId, Visuals};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Comment,
    Str,
    Key,
    Var,
    Flag,
    Number,
    Heading,
}

fn color(v: &Visuals, k: Kind) -> Color32 {
    let dark = v.dark_mode;
    match k {
        Kind::Plain => v.text_color(),
        Kind::Comment => v.weak_text_color(),
        Kind::Str => {
            if dark {
                Color32::from_rgb(0xce, 0x91, 0x78)
            } else {
                Color32::from_rgb(0xa3, 0x15, 0x15)
            }
        }
        Kind::Key | Kind::Heading => {
            if dark {
                Color32::from_rgb(0x56, 0x9c, 0xd6)
            } else {
                Color32::from_rgb(0x00, 0x55, 0xaa)
            }
        }
        Kind::Var => {
            if dark {
                Color32::from_rgb(0x9c, 0xdc, 0xfe)
            } else {
                Color32::from_rgb(0x00, 0x70, 0x70)
            }
        }
        Kind::Flag => {
            if dark {
                Color32::from_rgb(0xc5, 0x86, 0xc0)
            } else {
                Color32::from_rgb(0x80, 0x00, 0x80)
            }
        }
        Kind::Number => {
            if dark {
                Color32::from_rgb(0xb5, 0xce, 0xa8)
            } else {
                Color32::from_rgb(0x09, 0x86, 0x58)
            }
        }
    }
}

/// Which comment and key syntax a language uses.
struct Syntax {
    hash_comments: bool,
    /// `key:` (YAML) or `key =` / `KEY=` (TOML, dotenv) at the start of a line.
    key_sep: Option<char>,
    shell_vars: bool,
    flags: bool,
}

fn syntax(language: &str) -> Option<Syntax> {
    let s = |hash_comments, key_sep, shell_vars, flags| Syntax {
        hash_comments,
        key_sep,
        shell_vars,
        flags,
    };
    Some(match language {
        "bash" | "sh" | "shell" => s(true, None, true, true),
        "yaml" => s(true, Some(':'), false, false),
        "toml" | "dotenv" | "ini" | "systemd" => s(true, Some('='), true, false),
        "python" => s(true, None, false, false),
        "nginx" | "caddy" | "caddyfile" => s(true, None, true, false),
        "json" => s(false, None, false, false),
        _ => return None,
    })
}

/// Splits `text` into coloured spans: (byte range, kind).
fn spans(text: &str, language: &str) -> Vec<(std::ops::Range<usize>, Kind)> {
    let mut out = Vec::new();
    if language == "markdown" {
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let t = line.trim_start();
            let kind = if t.starts_with('#') {
                Kind::Heading
            } else if t.starts_with("<!--") || t.starts_with("-->") || t.starts_with("Source:") {
                Kind::Comment
            } else if t.starts_with("```") {
                Kind::Key
            } else {
                Kind::Plain
            };
            out.push((start..start + line.len(), kind));
            start += line.len();
        }
        return out;
    }
    let Some(syn) = syntax(language) else {
        out.push((0..text.len(), Kind::Plain));
        return out;
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut line_start = true;
    let mut plain_from = 0;
    let push = |out: &mut Vec<_>, plain_from: &mut usize, range: std::ops::Range<usize>, k| {
        if *plain_from < range.start {
            out.push((*plain_from..range.start, Kind::Plain));
        }
        *plain_from = range.end;
        out.push((range, k));
    };
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if line_start && (c == b' ' || c == b'\t') {
            i += 1;
            continue;
        }
        let at_line_start = line_start;
        line_start = false;
        // Comments run to the end of the line.
        if syn.hash_comments
            && c == b'#'
            && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n'))
        {
            let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
            push(&mut out, &mut plain_from, i..end, Kind::Comment);
            i = end;
            continue;
        }
        // Keys at the start of a line: `name:` / `name =` / `NAME=`; JSON keys: `"name":`.
        if at_line_start && let Some(sep) = syn.key_sep {
            let rest = &text[i..];
            let line_end = rest.find('\n').unwrap_or(rest.len());
            let line = &rest[..line_end];
            let key_len = line
                .find(|ch: char| !(ch.is_alphanumeric() || matches!(ch, '_' | '-' | '.')))
                .unwrap_or(line.len());
            let after = line[key_len..].trim_start();
            let after = after.strip_prefix("- ").unwrap_or(after);
            if key_len > 0 && after.starts_with(sep) {
                push(&mut out, &mut plain_from, i..i + key_len, Kind::Key);
                i += key_len;
                continue;
            }
        }
        match c {
            b'"' | b'\'' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != c && bytes[j] != b'\n' {
                    if c == b'"' && bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let end = (j + 1).min(bytes.len());
                let kind = if language == "json" && text[end..].trim_start().starts_with(':') {
                    Kind::Key
                } else {
                    Kind::Str
                };
                push(&mut out, &mut plain_from, i..end, kind);
                i = end;
            }
            b'$' if syn.shell_vars => {
                let mut j = i + 1;
                if j < bytes.len() && bytes[j] == b'{' {
                    while j < bytes.len() && bytes[j] != b'}' && bytes[j] != b'\n' {
                        j += 1;
                    }
                    j = (j + 1).min(bytes.len());
                } else {
                    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_')
                    {
                        j += 1;
                    }
                }
                push(&mut out, &mut plain_from, i..j, Kind::Var);
                i = j;
            }
            b'-' if syn.flags
                && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t'))
                && bytes
                    .get(i + 1)
                    .is_some_and(|b| *b == b'-' || b.is_ascii_alphabetic()) =>
            {
                let mut j = i + 1;
                while j < bytes.len()
                    && !matches!(bytes[j], b' ' | b'\t' | b'\n' | b'=' | b'\'' | b'"')
                {
                    j += 1;
                }
                push(&mut out, &mut plain_from, i..j, Kind::Flag);
                i = j;
            }
            b'0'..=b'9'
                if i == 0
                    || !(bytes[i - 1].is_ascii_alphanumeric()
                        || bytes[i - 1] == b'_'
                        || bytes[i - 1] == b'-'
                        || bytes[i - 1] == b'.') =>
            {
                let mut j = i;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                if j == bytes.len()
                    || !(bytes[j].is_ascii_alphabetic() || bytes[j] == b'_' || bytes[j] == b'-')
                {
                    push(&mut out, &mut plain_from, i..j, Kind::Number);
                }
                i = j.max(i + 1);
            }
            _ => {
                // Advance one whole character (the text may hold any Unicode).
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    if plain_from < text.len() {
        out.push((plain_from..text.len(), Kind::Plain));
    }
    out
}

/// The coloured layout of `text`. `highlight_lines` get a background (lines that just changed).
pub fn layout_job(
    text: &str,
    language: &str,
    visuals: &Visuals,
    font: FontId,
    highlight_lines: &std::collections::BTreeSet<usize>,
    highlight: Color32,
) -> LayoutJob {
    let mut job = LayoutJob::default();
    // Line starts, to find which line a span is on.
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    for (range, kind) in spans(text, language) {
        // Split spans at line breaks so each line gets its own background.
        let mut start = range.start;
        while start < range.end {
            let line = line_starts.partition_point(|&s| s <= start) - 1;
            let line_end = line_starts.get(line + 1).copied().unwrap_or(text.len());
            let end = range.end.min(line_end);
            let mut format = TextFormat::simple(font.clone(), color(visuals, kind));
            if highlight_lines.contains(&line) {
                format.background = highlight;
            }
            job.append(&text[start..end], 0.0, format);
            start = end;
        }
    }
    job.wrap.max_width = f32::INFINITY;
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, lang: &str) -> Vec<(String, bool)> {
        spans(text, lang)
            .into_iter()
            .map(|(r, k)| (text[r].to_owned(), k == Kind::Plain))
            .collect()
    }

    #[test]
    fn spans_cover_the_text_exactly_in_order() {
        for (text, lang) in [
            ("# c\nexport A=\"x $B\" # d\n--flag=1 'y'\n", "bash"),
            ("KEY: \"v: #x\"\n# c\n- a: 1\n", "yaml"),
            ("{\"a\": \"b\", \"n\": 12}", "json"),
            ("c.X = 'y'  # z\nprint(\"é中\")\n", "python"),
            ("server {\n  listen 80; # x\n  set $a \"b\";\n}\n", "nginx"),
            ("A=1\n# c\nB='x y'\n", "dotenv"),
            ("# H\n\ntext\n<!--\n-->\n", "markdown"),
            ("anything ü", "text"),
            ("", "bash"),
        ] {
            let s = spans(text, lang);
            let mut at = 0;
            for (r, _) in &s {
                assert_eq!(r.start, at, "{lang}: {text:?}");
                at = r.end;
            }
            assert_eq!(at, text.len(), "{lang}: {text:?}");
        }
    }

    #[test]
    fn comments_strings_and_keys_are_told_apart() {
        let k = kinds("KEY: \"v # not a comment\" # comment\n", "yaml");
        assert!(k.iter().any(|(t, plain)| t == "KEY" && !plain));
        assert!(k.iter().any(|(t, _)| t == "\"v # not a comment\""));
        assert!(k.iter().any(|(t, _)| t == "# comment"));
    }
}
