//! The app registry: one file per app or framework, one line per app in [`APPS`]. The GUI combo
//! box, `proxytrust list apps`, the docs and the matrix tests all read this list.

pub mod label_studio;

use crate::engine::Valid;
use crate::engine::diagnostics::Diagnostic;
use crate::engine::inputs::OptionSpec;
use crate::engine::plan::AppPlan;

pub trait App: Sync {
    fn id(&self) -> &'static str;
    fn name(&self) -> &'static str;
    /// One line: what it is.
    fn summary(&self) -> &'static str;
    fn options(&self) -> &'static [OptionSpec];
    /// Versions ProxyTrust has read, newest first. The first one is the default.
    fn known_versions(&self) -> &'static [&'static str];
    /// App-specific diagnostics (versions, options, extra variables the app ignores).
    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>);
    fn plan(&self, v: &Valid<'_>) -> AppPlan;
}

pub static APPS: &[&dyn App] = &[&label_studio::LabelStudio];

pub fn find(id: &str) -> Option<&'static dyn App> {
    APPS.iter().copied().find(|a| a.id() == id)
}
