//! ProxyTrust: the exact settings that make self-hosted web apps work behind a cloud front end.
//!
//! The pipeline, in one direction (see ARCHITECTURE.md):
//! 1. [`engine::inputs::RawInputs`]: what the user typed (GUI form, CLI flags, project file).
//! 2. validate: public origins and options parsed, every problem a [`engine::diagnostics::Diagnostic`].
//! 3. plan: the app and platform knowledge modules give a format-neutral [`engine::plan::Plan`].
//! 4. render: one serializer per format turns the plan into [`engine::render::Block`]s.
//! 5. The GUI ([`gui`]) and the CLI ([`cli`]) only edit inputs, apply fixes and show blocks.

pub mod cli;
pub mod engine;
pub mod gui;
pub mod project;
pub mod secrets;

/// The ProxyTrust version written into every generated header.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// mimalloc: the keystroke path makes many small strings, and glibc's allocator was 40% of its
/// time (perf, BENCHMARKS.md). Declared here so the binary, the tests and the benches all use it.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
