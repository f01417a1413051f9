//! The output tabs: one per block, monospace, with Copy (the clipboard gets exactly the block),
//! Save block…, Copy all and Export all….

use egui::RichText;

use super::i18n::{tr, trf};
use super::{ProxyTrustApp, UiCommand};
use crate::engine::Generated;

/// What Copy all puts on the clipboard: the Markdown document (every block, fenced).
pub fn all_blocks_text(g: &Generated) -> String {
    crate::engine::render::markdown::document(&g.title, &g.command, &g.diagnostics, &g.blocks)
}

pub fn outputs_ui(app: &mut ProxyTrustApp, ui: &mut egui::Ui) {
    if app.generated.blocks.is_empty() {
        ui.heading(tr("Nothing to generate yet"));
        ui.label(tr(
            "Choose a supported app and platform; the problems list says what is missing.",
        ));
        return;
    }
    if app.generated.block(&app.state.tab).is_none() {
        app.state.tab = app.generated.blocks[0].id.to_owned();
    }
    ui.horizontal_wrapped(|ui| {
        for b in &app.generated.blocks {
            // Every tab has a name, even for a block without a filename.
            let name = if b.filename.is_empty() { b.id } else { &b.filename };
            let label = if b.contains_secret {
                trf("{} (secret)", &[&name])
            } else {
                name.to_owned()
            };
            if ui
                .selectable_label(app.state.tab == b.id, label)
                .on_hover_text(&b.title)
                .clicked()
            {
                app.state.tab = b.id.to_owned();
            }
        }
    });
    ui.separator();
    let Some(block) = app.generated.block(&app.state.tab).cloned() else {
        return;
    };
    let mut commands = Vec::new();
    ui.horizontal(|ui| {
        ui.label(RichText::new(&block.title).strong());
        if ui
            .button(tr("Copy"))
            .on_hover_text(trf("Copy {}", &[&block.filename]))
            .clicked()
        {
            commands.push(UiCommand::CopyBlock(block.id.to_owned()));
        }
        if ui.button(tr("Save block…")).clicked() {
            commands.push(UiCommand::SaveBlock(block.id.to_owned()));
        }
        if ui.button(tr("Copy all")).clicked() {
            commands.push(UiCommand::CopyAll);
        }
        if ui.button(tr("Export all…")).clicked() {
            commands.push(UiCommand::ExportAll);
        }
    });
    if block.contains_secret {
        ui.label(
            RichText::new(tr(
                "This block contains secret values: it is saved with mode 0600",
            ))
                .color(ui.visuals().warn_fg_color),
        );
    }
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            // Code is never wrapped: a wrapped line would read as two.
            ui.add(
                egui::Label::new(RichText::new(&block.content).monospace())
                    .wrap_mode(egui::TextWrapMode::Extend)
                    .selectable(true),
            );
        });
    for c in commands {
        app.push(c);
    }
}
