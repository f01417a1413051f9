//! The output tabs: one per block, monospace, with Copy (the clipboard gets exactly the block),
//! Save block…, Copy all and Export all….

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use egui::RichText;

use super::i18n::{tr, trf};
use super::{ProxyTrustApp, UiCommand};
use crate::engine::Generated;

/// How long changed lines stay highlighted after an edit, in seconds.
const CHANGE_HIGHLIGHT_SECS: f64 = 1.5;

/// Per-block view state: the laid-out, highlighted text (rebuilt only when the text, the theme
/// or the change highlight changes) and which lines changed at the last edit.
#[derive(Default)]
pub struct ViewCache {
    blocks: BTreeMap<&'static str, BlockView>,
    /// How many times a block was laid out (tests check typing does not re-lay out the rest).
    pub layouts: u64,
}

struct BlockView {
    content: String,
    changed: BTreeSet<usize>,
    changed_at: f64,
    galley: Option<(GalleyKey, Arc<egui::Galley>)>,
}

#[derive(Clone, Copy, PartialEq)]
struct GalleyKey {
    dark: bool,
    /// Quantised fade step of the change highlight (0 = none).
    fade: u8,
    font_size: f32,
}

/// Lines of `new` that were not in `old` (as a multiset: moved lines do not count).
fn changed_lines(old: &str, new: &str) -> BTreeSet<usize> {
    let mut pool: BTreeMap<&str, usize> = BTreeMap::new();
    for l in old.lines() {
        *pool.entry(l).or_default() += 1;
    }
    let mut out = BTreeSet::new();
    for (i, l) in new.lines().enumerate() {
        match pool.get_mut(l) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                out.insert(i);
            }
        }
    }
    out
}

impl ViewCache {
    /// The galley for `block`, laid out again only when needed. Returns it and whether a
    /// change highlight is still fading (the caller then asks for another frame).
    fn galley(
        &mut self,
        ui: &egui::Ui,
        block: &crate::engine::render::Block,
    ) -> (Arc<egui::Galley>, bool) {
        let now = ui.input(|i| i.time);
        let view = self.blocks.entry(block.id).or_insert_with(|| BlockView {
            content: block.content.clone(),
            changed: BTreeSet::new(),
            changed_at: f64::NEG_INFINITY,
            galley: None,
        });
        if view.content != block.content {
            view.changed = changed_lines(&view.content, &block.content);
            view.changed_at = now;
            view.content.clone_from(&block.content);
            view.galley = None;
        }
        let age = now - view.changed_at;
        let fading = !view.changed.is_empty() && age < CHANGE_HIGHLIGHT_SECS;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let fade = if fading {
            (((CHANGE_HIGHLIGHT_SECS - age) / CHANGE_HIGHLIGHT_SECS) * 8.0).ceil() as u8
        } else {
            0
        };
        let font = egui::TextStyle::Monospace.resolve(ui.style());
        let key = GalleyKey {
            dark: ui.visuals().dark_mode,
            fade,
            font_size: font.size,
        };
        if let Some((k, g)) = &view.galley
            && *k == key
        {
            return (g.clone(), fading);
        }
        let base = ui.visuals().selection.bg_fill;
        let highlight = base.gamma_multiply(f32::from(fade) / 8.0 * 0.6);
        let none = BTreeSet::new();
        let lines = if fade > 0 { &view.changed } else { &none };
        let job = super::highlight::layout_job(
            &block.content,
            block.language,
            ui.visuals(),
            font,
            lines,
            highlight,
        );
        let galley = ui.fonts_mut(|f| f.layout_job(job));
        self.layouts += 1;
        view.galley = Some((key, galley.clone()));
        (galley, fading)
    }
}

/// The "why" text for a line: every variable the line names, with its reason and source.
fn why_for_line(g: &Generated, line: &str) -> Option<String> {
    let mut parts = Vec::new();
    for e in &g.env {
        if e.why.is_empty() {
            continue;
        }
        // The name as a whole word (not a prefix of a longer name).
        let named = line.match_indices(e.name.as_str()).any(|(i, _)| {
            let before = line[..i].chars().last();
            let after = line[i + e.name.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            !word(before) && !word(after)
        });
        if named {
            parts.push(format!(
                "{}: {}
{}",
                e.name,
                e.why,
                trf("Source: {}", &[&e.source])
            ));
        }
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

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
            let name = if b.filename.is_empty() {
                b.id
            } else {
                &b.filename
            };
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
    // Wraps on narrow windows instead of pushing buttons out of view.
    ui.horizontal_wrapped(|ui| {
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
            let (galley, fading) = app.view_cache.galley(ui, &block);
            if fading {
                ui.ctx().request_repaint();
            }
            let response = ui.add(
                egui::Label::new(galley.clone())
                    .wrap_mode(egui::TextWrapMode::Extend)
                    .selectable(true),
            );
            // Hovering a line that names a variable says why it is there.
            if let Some(pos) = response.hover_pos() {
                let cursor = galley.cursor_from_pos(pos - response.rect.min);
                let line_no = block
                    .content
                    .chars()
                    .take(cursor.index.0)
                    .filter(|c| *c == '\n')
                    .count();
                if let Some(line) = block.content.lines().nth(line_no)
                    && let Some(why) = why_for_line(&app.generated, line)
                {
                    response.on_hover_text_at_pointer(why);
                }
            }
        });
    for c in commands {
        app.push(c);
    }
}
