//! The baseline for start-up and memory measurements (BENCHMARKS.md, scripts/measure-startup.sh):
//! an empty eframe window built with exactly ProxyTrust's eframe features and renderer.
//! With `PROXYTRUST_EXIT_AFTER_FIRST_FRAME=1` it closes after its first frame, like ProxyTrust.

fn main() -> eframe::Result {
    let exit_after_first = std::env::var_os("PROXYTRUST_EXIT_AFTER_FIRST_FRAME").is_some();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_inner_size([1280.0, 800.0]),
        renderer: eframe::Renderer::Glow,
        persist_window: false,
        ..Default::default()
    };
    eframe::run_ui_native("blank", options, move |ui, _frame| {
        egui::CentralPanel::default().show(ui, |_ui| {});
        if exit_after_first {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    })
}
