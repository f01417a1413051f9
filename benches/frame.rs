//! One GUI frame while typing: a character typed into the URL field of the Label Studio example,
//! then the frame that follows (egui's layout of the whole window, the engine recomputing every
//! output, the changed block re-highlighted). Target: under 4 ms per frame. Runs headless through
//! egui_kittest (no GPU: the figure is the CPU side of a frame, without the GPU upload).
//!
//!   cargo bench --bench frame

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use proxytrust::gui::{ProxyTrustApp, UiCommand};

fn bench(c: &mut Criterion) {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(240)
        .build_ui_state(
            |ui, app: &mut ProxyTrustApp| app.show(ui),
            ProxyTrustApp::default(),
        );
    h.state_mut().push(UiCommand::OpenExample(0));
    h.run();
    h.get_by_label("URL 1").focus();
    h.run();
    let mut grow = true;
    c.bench_function("frame after a keystroke in the URL field", |b| {
        b.iter(|| {
            // Alternate typing a letter and deleting it, so the URL (and every output) changes on
            // every frame without growing without bound.
            if grow {
                h.get_by_label("URL 1").type_text("x");
            } else {
                h.key_press(egui::Key::Backspace);
            }
            grow = !grow;
            h.step();
        });
    });
    assert!(
        h.state().state.inputs.urls[0].starts_with("https://"),
        "the keystrokes went to the URL field"
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
