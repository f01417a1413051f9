//! Kubernetes: stub, being written.

use crate::engine::Valid;
use crate::engine::diagnostics::Diagnostic;
use crate::engine::inputs::OptionSpec;
use crate::engine::plan::{EnvVar, Plan};
use crate::engine::render::{Block, Header};

use super::Platform;

pub struct Kubernetes;

impl Platform for Kubernetes {
    fn id(&self) -> &'static str {
        "kubernetes"
    }
    fn name(&self) -> &'static str {
        "Kubernetes"
    }
    fn summary(&self) -> &'static str {
        "Kubernetes"
    }
    fn options(&self) -> &'static [OptionSpec] {
        &[]
    }
    fn https_only(&self) -> bool {
        false
    }
    fn reserved(&self, _name: &str) -> bool {
        false
    }
    fn validate(&self, _v: &Valid<'_>, _diags: &mut Vec<Diagnostic>) {}
    fn injected(&self, _v: &Valid<'_>, _container_port: u16) -> Vec<EnvVar> {
        Vec::new()
    }
    fn inline_secrets(&self, _v: &Valid<'_>) -> bool {
        false
    }
    fn secret_reference(&self, _v: &Valid<'_>, _var: &EnvVar) -> String {
        String::new()
    }
    fn deploy_command(&self, _v: &Valid<'_>, _plan: &Plan) -> Vec<String> {
        Vec::new()
    }
    fn render(&self, _v: &Valid<'_>, _plan: &Plan, _header: &Header) -> Vec<Block> {
        Vec::new()
    }
}
