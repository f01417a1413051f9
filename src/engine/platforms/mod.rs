//! The platform registry: one file per platform, one line per platform in [`PLATFORMS`].

pub mod cloud_run;

use crate::engine::Valid;
use crate::engine::diagnostics::Diagnostic;
use crate::engine::inputs::OptionSpec;
use crate::engine::plan::{EnvVar, Plan};
use crate::engine::render::{Block, Header};

pub trait Platform: Sync {
    fn id(&self) -> &'static str;
    fn name(&self) -> &'static str;
    fn summary(&self) -> &'static str;
    fn options(&self) -> &'static [OptionSpec];
    /// True when the front end serves https only (then `http://` URLs are an error).
    fn https_only(&self) -> bool;
    /// Variable names the platform reserves (`PORT` on Cloud Run) and reserved prefixes.
    fn reserved(&self, name: &str) -> bool;
    fn validate(&self, v: &Valid<'_>, diags: &mut Vec<Diagnostic>);
    /// Variables the platform itself sets in the container (e.g. `PORT`).
    fn injected(&self, v: &Valid<'_>, container_port: u16) -> Vec<EnvVar>;
    /// True when secret values are written inline (then each needs a value).
    fn inline_secrets(&self, v: &Valid<'_>) -> bool;
    /// How a secret is referenced in the env list (`NAME:VERSION` on Cloud Run).
    fn secret_reference(&self, v: &Valid<'_>, var: &EnvVar) -> String;
    /// The main deploy command as an argv vector (what the deploy block runs last), for tests
    /// and tools that want the words without shell quoting.
    fn deploy_command(&self, v: &Valid<'_>, plan: &Plan) -> Vec<String>;
    /// The platform's own blocks: `env` (the platform's env form) and `deploy`.
    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block>;
}

pub static PLATFORMS: &[&dyn Platform] = &[&cloud_run::CloudRun];

pub fn find(id: &str) -> Option<&'static dyn Platform> {
    PLATFORMS.iter().copied().find(|p| p.id() == id)
}
