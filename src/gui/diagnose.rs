//! "Diagnose an error": paste an error message or a log line; the engine's `diagnose` names
//! the app, the cause and the fix, and "Fill the form" applies what it found (app, URL,
//! version). Text nothing matches is reported as not recognised, never guessed at.

use egui::{RichText, TextEdit};

use super::i18n::{tr, trf};
use super::{ProxyTrustApp, UiCommand};
use crate::engine::diagnose;

/// The pasted text and what was recognised in it (recomputed only when the text changes).
#[derive(Default)]
pub struct DiagnoseBox {
    pub text: String,
    computed_for: Option<(String, String)>,
    pub found: Vec<diagnose::Diagnosis>,
}

impl DiagnoseBox {
    fn refresh(&mut self, current: &crate::engine::inputs::RawInputs) {
        let key = (self.text.clone(), current.app.clone());
        if self.computed_for.as_ref() != Some(&key) {
            self.found = diagnose::diagnose(&self.text, current);
            self.computed_for = Some(key);
        }
    }
}

pub fn diagnose_ui(app: &mut ProxyTrustApp, ui: &mut egui::Ui) {
    egui::CollapsingHeader::new(tr("Diagnose an error message"))
        .id_salt("diagnose_box")
        .default_open(false)
        .show(ui, |ui| {
            let label = ui.label(tr("Paste the error or the log line:"));
            // A pasted traceback can be long: the box scrolls instead of pushing the result and
            // the Fill button out of the window.
            egui::ScrollArea::vertical()
                .id_salt("diagnose_text")
                .max_height(ui.text_style_height(&egui::TextStyle::Monospace) * 8.0)
                .show(ui, |ui| {
                    ui.add(
                        TextEdit::multiline(&mut app.diagnose.text)
                            .hint_text("e.g. Forbidden (Origin checking failed - https://… does not match any trusted origins.): /user/login/")
                            .desired_rows(3)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                });
            app.diagnose.refresh(&app.state.inputs);
            if app.diagnose.text.trim().is_empty() {
                return;
            }
            if app.diagnose.found.is_empty() {
                ui.label(
                    RichText::new(tr(
                        "Not recognised. ProxyTrust only names errors it knows from the apps' \
                         source code; nothing was guessed. Choose the app below yourself.",
                    ))
                    .weak(),
                );
                return;
            }
            // The action first, where it is seen without scrolling; the reasons below it.
            let changes = app.diagnose.found.iter().any(|d| !d.edits.is_empty());
            ui.add_enabled_ui(changes, |ui| {
                if ui
                    .button(tr("Fill the form"))
                    .on_hover_text(tr("Set the app, add the URL and the version the message names"))
                    .on_disabled_hover_text(tr("The form already says what the message names"))
                    .clicked()
                {
                    app.push(UiCommand::FillFromDiagnosis);
                }
            });
            for d in &app.diagnose.found {
                ui.group(|ui| {
                    ui.label(RichText::new(format!("{}: {}", d.app_name, d.emitter)).strong());
                    ui.label(trf("Cause: {}", &[&d.cause]));
                    ui.label(trf("Fix: {}", &[&d.fix]));
                    ui.label(
                        RichText::new(trf("Source: {}", &[&d.references]))
                            .weak()
                            .small(),
                    );
                });
            }
        });
}
