//! Robustness: no input makes the engine, the project loader or `diagnose` panic.
//!
//! Property tests over generated inputs plus the committed corpus (tests/fuzz-corpus/*.json,
//! also pasted into the GUI by tests/gui_survives.rs). The default run is short; a long run:
//!   PROPTEST_CASES=1000000 cargo test --release --test fuzz
//! (see BENCHMARKS.md for the last one).

use proptest::prelude::*;
use proxytrust::engine::{self, inputs::RawInputs};

fn corpus(name: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("corpus")).expect("json")
}

/// URL-ish strings: schemes, hosts, ports, paths and junk glued together.
fn urlish() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "https://", "http://", "HTTPS://", "wss://", "", "//", "ftp://", " ",
        ]),
        "[a-zA-Z0-9.:@\\[\\]%_~-]{0,40}",
        prop::sample::select(vec!["", ":443", ":80", ":8080", ":0", ":65536", ":x", "."]),
        "(/[^ ]{0,12})?",
        prop::sample::select(vec!["", "/", "?a=1", "#f", " ", "\n", "\u{0}", "é"]),
    )
        .prop_map(|(a, b, c, d, e)| format!("{a}{b}{c}{d}{e}"))
}

fn inputs(urls: Vec<String>, app: usize, platform: usize) -> RawInputs {
    let apps = engine::apps::APPS;
    let platforms = engine::platforms::PLATFORMS;
    RawInputs {
        urls,
        app: apps[app % apps.len()].id().to_owned(),
        platform: platforms[platform % platforms.len()].id().to_owned(),
        ..RawInputs::default()
    }
}

#[test]
fn corpus_urls_never_panic_on_any_app_or_platform() {
    for url in corpus("urls.json") {
        for a in 0..engine::apps::APPS.len() {
            for p in 0..engine::platforms::PLATFORMS.len() {
                let _ = engine::generate(&inputs(vec![url.clone()], a, p));
            }
        }
    }
}

#[test]
fn corpus_messages_and_projects_never_panic() {
    for text in corpus("messages.json") {
        let _ = engine::diagnose::diagnose(&text, &RawInputs::default());
    }
    for text in corpus("projects.json") {
        let _ = proxytrust::project::parse(std::path::Path::new("p.toml"), &text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn generate_never_panics(
        urls in prop::collection::vec(prop_oneof![urlish(), any::<String>()], 0..4),
        app in 0usize..64,
        platform in 0usize..64,
        version in prop_oneof![Just(String::new()), "[0-9v.a-z]{0,10}", any::<String>()],
        options in prop::collection::btree_map("[a-z_]{1,16}", any::<String>(), 0..4),
        extras in prop::collection::vec((any::<String>(), any::<String>()), 0..3),
    ) {
        let mut raw = inputs(urls, app, platform);
        raw.app_version = version;
        raw.options = options;
        raw.extra_env = extras
            .into_iter()
            .map(|(name, value)| engine::inputs::ExtraVar { name, value })
            .collect();
        let g = engine::generate(&raw);
        // Applying any offered fix never panics either.
        for d in &g.diagnostics {
            for f in &d.fixes {
                let mut fixed = raw.clone();
                f.apply(&mut fixed);
                let _ = engine::generate(&fixed);
            }
        }
    }

    #[test]
    fn diagnose_never_panics(text in any::<String>()) {
        let _ = engine::diagnose::diagnose(&text, &RawInputs::default());
    }

    #[test]
    fn project_parsing_never_panics(text in any::<String>()) {
        let _ = proxytrust::project::parse(std::path::Path::new("p.toml"), &text);
    }

    #[test]
    fn project_parsing_of_toml_like_text_never_panics(
        lines in prop::collection::vec(
            prop_oneof![
                Just("schema = 1".to_owned()),
                Just("[options]".to_owned()),
                Just("[[extra_env]]".to_owned()),
                "[a-z_]{1,8} = \"[^\"\\\\]{0,8}\"",
                "[a-z_]{1,8} = [0-9-]{1,22}",
                "urls = \\[\"[^\"]{0,10}\"",
                any::<String>(),
            ],
            0..8,
        )
    ) {
        let _ = proxytrust::project::parse(std::path::Path::new("p.toml"), &lines.join("\n"));
    }
}
