//! The desktop app (eframe/egui 0.37). One panel per file (`*_ui` functions); every action is a
//! [`UiCommand`] applied at the end of the frame, so menus, buttons and shortcuts share one path.
//! The engine is recomputed only when the inputs change.

pub mod diagnose;
mod diagnostics;
mod examples;
mod files;
mod fonts;
mod form;
mod highlight;
pub mod i18n;
mod outputs;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;

use egui::{Key, KeyboardShortcut, Modifiers, RichText};
use serde::{Deserialize, Serialize};

use crate::engine::{self, Generated, inputs::RawInputs};
use i18n::{tr, trf};

pub use examples::EXAMPLES;
pub use files::DialogResult;

pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
pub const SAVE_AS: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
pub const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
pub const COPY_ALL: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::C);

/// Everything the user does.
#[derive(Clone, Debug, PartialEq)]
pub enum UiCommand {
    New,
    Open,
    Save,
    SaveAs,
    ExportAll,
    CopyAll,
    CopyBlock(String),
    /// Copy a block after the secret warning was accepted (or when it holds no secret).
    CopyBlockConfirmed(String),
    SaveBlock(String),
    /// Apply fix `fix` of diagnostic `diag`.
    ApplyFix {
        diag: usize,
        fix: usize,
    },
    OpenExample(usize),
    GenerateSecrets,
    /// Apply what "Diagnose an error message" recognised.
    FillFromDiagnosis,
    /// Copy the `proxytrust generate ...` command that reproduces the current setup.
    CopyCliCommand,
    /// Close the window even though there are unsaved changes.
    DiscardAndClose,
}

/// What is remembered between runs (eframe storage). Secret values only when the user opted in.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub inputs: RawInputs,
    pub project_path: Option<PathBuf>,
    /// Write secret values into project files (and the remembered state).
    pub save_secrets: bool,
    pub tab: String,
    /// The window's language (generated files stay in English).
    pub lang: i18n::Lang,
}

pub struct ProxyTrustApp {
    pub state: State,
    /// The engine output for `computed_for`.
    pub generated: Generated,
    computed_for: Option<RawInputs>,
    /// Inputs as last saved or opened, for the unsaved-changes mark.
    saved: Option<RawInputs>,
    commands: Vec<UiCommand>,
    /// A file dialog running on its own thread.
    dialog: Option<mpsc::Receiver<DialogResult>>,
    /// Feedback for the status line.
    pub status: String,
    title: String,
    /// The "Diagnose an error message" box.
    pub diagnose: diagnose::DiagnoseBox,
    /// The close button was pressed with unsaved changes: the dialog is showing.
    pub confirm_close: bool,
    /// The user chose to discard the changes: let the window close.
    close_confirmed: bool,
    /// Secret fields shown in clear (masked by default; never remembered).
    pub revealed_secrets: std::collections::BTreeSet<String>,
    /// A block with secret values waiting for "Copy anyway".
    pub confirm_secret_copy: Option<String>,
    /// Highlighted, laid-out output text (rebuilt only when it changes).
    pub view_cache: outputs::ViewCache,
    /// A short confirmation shown over the window ("Copied"), with the time it appeared.
    toast: Option<(String, f64)>,
}

impl Default for ProxyTrustApp {
    fn default() -> Self {
        let mut app = Self {
            state: State::default(),
            generated: Generated::default(),
            computed_for: None,
            saved: None,
            commands: Vec::new(),
            dialog: None,
            status: String::new(),
            title: String::new(),
            diagnose: diagnose::DiagnoseBox::default(),
            confirm_close: false,
            close_confirmed: false,
            revealed_secrets: std::collections::BTreeSet::new(),
            confirm_secret_copy: None,
            view_cache: outputs::ViewCache::default(),
            toast: None,
        };
        app.load_example(0);
        app
    }
}

const STORAGE_KEY: &str = eframe::APP_KEY;

