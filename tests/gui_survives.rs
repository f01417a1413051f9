//! The GUI survives everything the CLI survives: every fuzz-corpus URL typed into the URL field
//! and every corpus message pasted into the diagnose box keeps the window running and shows a
//! diagnostic (or "not recognised"). Characters no bundled font has are drawn as boxes, as in the
//! real window (the harness allows that here; elsewhere a missing glyph fails the tests).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use proxytrust::engine::inputs::RawInputs;
use proxytrust::gui::ProxyTrustApp;

fn corpus(name: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("corpus")).expect("json")
}

fn harness() -> Harness<'static, ProxyTrustApp> {
    let raw = RawInputs {
        urls: vec![String::new()],
        platform: "cloud-run".into(),
        app: "label-studio".into(),
        ..RawInputs::default()
    };
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(240)
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, app: &mut ProxyTrustApp| app.show(ui),
            ProxyTrustApp::with_inputs(raw),
        )
}

#[test]
fn every_corpus_url_keeps_the_window_running_with_a_diagnostic() {
    let mut h = harness();
    h.run();
    for url in corpus("urls.json") {
        h.state_mut().state.inputs.urls = vec![url.clone()];
        h.run();
        let g = &h.state().generated;
        assert!(
            !g.diagnostics.is_empty() || !g.blocks.is_empty(),
            "nothing shown for {url:?}"
        );
        if url.trim().is_empty() || !url.contains("://") {
            assert!(!g.diagnostics.is_empty(), "no diagnostic for {url:?}");
        }
    }
}

#[test]
fn every_corpus_message_pasted_into_diagnose_keeps_the_window_running() {
    let mut h = harness();
    h.run();
    h.get_by_label("Diagnose an error message").click();
    h.run();
    for text in corpus("messages.json") {
        h.state_mut().diagnose.text = text;
        h.run();
    }
}
