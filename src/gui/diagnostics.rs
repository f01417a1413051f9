//! The live diagnostics list, with an "Apply fix" button per fix. Hovering a diagnostic shows
//! its long explanation (the same text as `proxytrust explain CODE`).

use egui::RichText;

use super::form::severity_color;
use super::i18n::{tr, trf};
use super::{ProxyTrustApp, UiCommand};

pub fn diagnostics_ui(app: &mut ProxyTrustApp, ui: &mut egui::Ui) {
    let n = app.generated.diagnostics.len();
    ui.heading(if n == 0 {
        tr("No problems found").to_owned()
    } else {
        trf("Problems ({})", &[&n])
    });
    let mut commands = Vec::new();
    for (di, d) in app.generated.diagnostics.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(tr(d.severity.as_str()))
                    .strong()
                    .color(severity_color(ui, d.severity)),
            );
            ui.label(RichText::new(d.code).monospace())
                .on_hover_text(d.explanation());
            ui.label(&d.message).on_hover_text(d.explanation());
        });
        // No empty row under a diagnostic without fixes.
        if d.fixes.is_empty() {
            ui.add_space(4.0);
            continue;
        }
        ui.horizontal_wrapped(|ui| {
            for (fi, f) in d.fixes.iter().enumerate() {
                if ui
                    .button(trf("Apply fix: {}", &[&f.title]))
                    .on_hover_text(format!("{:?} fix", f.applicability))
                    .clicked()
                {
                    commands.push(UiCommand::ApplyFix { diag: di, fix: fi });
                }
            }
        });
        ui.add_space(4.0);
    }
    for c in commands {
        app.push(c);
    }
}
