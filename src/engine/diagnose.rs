//! `proxytrust diagnose`: recognise a pasted error message or log line.
//!
//! Each app module lists the messages it (or the framework under it) prints as [`Signature`]s,
//! every one quoted from the upstream source named in its `references`. Matching is by regular
//! expression on the pasted text; nothing is guessed: text that matches no signature gives an
//! empty result, which the CLI and the GUI report as "not recognised".
//!
//! Signatures are tried in registry order (apps before the frameworks under them, see
//! [`APPS`]), and a later signature whose match overlaps an earlier one is dropped, so an
//! app-specific message ("Origin checking failed ... : /user/login/" is Label Studio) wins over
//! the framework's generic reading of the same line.
//!
//! [`APPS`]: crate::engine::apps::APPS

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::engine::apps::{self, APPS};
use crate::engine::diagnostics::FieldEdit;
use crate::engine::inputs::RawInputs;

/// One recognisable message.
#[derive(Debug)]
pub struct Signature {
    /// Stable id, e.g. `django-origin-checking-failed`.
    pub id: &'static str,
    /// A regular expression (`regex` crate syntax). Named groups fill the form: `origin` (a
    /// public origin such as `https://ls.example.com`) and `version` (the app version).
    pub pattern: &'static str,
    /// App ids that print this text, most likely first. When the current app is one of them it
    /// is kept; otherwise the first is proposed.
    pub apps: &'static [&'static str],
    /// What printed it, e.g. "Django's CSRF middleware".
    pub emitter: &'static str,
    /// Why it happens, in a sentence or two.
    pub cause: &'static str,
    /// What to change.
    pub fix: &'static str,
    /// Where the message text and the cause come from.
    pub references: &'static str,
}

/// One recognised message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub signature: &'static str,
    /// The text that matched.
    pub matched: String,
    /// The app the form should use.
    pub app: &'static str,
    pub app_name: &'static str,
    pub emitter: &'static str,
    pub cause: &'static str,
    pub fix: &'static str,
    pub references: &'static str,
    /// Edits that fill the form (app, URL, version); empty when the form already says so.
    pub edits: Vec<FieldEdit>,
}

/// Longest text considered; longer pastes are cut (logs can be huge, messages are short).
pub const MAX_INPUT: usize = 256 * 1024;

static COMPILED: LazyLock<Vec<(&'static Signature, Regex)>> = LazyLock::new(|| {
    APPS.iter()
        .flat_map(|a| a.signatures().iter())
        // A pattern that does not compile is skipped here and fails the registry test.
        .filter_map(|s| Regex::new(s.pattern).ok().map(|r| (s, r)))
        .collect()
});

/// Every signature, in registry order.
pub fn signatures() -> impl Iterator<Item = &'static Signature> {
    APPS.iter().flat_map(|a| a.signatures().iter())
}

/// Recognises the messages in `text`, in the order they appear. `current` is the form as it
/// is now, so the edits only change what differs.
pub fn diagnose(text: &str, current: &RawInputs) -> Vec<Diagnosis> {
    let mut end = text.len().min(MAX_INPUT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    let mut taken: Vec<(std::ops::Range<usize>, Diagnosis)> = Vec::new();
    for (sig, re) in COMPILED.iter() {
        let Some(caps) = re.captures(text) else {
            continue;
        };
        let Some(whole) = caps.get(0) else { continue };
        let span = whole.range();
        if taken
            .iter()
            .any(|(r, _)| r.start < span.end && span.start < r.end)
        {
            continue;
        }
        let current_app = current.app.trim();
        let app_id = if sig.apps.contains(&current_app) {
            current_app
        } else {
            sig.apps.first().copied().unwrap_or(current_app)
        };
        let Some(app) = apps::find(app_id) else {
            continue;
        };
        let mut edits = Vec::new();
        if app.id() != current_app {
            edits.push(FieldEdit::SetApp {
                id: app.id().to_owned(),
            });
        }
        if let Some(o) = caps.name("origin") {
            let o = o.as_str().trim().trim_end_matches(['.', ',', ';', ')']);
            if (o.starts_with("https://") || o.starts_with("http://"))
                && !current.urls.iter().any(|u| u.trim() == o)
            {
                edits.push(FieldEdit::AddUrl {
                    value: o.to_owned(),
                });
            }
        }
        if let Some(ver) = caps.name("version")
            && current.app_version.trim() != ver.as_str()
        {
            edits.push(FieldEdit::SetVersion {
                value: ver.as_str().to_owned(),
            });
        }
        taken.push((
            span,
            Diagnosis {
                signature: sig.id,
                matched: whole.as_str().trim().to_owned(),
                app: app.id(),
                app_name: app.name(),
                emitter: sig.emitter,
                cause: sig.cause,
                fix: sig.fix,
                references: sig.references,
                edits,
            },
        ));
    }
    taken.sort_by_key(|(r, _)| r.start);
    taken.into_iter().map(|(_, d)| d).collect()
}

/// Applies every diagnosis' edits to `raw` (the GUI's "Fill the form" and `diagnose --apply`).
pub fn apply(diagnoses: &[Diagnosis], raw: &mut RawInputs) {
    for d in diagnoses {
        crate::engine::diagnostics::Fix::safe("", d.edits.clone()).apply(raw);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles_and_ids_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for s in signatures() {
            assert!(seen.insert(s.id), "duplicate signature id {}", s.id);
            let re = Regex::new(s.pattern);
            assert!(re.is_ok(), "{}: {:?}", s.id, re.err());
            assert!(!s.apps.is_empty(), "{} names no app", s.id);
            for a in s.apps {
                assert!(apps::find(a).is_some(), "{} names unknown app {a}", s.id);
            }
            assert!(!s.references.is_empty(), "{} has no reference", s.id);
        }
    }

    #[test]
    fn unknown_text_is_not_recognised() {
        for t in [
            "",
            "hello world",
            "segmentation fault (core dumped)",
            "Forbidden",
            "CSRF",
        ] {
            assert!(diagnose(t, &RawInputs::default()).is_empty(), "{t:?}");
        }
    }

    #[test]
    fn cut_at_a_char_boundary() {
        let long = "é".repeat(MAX_INPUT);
        assert!(diagnose(&long, &RawInputs::default()).is_empty());
    }
}
