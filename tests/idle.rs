//! An idle window draws nothing: once the UI has settled, a frame asks for no further repaint,
//! so without input the event loop sleeps (eframe only paints on input or a repaint request).
//! The change highlight and the "Copied" toast ask for repaints only while they are visible.

use egui_kittest::Harness;
use proxytrust::engine::inputs::RawInputs;
use proxytrust::gui::{ProxyTrustApp, UiCommand};

fn repaint_delay(h: &Harness<'_, ProxyTrustApp>) -> std::time::Duration {
    h.output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map_or(std::time::Duration::MAX, |v| v.repaint_delay)
}

fn settled(raw: RawInputs) -> Harness<'static, ProxyTrustApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(240)
        .build_ui_state(
            |ui, app: &mut ProxyTrustApp| app.show(ui),
            ProxyTrustApp::with_inputs(raw),
        );
    h.run();
    h
}

fn ls() -> RawInputs {
    RawInputs {
        urls: vec!["https://ls.example.com".into()],
        platform: "cloud-run".into(),
        app: "label-studio".into(),
        ..RawInputs::default()
    }
}

#[test]
fn an_idle_window_requests_no_frames() {
    let mut h = settled(ls());
    // A second of idle frames (kittest steps 1/60 s each): none asks for another.
    for _ in 0..60 {
        h.step();
        assert_eq!(
            repaint_delay(&h),
            std::time::Duration::MAX,
            "an idle frame asked for a repaint: {:?}",
            h.ctx.repaint_causes()
        );
    }
}

#[test]
fn animations_stop_asking_for_frames_when_they_end() {
    let mut h = settled(ls());
    // An edit starts the change highlight; a copy starts the toast.
    h.state_mut()
        .state
        .inputs
        .urls
        .push("https://b.example.com".into());
    h.state_mut().push(UiCommand::CopyAll);
    h.step();
    assert_ne!(repaint_delay(&h), std::time::Duration::MAX);
    // Both end within 1.5 s; then the window is idle again.
    h.run();
    for _ in 0..5 {
        h.step();
    }
    assert_eq!(repaint_delay(&h), std::time::Duration::MAX);
}
