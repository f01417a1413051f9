//! Files: project Open / Save As, Save block…, Export all… (rfd dialogs on their own thread so
//! the UI never blocks), and `--screenshot`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use super::ProxyTrustApp;
use super::i18n::{tr, trf};
use crate::engine::Generated;
use crate::project::write_atomic;

pub enum Dialog {
    Open,
    SaveAs,
    ExportDir,
    SaveBlock { id: String, name: String },
}

pub enum DialogResult {
    Open(Option<PathBuf>),
    SaveAs(Option<PathBuf>),
    ExportDir(Option<PathBuf>),
    SaveBlock(String, Option<PathBuf>),
}

impl ProxyTrustApp {
    pub(super) fn start_dialog(&mut self, ctx: &egui::Context, dialog: Dialog) {
        if self.dialog.is_some() {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        let start_dir = self
            .state
            .project_path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_owned));
        std::thread::spawn(move || {
            let mut fd = rfd::FileDialog::new();
            if let Some(d) = &start_dir {
                fd = fd.set_directory(d);
            }
            let result = match dialog {
                Dialog::Open => {
                    DialogResult::Open(fd.add_filter("ProxyTrust project", &["toml"]).pick_file())
                }
                Dialog::SaveAs => DialogResult::SaveAs(
                    fd.add_filter("ProxyTrust project", &["toml"])
                        .set_file_name("proxytrust.toml")
                        .save_file(),
                ),
                Dialog::ExportDir => DialogResult::ExportDir(fd.pick_folder()),
                Dialog::SaveBlock { id, name } => {
                    DialogResult::SaveBlock(id, fd.set_file_name(name).save_file())
                }
            };
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        self.dialog = Some(rx);
    }

    pub(super) fn poll_dialog(&mut self, _ctx: &egui::Context) {
        let Some(rx) = &self.dialog else {
            return;
        };
        let result = match rx.try_recv() {
            Ok(r) => r,
            Err(mpsc::TryRecvError::Empty) => return,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.dialog = None;
                self.status = tr("The file dialog closed unexpectedly").into();
                return;
            }
        };
        self.dialog = None;
        self.finish_dialog(result);
    }

    /// Acts on a dialog's answer (also called by tests with a chosen path).
    pub fn finish_dialog(&mut self, result: DialogResult) {
        match result {
            DialogResult::Open(Some(p)) => self.open_path(&p),
            DialogResult::SaveAs(Some(p)) => self.save_to(&p),
            DialogResult::ExportDir(Some(dir)) => {
                self.recompute();
                self.status = match export_all(&self.generated, &dir) {
                    Ok(n) => trf("Exported {} files to {}", &[&n, &dir.display()]),
                    Err(e) => trf("Export failed: {}", &[&e]),
                };
            }
            DialogResult::SaveBlock(id, Some(p)) => {
                self.recompute();
                if let Some(b) = self.generated.block(&id) {
                    self.status = match write_atomic(&p, b.content.as_bytes(), b.contains_secret) {
                        Ok(()) => trf("Saved {}", &[&p.display()]),
                        Err(e) => trf("Not saved: {}", &[&e]),
                    };
                }
            }
            _ => self.status = tr("Cancelled").into(),
        }
    }
}

/// Writes every block to `dir` under its filename; blocks holding secrets get mode 0600.
pub fn export_all(g: &Generated, dir: &Path) -> Result<usize, String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    for b in &g.blocks {
        write_atomic(
            &dir.join(&b.filename),
            b.content.as_bytes(),
            b.contains_secret,
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(g.blocks.len())
}

/// Wraps the app to render one frame to a PNG and exit (`proxytrust gui --screenshot FILE`).
///
/// With the environment variable `PROXYTRUST_EXIT_AFTER_FIRST_FRAME` set, it exits as soon as
/// the first frame is on screen instead (start-up measurements: scripts/measure-startup.sh,
/// BENCHMARKS.md; see [`first_frame_shown`]).
pub struct ScreenshotWrapper {
    app: ProxyTrustApp,
    target: Option<PathBuf>,
    frames: u32,
    requested: bool,
    exit_after_first: bool,
}

impl ScreenshotWrapper {
    pub fn new(app: ProxyTrustApp, target: Option<PathBuf>) -> Self {
        Self {
            app,
            target,
            frames: 0,
            requested: false,
            exit_after_first: std::env::var_os("PROXYTRUST_EXIT_AFTER_FIRST_FRAME").is_some(),
        }
    }
}

/// Start-up measurement: called when the second frame starts, that is once the first frame
/// has been painted and swapped. Prints `first-frame-ms N` (milliseconds since
/// `PROXYTRUST_STARTUP_T0_NS`, the launch time in nanoseconds since the Unix epoch, when given)
/// to stderr and exits at once: start-up is measured, not shutdown. `examples/blank.rs` does the
/// same for the baseline window.
fn first_frame_shown() -> ! {
    if let Some(t0) = std::env::var("PROXYTRUST_STARTUP_T0_NS")
        .ok()
        .and_then(|v| v.parse::<u128>().ok())
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        #[allow(clippy::cast_precision_loss)] // milliseconds since launch: far below 2^52
        let ms = now.saturating_sub(t0) as f64 / 1e6;
        eprintln!("first-frame-ms {ms:.1}");
    }
    std::process::exit(0)
}

impl eframe::App for ScreenshotWrapper {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if self.exit_after_first && ui.ctx().cumulative_frame_nr() > 0 {
            first_frame_shown();
        }
        self.app.show(ui);
        if self.exit_after_first {
            // One more frame: it starts once this one has been painted and swapped.
            ui.ctx().request_repaint();
            return;
        }
        let Some(target) = self.target.clone() else {
            return;
        };
        self.frames += 1;
        // A few frames so fonts and layout settle.
        if self.frames < 4 {
            ui.ctx().request_repaint();
            return;
        }
        if !self.requested {
            self.requested = true;
            let ctx = ui.ctx().clone();
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Screenshot(
                    egui::ScreenshotCallback::new(move |img: Arc<egui::ColorImage>| {
                        let [w, h] = img.size;
                        let bytes: Vec<u8> = img.pixels.iter().flat_map(|c| c.to_array()).collect();
                        let result = image::save_buffer(
                            &target,
                            &bytes,
                            u32::try_from(w).unwrap_or(0),
                            u32::try_from(h).unwrap_or(0),
                            image::ExtendedColorType::Rgba8,
                        );
                        match result {
                            Ok(()) => eprintln!("Screenshot saved to {}", target.display()),
                            Err(e) => eprintln!("error: screenshot not saved: {e}"),
                        }
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }),
                ));
        }
        ui.ctx().request_repaint();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.target.is_none() {
            eframe::App::save(&mut self.app, storage);
        }
    }
}
