//! The desktop app (placeholder while the engine is brought up).
use std::process::ExitCode;

pub fn run(_args: &crate::cli::GuiArgs) -> ExitCode {
    ExitCode::SUCCESS
}
