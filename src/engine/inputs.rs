//! `RawInputs`: exactly what the user typed. The GUI form binds to it, a project file stores it,
//! CLI flags build it. Nothing here is ever corrected silently: corrections are [`Fix`]es
//! (see `diagnostics`) that the user applies.
//!
//! [`Fix`]: crate::engine::diagnostics::Fix

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One extra environment variable typed by the user ("extra variables" in the form).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraVar {
    pub name: String,
    pub value: String,
}

/// Everything the user typed. Field names are part of the project file format.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawInputs {
    /// Public URLs the service is reached at, one per entry, as typed.
    pub urls: Vec<String>,
    /// Platform id, e.g. `cloud-run`.
    pub platform: String,
    /// App id, e.g. `label-studio`.
    pub app: String,
    /// App version as typed (empty: the newest version ProxyTrust knows).
    pub app_version: String,
    /// App and platform options by key (see each module's `OPTIONS`); a missing key takes the
    /// option's default.
    pub options: BTreeMap<String, String>,
    /// Extra variables the user wants in the container.
    pub extra_env: Vec<ExtraVar>,
    /// Secret values by environment variable name. Supplied by the caller (typed, or generated
    /// with a CSPRNG by the GUI/CLI); the engine never makes one up.
    pub secrets: BTreeMap<String, String>,
}

impl RawInputs {
    /// The value of an option, or its default from `specs`.
    pub fn option<'a>(&'a self, specs: &'a [OptionSpec], key: &str) -> &'a str {
        if let Some(v) = self.options.get(key) {
            return v.as_str();
        }
        specs
            .iter()
            .find(|s| s.key == key)
            .map_or("", |s| s.default)
    }
}

/// How an option is edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Text,
    /// A whole number.
    Integer,
    /// An e-mail address.
    Email,
    /// One of the listed `(value, label)` pairs.
    Choice(&'static [(&'static str, &'static str)]),
}

/// One option an app or a platform accepts. The GUI form, `--set KEY=VALUE` and the docs are
/// all driven by these lists.
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: OptionKind,
    pub default: &'static str,
}
