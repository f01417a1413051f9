//! The app registry: one file per app or framework, one line per app in [`APPS`]. The GUI combo
//! box, `proxytrust list apps`, the docs and the matrix tests all read this list.

pub mod cvat;
pub mod django;
pub mod fastapi;
pub mod jupyter_server;
pub mod jupyterhub;
pub mod label_studio;
pub mod open_webui;
pub mod romm;
pub mod tornado;

use crate::engine::Valid;
use crate::engine::diagnose::Signature;
use crate::engine::diagnostics::Diagnostic;
use crate::engine::diagnostics::codes::Code;
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
    /// True when the app uses WebSockets through the proxy (Jupyter kernels, Socket.IO): proxy
    /// configs then pass `Upgrade`/`Connection` and long timeouts.
    fn websockets(&self) -> bool {
        false
    }
    /// This app's diagnostic codes with their explanations (see `diagnostics::codes`).
    fn codes(&self) -> &'static [Code] {
        &[]
    }
    /// Error messages this app (or the framework under it) prints, for `proxytrust diagnose`.
    fn signatures(&self) -> &'static [Signature] {
        &[]
    }
}

/// Apps first, then the frameworks under them: `diagnose` tries signatures in this order, so an
/// app's specific reading of a message wins over its framework's generic one.
pub static APPS: &[&dyn App] = &[
    &label_studio::LabelStudio,
    &jupyterhub::JupyterHub,
    &jupyter_server::JupyterServer,
    &romm::Romm,
    &open_webui::OpenWebUi,
    &cvat::Cvat,
    &django::Django,
    &fastapi::FastApi,
    &tornado::Tornado,
];

pub fn find(id: &str) -> Option<&'static dyn App> {
    APPS.iter().copied().find(|a| a.id() == id)
}

/// A plausible e-mail address: `local@domain.tld`, no spaces or commas (what apps that take an
/// e-mail in an env var need; full RFC 5322 is not the point).
pub fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c == ',')
                && !domain.contains('@')
        }
        None => false,
    }
}