impl ProxyTrustApp {
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        let mut app = Self::default();
        if let Some(state) = cc
            .storage
            .and_then(|s| eframe::get_value::<State>(s, STORAGE_KEY))
        {
            app.state = state;
            app.saved = None;
        }
        app
    }

    /// A fresh app showing `inputs` (for tests and `--project`).
    pub fn with_inputs(inputs: RawInputs) -> Self {
        let mut app = Self::default();
        app.state.inputs = inputs;
        app.saved = Some(app.state.inputs.clone());
        app
    }

    pub fn push(&mut self, cmd: UiCommand) {
        self.commands.push(cmd);
    }

    /// Recomputes the engine output if the inputs changed since the last frame.
    pub fn recompute(&mut self) {
        if self.computed_for.as_ref() != Some(&self.state.inputs) {
            self.generated = engine::generate(&self.state.inputs);
            self.computed_for = Some(self.state.inputs.clone());
        }
    }

    pub fn dirty(&self) -> bool {
        self.saved.as_ref() != Some(&self.state.inputs)
    }

    fn load_example(&mut self, i: usize) {
        match examples::load(i) {
            Ok(inputs) => {
                self.state.inputs = inputs;
                self.state.project_path = None;
                self.saved = Some(self.state.inputs.clone());
                self.status = trf("Opened example: {}", &[&tr(EXAMPLES[i].title)]);
            }
            Err(e) => self.status = trf("Example could not be read: {}", &[&e]),
        }
    }

    fn window_title(&self) -> String {
        let name = self
            .state
            .project_path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(
                || tr("Untitled").to_owned(),
                |n| n.to_string_lossy().into_owned(),
            );
        let mark = if self.dirty() { " \u{2022}" } else { "" };
        format!("{name}{mark} - ProxyTrust")
    }

    /// One whole frame of the UI, without eframe (so tests can drive it).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        i18n::set(self.state.lang);
        fonts::install(ui.ctx());
        self.recompute();
        self.shortcuts(ui);
        self.poll_dialog(ui.ctx());
        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                if self.dialog.is_some() {
                    ui.spinner();
                    ui.label(tr("Waiting for the file dialog…"));
                } else {
                    ui.label(&self.status);
                }
            });
        });
        // Sizes follow the window (in points, so 1.5x scale keeps the same proportions): the
        // inputs take ~40% of the width, the problems ~35% of the inputs' height.
        let avail = ui.available_size();
        egui::Panel::left("inputs")
            .resizable(true)
            .default_size((avail.x * 0.4).clamp(320.0, 640.0))
            .min_size(280.0)
            .max_size((avail.x - 320.0).max(280.0))
            .show(ui, |ui| {
                // Problems stay in view below the form, however long the form is; they never
                // take more than half the height, so the form stays usable at any size.
                let h = ui.available_height();
                egui::Panel::bottom("diagnostics")
                    .resizable(true)
                    .default_size((h * 0.35).clamp(90.0, 360.0))
                    .min_size(90.0_f32.min(h * 0.3))
                    .max_size((h * 0.5).max(90.0))
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical()
                            .id_salt("diagnostics_scroll")
                            .auto_shrink([false, false])
                            .show(ui, |ui| diagnostics::diagnostics_ui(self, ui));
                    });
                egui::CentralPanel::default().show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("form_scroll")
                        .auto_shrink([false, false])
                        .show(ui, |ui| form::form_ui(self, ui));
                });
            });
        egui::CentralPanel::default().show(ui, |ui| outputs::outputs_ui(self, ui));
        self.close_guard(ui);
        self.secret_copy_guard(ui);
        self.toast_ui(ui);
        let commands = std::mem::take(&mut self.commands);
        if !commands.is_empty() {
            // Commands run after this frame was drawn: draw once more so the status line and
            // any dialog they opened show now, not at the next input.
            ui.ctx().request_repaint();
        }
        for cmd in commands {
            self.apply(ui.ctx(), cmd);
        }
        // Edits made this frame (typing, fixes, examples) show in the outputs right away.
        if self.computed_for.as_ref() != Some(&self.state.inputs) {
            self.recompute();
            ui.ctx().request_repaint();
        }
        let title = self.window_title();
        if title != self.title {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    fn shortcuts(&mut self, ui: &egui::Ui) {
        // Most specific first: Ctrl+Shift+S before Ctrl+S (egui matches modifiers logically).
        let pairs = [
            (SAVE_AS, UiCommand::SaveAs),
            (SAVE, UiCommand::Save),
            (COPY_ALL, UiCommand::CopyAll),
            (OPEN, UiCommand::Open),
            (NEW, UiCommand::New),
        ];
        for (shortcut, cmd) in pairs {
            if ui.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.commands.push(cmd);
            }
        }
    }

    /// Closing with unsaved changes to a project file asks first (Save / Discard / Cancel).
    /// Work that was never saved to a file is not lost either way: the window's state is
    /// remembered between runs (eframe storage) and comes back at the next start.
    fn close_guard(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if ctx.input(|i| i.viewport().close_requested())
            && !self.close_confirmed
            && self.dirty()
            && self.state.project_path.is_some()
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm_close = true;
        }
        if !self.confirm_close {
            return;
        }
        let modal = egui::Modal::new(egui::Id::unique("confirm_close")).show(&ctx, |ui| {
            ui.heading(tr("Save changes before closing?"));
            ui.label(trf(
                "{} has changes that are not saved.",
                &[&self
                    .state
                    .project_path
                    .as_ref()
                    .and_then(|p| p.file_name())
                    .map_or_else(
                        || tr("This project").to_owned(),
                        |n| n.to_string_lossy().into_owned(),
                    )],
            ));
            ui.horizontal(|ui| {
                if ui.button(tr("Save")).clicked() {
                    self.commands.push(UiCommand::Save);
                    self.confirm_close = false;
                }
                if ui.button(tr("Discard changes")).clicked() {
                    self.commands.push(UiCommand::DiscardAndClose);
                }
                if ui.button(tr("Cancel")).clicked() {
                    self.confirm_close = false;
                }
            });
        });
        if modal.should_close() {
            self.confirm_close = false;
        }
    }

    fn secret_copy_guard(&mut self, ui: &mut egui::Ui) {
        let Some(id) = self.confirm_secret_copy.clone() else {
            return;
        };
        let name = self
            .generated
            .block(&id)
            .map(|b| b.filename.clone())
            .unwrap_or_default();
        let modal = egui::Modal::new(egui::Id::unique("confirm_secret_copy")).show(ui.ctx(), |ui| {
            ui.heading(tr("Copy secret values?"));
            ui.label(trf(
                "{} contains secret values in clear. Other programs can read the clipboard, and some sync it to other devices.",
                &[&name],
            ));
            ui.horizontal(|ui| {
                if ui.button(tr("Copy anyway")).clicked() {
                    self.commands.push(UiCommand::CopyBlockConfirmed(id.clone()));
                }
                if ui.button(tr("Cancel")).clicked() {
                    self.confirm_secret_copy = None;
                }
            });
        });
        if modal.should_close() {
            self.confirm_secret_copy = None;
        }
    }

    /// Shows `text` briefly over the window.
    fn show_toast(&mut self, ctx: &egui::Context, text: String) {
        self.toast = Some((text, ctx.input(|i| i.time)));
        ctx.request_repaint();
    }

    fn toast_ui(&mut self, ui: &mut egui::Ui) {
        const SECS: f64 = 1.5;
        let ctx = ui.ctx().clone();
        let Some((text, at)) = &self.toast else {
            return;
        };
        let age = ctx.input(|i| i.time) - at;
        if age > SECS {
            self.toast = None;
            return;
        }
        egui::Area::new(egui::Id::unique("toast"))
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-16.0, -40.0))
            .interactable(false)
            .show(&ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label(RichText::new(text.as_str()).strong());
                });
            });
        // One more frame when it should disappear; no repaints in between.
        ctx.request_repaint_after(std::time::Duration::from_secs_f64((SECS - age).max(0.0)));
    }

    fn menu_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button(tr("File"), |ui| {
                let items = [
                    ("New", Some(NEW), UiCommand::New),
                    ("Open…", Some(OPEN), UiCommand::Open),
                    ("Save", Some(SAVE), UiCommand::Save),
                    ("Save As…", Some(SAVE_AS), UiCommand::SaveAs),
                    ("Export all…", None, UiCommand::ExportAll),
                ];
                for (label, shortcut, cmd) in items {
                    let mut b = egui::Button::new(tr(label));
                    if let Some(s) = shortcut {
                        b = b.shortcut_text(ctx.format_shortcut(&s));
                    }
                    if ui.add_enabled(self.dialog.is_none(), b).clicked() {
                        self.commands.push(cmd);
                    }
                }
                ui.separator();
                ui.checkbox(
                    &mut self.state.save_secrets,
                    tr("Save secret values in project files"),
                );
            });
            ui.menu_button(tr("Edit"), |ui| {
                if ui
                    .add(
                        egui::Button::new(tr("Copy all")).shortcut_text(ctx.format_shortcut(&COPY_ALL)),
                    )
                    .clicked()
                {
                    self.commands.push(UiCommand::CopyAll);
                }
                if ui
                    .button(tr("Copy as CLI command"))
                    .on_hover_text(tr("The proxytrust generate command that reproduces this setup (secret values are never included)"))
                    .clicked()
                {
                    self.commands.push(UiCommand::CopyCliCommand);
                }
                if ui.button(tr("Generate missing secrets")).clicked() {
                    self.commands.push(UiCommand::GenerateSecrets);
                }
            });
            ui.menu_button(tr("Examples"), |ui| {
                for (i, ex) in EXAMPLES.iter().enumerate() {
                    if ui.button(tr(ex.title)).on_hover_text(tr(ex.summary)).clicked() {
                        self.commands.push(UiCommand::OpenExample(i));
                    }
                }
            });
            ui.menu_button(tr("View"), |ui| {
                ui.label(RichText::new(tr("Theme")).weak());
                let mut pref = ctx.options(|o| o.theme_preference);
                for (p, label) in [
                    (egui::ThemePreference::System, "System"),
                    (egui::ThemePreference::Light, "Light"),
                    (egui::ThemePreference::Dark, "Dark"),
                ] {
                    if ui.radio_value(&mut pref, p, tr(label)).changed() {
                        ctx.set_theme(pref);
                    }
                }
                ui.separator();
                ui.label(RichText::new(tr("Language")).weak());
                for lang in i18n::Lang::ALL {
                    ui.radio_value(&mut self.state.lang, lang, lang.native_name());
                }
            });
        });
    }

    fn apply(&mut self, ctx: &egui::Context, cmd: UiCommand) {
        match cmd {
            UiCommand::New => {
                self.state.inputs = RawInputs {
                    platform: "cloud-run".into(),
                    app: "label-studio".into(),
                    urls: vec![String::new()],
                    ..RawInputs::default()
                };
                self.state.project_path = None;
                self.saved = None;
                self.status = tr("New project").into();
            }
            UiCommand::OpenExample(i) => self.load_example(i),
            UiCommand::CopyCliCommand => {
                ctx.copy_text(crate::engine::command_for(&self.state.inputs));
                self.status = tr("Copied the proxytrust command").into();
                self.show_toast(ctx, tr("Copied").into());
            }
            UiCommand::DiscardAndClose => {
                self.close_confirmed = true;
                self.confirm_close = false;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            UiCommand::FillFromDiagnosis => {
                crate::engine::diagnose::apply(&self.diagnose.found, &mut self.state.inputs);
                self.status = match self.diagnose.found.first() {
                    Some(d) => trf("Filled the form for {}", &[&d.app_name]),
                    None => tr("Nothing recognised to fill in").into(),
                };
            }
            UiCommand::ApplyFix { diag, fix } => {
                if let Some(f) = self
                    .generated
                    .diagnostics
                    .get(diag)
                    .and_then(|d| d.fixes.get(fix))
                {
                    f.apply(&mut self.state.inputs);
                    self.status = trf("Applied: {}", &[&f.title]);
                }
            }
            UiCommand::CopyAll => {
                let all = outputs::all_blocks_text(&self.generated);
                ctx.copy_text(all);
                self.status = tr("Copied all blocks").into();
                self.show_toast(ctx, tr("Copied").into());
            }
            UiCommand::CopyBlock(id) => {
                // A block with secret values in clear asks first: clipboards are shared with
                // every other program and often synced.
                if self.generated.block(&id).is_some_and(|b| b.contains_secret) {
                    self.confirm_secret_copy = Some(id);
                } else {
                    self.apply(ctx, UiCommand::CopyBlockConfirmed(id));
                }
            }
            UiCommand::CopyBlockConfirmed(id) => {
                self.confirm_secret_copy = None;
                if let Some(b) = self.generated.block(&id) {
                    ctx.copy_text(b.content.clone());
                    self.status = trf("Copied {}", &[&b.filename]);
                    self.show_toast(ctx, tr("Copied").into());
                }
            }
            UiCommand::GenerateSecrets => {
                match crate::secrets::fill_missing(&mut self.state.inputs) {
                    Ok(names) if names.is_empty() => {
                        self.status = tr("No secret was missing").into();
                    }
                    Ok(names) => self.status = trf("Generated {}", &[&names.join(", ")]),
                    Err(e) => self.status = trf("Could not generate secrets: {}", &[&e]),
                }
            }
            UiCommand::Save => match self.state.project_path.clone() {
                Some(p) => self.save_to(&p),
                None => self.start_dialog(ctx, files::Dialog::SaveAs),
            },
            UiCommand::SaveAs => self.start_dialog(ctx, files::Dialog::SaveAs),
            UiCommand::Open => self.start_dialog(ctx, files::Dialog::Open),
            UiCommand::ExportAll => self.start_dialog(ctx, files::Dialog::ExportDir),
            UiCommand::SaveBlock(id) => {
                let name = self
                    .generated
                    .block(&id)
                    .map(|b| b.filename.clone())
                    .unwrap_or_default();
                self.start_dialog(ctx, files::Dialog::SaveBlock { id, name });
            }
        }
    }

    fn save_to(&mut self, path: &std::path::Path) {
        match crate::project::save(path, &self.state.inputs, self.state.save_secrets) {
            Ok(()) => {
                self.state.project_path = Some(path.to_owned());
                self.saved = Some(self.state.inputs.clone());
                self.status = trf("Saved {}", &[&path.display()]);
            }
            Err(e) => self.status = trf("Not saved: {}", &[&e]),
        }
    }

    /// Opens a project file (used by the Open dialog and `--project`).
    pub fn open_path(&mut self, path: &std::path::Path) {
        match crate::project::load(path) {
            Ok(inputs) => {
                self.state.inputs = inputs;
                self.state.project_path = Some(path.to_owned());
                self.saved = Some(self.state.inputs.clone());
                self.status = trf("Opened {}", &[&path.display()]);
            }
            // The work in the window stays as it was.
            Err(e) => self.status = trf("Not opened: {}", &[&e]),
        }
    }
}

