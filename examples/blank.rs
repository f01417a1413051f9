//! The baseline for start-up and memory measurements (BENCHMARKS.md, scripts/measure-startup.sh):
//! an empty eframe window built with exactly ProxyTrust's eframe features and renderer.
//! With `PROXYTRUST_EXIT_AFTER_FIRST_FRAME=1` it exits once its first frame is on screen, like
//! ProxyTrust.

fn main() -> eframe::Result {
    let exit_after_first = std::env::var_os("PROXYTRUST_EXIT_AFTER_FIRST_FRAME").is_some();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_inner_size([1280.0, 800.0]),
        renderer: eframe::Renderer::Glow,
        persist_window: false,
        ..Default::default()
    };
    eframe::run_ui_native("blank", options, move |ui, _frame| {
        if exit_after_first && ui.ctx().cumulative_frame_nr() > 0 {
            first_frame_shown();
        }
        egui::CentralPanel::default().show(ui, |_ui| {});
        if exit_after_first {
            ui.ctx().request_repaint();
        }
    })
}

/// As ProxyTrust's (src/gui/files.rs): the second frame has started, so the first one is on
/// screen; print the milliseconds since `PROXYTRUST_STARTUP_T0_NS` and exit. Kept here rather
/// than shared so this example links nothing of ProxyTrust (not even its allocator).
fn first_frame_shown() -> ! {
    if let Some(t0) = std::env::var("PROXYTRUST_STARTUP_T0_NS")
        .ok()
        .and_then(|v| v.parse::<u128>().ok())
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        #[allow(clippy::cast_precision_loss)]
        let ms = now.saturating_sub(t0) as f64 / 1e6;
        eprintln!("first-frame-ms {ms:.1}");
    }
    std::process::exit(0)
}
