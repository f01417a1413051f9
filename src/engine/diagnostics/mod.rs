//! Diagnostics: every problem found in the inputs, with a stable code, a short message, the long
//! explanation (from the code registry in [`codes`]) and zero or more fixes.
//!
//! A [`Fix`] is data: field edits the user applies with one click ("Apply fix" in the GUI). Its
//! [`Applicability`] says how safe it is, as in ruff: `Safe` only normalises, `Unsafe` changes
//! meaning, `DisplayOnly` is advice to act elsewhere.

pub mod codes;

use serde::Serialize;

use crate::engine::inputs::{ExtraVar, RawInputs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    Safe,
    Unsafe,
    DisplayOnly,
}

/// One edit of the raw inputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum FieldEdit {
    /// Replace URL entry `index` with `value`.
    SetUrl { index: usize, value: String },
    /// Remove URL entry `index`.
    RemoveUrl { index: usize },
    /// Set option `key` to `value`.
    SetOption { key: String, value: String },
    /// Remove the extra variable at `index`.
    RemoveExtra { index: usize },
    /// Set the value of the extra variable at `index`.
    SetExtraValue { index: usize, value: String },
    /// Choose another app (by id).
    SetApp { id: String },
    /// Set the app version field.
    SetVersion { value: String },
    /// Make sure `value` is one of the URLs: append it unless an entry already equals it.
    AddUrl { value: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the button says, e.g. `Use https://ls.example.com`.
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<FieldEdit>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<FieldEdit>) -> Self {
        Self {
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<FieldEdit>) -> Self {
        Self {
            title: title.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }

    /// Applies the edits to `raw`. Edits are applied in order; list removals are applied
    /// from the highest index down so indices stay valid.
    pub fn apply(&self, raw: &mut RawInputs) {
        let mut removals_url = Vec::new();
        let mut removals_extra = Vec::new();
        for edit in &self.edits {
            match edit {
                FieldEdit::SetUrl { index, value } => {
                    if let Some(u) = raw.urls.get_mut(*index) {
                        value.clone_into(u);
                    }
                }
                FieldEdit::RemoveUrl { index } => removals_url.push(*index),
                FieldEdit::SetOption { key, value } => {
                    raw.options.insert(key.clone(), value.clone());
                }
                FieldEdit::RemoveExtra { index } => removals_extra.push(*index),
                FieldEdit::SetExtraValue { index, value } => {
                    if let Some(ExtraVar { value: v, .. }) = raw.extra_env.get_mut(*index) {
                        value.clone_into(v);
                    }
                }
                FieldEdit::SetApp { id } => id.clone_into(&mut raw.app),
                FieldEdit::SetVersion { value } => value.clone_into(&mut raw.app_version),
                FieldEdit::AddUrl { value } => {
                    if !raw.urls.iter().any(|u| u.trim() == value) {
                        // Fill an empty first row rather than leaving it blank above.
                        match raw.urls.iter_mut().find(|u| u.trim().is_empty()) {
                            Some(empty) => value.clone_into(empty),
                            None => raw.urls.push(value.clone()),
                        }
                    }
                }
            }
        }
        remove_indices(&mut raw.urls, removals_url);
        remove_indices(&mut raw.extra_env, removals_extra);
    }
}

/// Removes the entries at `indices` (any order, duplicates allowed, out of range ignored).
fn remove_indices<T>(list: &mut Vec<T>, mut indices: Vec<usize>) {
    indices.sort_unstable();
    indices.dedup();
    for i in indices.into_iter().rev() {
        if i < list.len() {
            list.remove(i);
        }
    }
}

/// Which input a diagnostic is about: `urls[2]`, `option:service`, `extra[0]`, `app`, ...
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub field: String,
    pub message: String,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: codes::lookup(code).map_or(Severity::Error, |c| c.severity),
            field: field.into(),
            message: message.into(),
            fixes: Vec::new(),
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// The long explanation of this code (What / Why / Example / References).
    pub fn explanation(&self) -> &'static str {
        codes::lookup(self.code).map_or("", |c| c.explanation)
    }
}

/// Field name helpers, so every module spells them the same way.
pub mod field {
    pub fn url(index: usize) -> String {
        format!("urls[{index}]")
    }
    pub fn option(key: &str) -> String {
        format!("option:{key}")
    }
    pub fn extra(index: usize) -> String {
        format!("extra[{index}]")
    }
    pub const URLS: &str = "urls";
    pub const APP: &str = "app";
    pub const PLATFORM: &str = "platform";
    pub const VERSION: &str = "app_version";
    pub fn secret(name: &str) -> String {
        format!("secret:{name}")
    }
}

/// The edits of a fix that sets one option (the most common one-click fix).
pub fn set_option(key: &str, value: impl Into<String>) -> Vec<FieldEdit> {
    vec![FieldEdit::SetOption {
        key: key.to_owned(),
        value: value.into(),
    }]
}

/// For the app and platform modules' unit tests: applies every fix of every diagnostic whose
/// code starts with `prefix`, over `cases`, and checks each removes its diagnostic and adds no
/// error that was not there before. Returns how many fixes were checked.
#[cfg(test)]
pub(crate) fn check_fixes(cases: &[crate::engine::inputs::RawInputs], prefix: &str) -> usize {
    use crate::engine::generate;
    let mut checked = 0;
    for r in cases {
        let before = generate(r).diagnostics;
        for d in before.iter().filter(|d| d.code.starts_with(prefix)) {
            for fix in &d.fixes {
                let mut fixed = r.clone();
                fix.apply(&mut fixed);
                let after = generate(&fixed).diagnostics;
                assert!(
                    !after
                        .iter()
                        .any(|a| a.code == d.code && a.message == d.message),
                    "{} still there after {:?}",
                    d.code,
                    fix.title
                );
                for a in after.iter().filter(|a| a.severity == Severity::Error) {
                    assert!(
                        before
                            .iter()
                            .any(|b| b.code == a.code && b.message == a.message),
                        "{:?} for {} added {} {}",
                        fix.title,
                        d.code,
                        a.code,
                        a.message
                    );
                }
                checked += 1;
            }
        }
    }
    checked
}
