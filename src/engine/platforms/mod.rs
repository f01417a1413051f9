//! The platform registry: one file per platform, one line per platform in [`PLATFORMS`].

pub mod cloud_run;
pub mod compose;
pub mod ecs_fargate;
pub mod kubernetes;
pub mod reverse_proxy;
pub mod vm;

pub mod azure_container_apps;
pub mod fly;
pub mod heroku;
mod paas;
pub mod render;
pub mod swarm;

use crate::engine::Valid;
use crate::engine::diagnostics::Diagnostic;
use crate::engine::diagnostics::codes::Code;
use crate::engine::inputs::OptionSpec;
use crate::engine::plan::{EnvVar, Plan, Reason};
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
    /// The platform's own blocks: `env` (the platform's env form) and `deploy`, plus `proxy`
    /// where the platform has a proxy config to write.
    fn render(&self, v: &Valid<'_>, plan: &Plan, header: &Header) -> Vec<Block>;
    /// True when `host` (lower-case, no port) is one of this platform's own generated hostnames
    /// (`*.run.app`, `*.elb.amazonaws.com`, ...). Used to warn when a URL of one platform is
    /// used with another (PLT002).
    fn owns_host(&self, _host: &str) -> bool {
        false
    }
    /// True when code without an official image can only be deployed from an image the user
    /// built and pushed (the `image` option), because the platform builds nothing itself (ECS,
    /// Kubernetes). Apps use it to avoid offering a fix that would only lead to that error.
    fn needs_pushed_image_for_own_code(&self) -> bool {
        false
    }
    /// This platform's diagnostic codes with their explanations (see `diagnostics::codes`).
    fn codes(&self) -> &'static [Code] {
        &[]
    }
    /// Facts about the platform's front end that shape the outputs (TLS termination, the
    /// forwarded headers it really sends, session affinity), for the explain block. Appended to
    /// the app's reasons.
    fn reasons(&self, _v: &Valid<'_>, _plan: &Plan) -> Vec<Reason> {
        Vec::new()
    }
}

pub static PLATFORMS: &[&dyn Platform] = &[
    &cloud_run::CloudRun,
    &ecs_fargate::EcsFargate,
    &kubernetes::Kubernetes,
    &compose::Compose,
    &vm::Vm,
    &fly::Fly,
    &render::Render,
    &heroku::Heroku,
    &azure_container_apps::AzureContainerApps,
    &swarm::Swarm,
];

pub fn find(id: &str) -> Option<&'static dyn Platform> {
    PLATFORMS.iter().copied().find(|p| p.id() == id)
}

/// The deploy script's comment listing the shell variables it reads secret values from, after a
/// two-line introduction (each platform says when they are read):
/// `  NAME_VALUE  what it is (optional, generated when unset | required)`.
pub fn secret_variables_comment<'a>(
    s: &mut crate::engine::render::shell::Script,
    intro: [&str; 2],
    vars: impl IntoIterator<Item = &'a EnvVar>,
) {
    s.comment(intro[0]);
    s.comment(intro[1]);
    for var in vars {
        if let crate::engine::plan::EnvValue::Secret(spec) = &var.value {
            let how = if spec.generate.is_some() {
                "optional, generated when unset"
            } else {
                "required"
            };
            s.comment(format!("  {}_VALUE  {} ({how})", var.name, spec.describe));
        }
    }
}