impl eframe::App for ProxyTrustApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let mut state = self.state.clone();
        if !state.save_secrets {
            state.inputs.secrets.clear();
        }
        eframe::set_value(storage, STORAGE_KEY, &state);
    }
}

/// Runs the desktop app.
pub fn run(args: &crate::cli::GuiArgs) -> ExitCode {
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")).ok();
    let size = args
        .size
        .as_deref()
        .and_then(|s| s.split_once('x'))
        .and_then(|(w, h)| Some([w.parse::<f32>().ok()?, h.parse::<f32>().ok()?]))
        .unwrap_or([1280.0, 800.0]);
    let mut viewport = egui::ViewportBuilder::default()
        .with_inner_size(size)
        .with_min_inner_size([800.0, 500.0])
        .with_title("ProxyTrust")
        .with_app_id("proxytrust");
    if let Some(icon) = icon {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        // The window comes back at its last size and place; a screenshot uses exactly --size.
        persist_window: args.screenshot.is_none(),
        ..Default::default()
    };
    let scale = args
        .scale
        .filter(|s| s.is_finite() && (0.5..=4.0).contains(s));
    let project = args.project.clone();
    let screenshot = args.screenshot.clone();
    let theme = args.theme;
    let lang = args.lang.map(|l| match l {
        crate::cli::LangArg::En => i18n::Lang::En,
        crate::cli::LangArg::Zh => i18n::Lang::Zh,
    });
    let result = eframe::run_native(
        "ProxyTrust",
        options,
        Box::new(move |cc| {
            match theme {
                Some(crate::cli::ThemeArg::Dark) => {
                    cc.egui_ctx.set_theme(egui::ThemePreference::Dark);
                }
                Some(crate::cli::ThemeArg::Light) => {
                    cc.egui_ctx.set_theme(egui::ThemePreference::Light);
                }
                None => {}
            }
            let mut app = ProxyTrustApp::new(cc);
            if let Some(l) = lang {
                app.state.lang = l;
            }
            i18n::set(app.state.lang);
            if let Some(s) = scale {
                cc.egui_ctx.set_zoom_factor(s);
            }
            if let Some(p) = &project {
                app.open_path(p);
            }
            Ok(Box::new(files::ScreenshotWrapper::new(app, screenshot)))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the window could not be opened: {e}");
            ExitCode::from(1)
        }
    }
}
