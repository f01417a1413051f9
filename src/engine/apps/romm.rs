//! RomM: stub, being written.

use crate::engine::Valid;
use crate::engine::diagnostics::Diagnostic;
use crate::engine::inputs::OptionSpec;
use crate::engine::plan::{AppPlan, Snippet};
use crate::engine::render::shell::Script;

use super::App;

pub struct Romm;

impl App for Romm {
    fn id(&self) -> &'static str {
        "romm"
    }
    fn name(&self) -> &'static str {
        "RomM"
    }
    fn summary(&self) -> &'static str {
        "RomM"
    }
    fn options(&self) -> &'static [OptionSpec] {
        &[]
    }
    fn known_versions(&self) -> &'static [&'static str] {
        &[]
    }
    fn validate(&self, _v: &Valid<'_>, _diags: &mut Vec<Diagnostic>) {}
    fn plan(&self, _v: &Valid<'_>) -> AppPlan {
        AppPlan {
            env: Vec::new(),
            container_port: 8080,
            image: String::new(),
            snippet: Snippet {
                title: String::new(),
                language: "text",
                filename: String::new(),
                body: String::new(),
            },
            verify: Script::default(),
            reasons: Vec::new(),
        }
    }
}
