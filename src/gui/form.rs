//! The inputs form: URLs, platform, app, version, options, extra variables, secrets. Every input
//! is tied to a visible label (screen readers and kittest queries find it by that name).

use egui::{RichText, TextEdit};

use super::ProxyTrustApp;
use super::i18n::{tr, trf};
use crate::engine::diagnostics::Severity;
use crate::engine::inputs::{ExtraVar, OptionKind, OptionSpec};
use crate::engine::{apps, platforms};

/// A coloured dot after a field that has diagnostics; hovering shows them.
fn marker(ui: &mut egui::Ui, app: &ProxyTrustApp, field: &str) {
    let diags: Vec<_> = app
        .generated
        .diagnostics
        .iter()
        .filter(|d| d.field == field)
        .collect();
    let Some(worst) = diags.iter().map(|d| d.severity).min() else {
        return;
    };
    let color = severity_color(ui, worst);
    let text = diags
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect::<Vec<_>>()
        .join("\n");
    // A painted dot: no glyph needed, so it renders with any font set.
    let (rect, response) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 5.0, color);
    response.on_hover_text(text);
}

pub fn severity_color(ui: &egui::Ui, s: Severity) -> egui::Color32 {
    let v = ui.visuals();
    match s {
        Severity::Error => v.error_fg_color,
        Severity::Warning => v.warn_fg_color,
        Severity::Info => v.weak_text_color(),
    }
}

pub fn form_ui(app: &mut ProxyTrustApp, ui: &mut egui::Ui) {
    super::diagnose::diagnose_ui(app, ui);
    ui.separator();
    ui.heading(tr("Public URLs"));
    ui.label(
        RichText::new(tr(
            "Every URL people open in the browser: the run.app URL, a custom domain, …",
        ))
        .weak(),
    );
    let mut remove = None;
    let n = app.state.inputs.urls.len();
    for i in 0..n {
        ui.horizontal(|ui| {
            let l = ui.label(trf("URL {}", &[&(i + 1)]));
            let mut text = app.state.inputs.urls[i].clone();
            let w = (ui.available_width() - 90.0).max(120.0);
            let r = ui
                .add(
                    TextEdit::singleline(&mut text)
                        .hint_text("https://…")
                        .desired_width(w),
                )
                .labelled_by(l.id);
            if r.changed() {
                app.state.inputs.urls[i] = text;
            }
            marker(ui, app, &format!("urls[{i}]"));
            if ui
                .small_button(tr("Remove"))
                .on_hover_text(trf("Remove URL {}", &[&(i + 1)]))
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        app.state.inputs.urls.remove(i);
    }
    if ui.button(tr("Add URL")).clicked() {
        app.state.inputs.urls.push(String::new());
    }
    ui.add_space(8.0);

    egui::Grid::new("target")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let inputs = &mut app.state.inputs;
            let current = platforms::find(&inputs.platform).map_or_else(
                || trf("{} (not supported yet)", &[&inputs.platform]),
                |p| p.name().to_owned(),
            );
            let l = ui.label(tr("Platform"));
            ui.label_inputs_by(l.id, |ui| {
                egui::ComboBox::from_id_salt("platform")
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        for p in platforms::PLATFORMS {
                            ui.selectable_value(&mut inputs.platform, p.id().to_owned(), p.name());
                        }
                    });
            });
            ui.end_row();
            let current = apps::find(&inputs.app).map_or_else(
                || trf("{} (not supported yet)", &[&inputs.app]),
                |a| a.name().to_owned(),
            );
            let l = ui.label(tr("App"));
            ui.label_inputs_by(l.id, |ui| {
                egui::ComboBox::from_id_salt("app")
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        for a in apps::APPS {
                            ui.selectable_value(&mut inputs.app, a.id().to_owned(), a.name());
                        }
                    });
            });
            ui.end_row();
            let newest = apps::find(&inputs.app)
                .and_then(|a| a.known_versions().first().copied())
                .unwrap_or("");
            let l = ui.label(tr("Version"));
            ui.horizontal(|ui| {
                ui.add(
                    TextEdit::singleline(&mut inputs.app_version)
                        .hint_text(trf("newest known: {}", &[&newest]))
                        .desired_width(120.0),
                )
                .labelled_by(l.id);
                if let Some(a) = apps::find(&inputs.app) {
                    ui.name_inputs(tr("Known versions"), |ui| {
                        egui::ComboBox::from_id_salt("known_versions")
                            .selected_text(tr("Known versions"))
                            .show_ui(ui, |ui| {
                                for v in a.known_versions() {
                                    ui.selectable_value(
                                        &mut inputs.app_version,
                                        (*v).to_owned(),
                                        *v,
                                    );
                                }
                            });
                    });
                }
            });
            ui.end_row();
        });
    ui.add_space(8.0);

    let app_specs = apps::find(&app.state.inputs.app).map(|a| (a.name(), a.options()));
    let platform_specs =
        platforms::find(&app.state.inputs.platform).map(|p| (p.name(), p.options()));
    for (title, specs) in [platform_specs, app_specs].into_iter().flatten() {
        egui::CollapsingHeader::new(title)
            .default_open(true)
            .show(ui, |ui| options_ui(app, ui, specs));
    }

    egui::CollapsingHeader::new(tr("Extra variables"))
        .id_salt("extra_variables")
        .default_open(!app.state.inputs.extra_env.is_empty())
        .show(ui, |ui| extras_ui(app, ui));
    egui::CollapsingHeader::new(tr("Secrets"))
        .id_salt("secrets")
        .default_open(true)
        .show(ui, |ui| secrets_ui(app, ui));
}

fn options_ui(app: &mut ProxyTrustApp, ui: &mut egui::Ui, specs: &[OptionSpec]) {
    egui::Grid::new(ui.next_auto_id())
        .num_columns(3)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            for spec in specs {
                let mut value = app
                    .state
                    .inputs
                    .options
                    .get(spec.key)
                    .cloned()
                    .unwrap_or_else(|| spec.default.to_owned());
                let before = value.clone();
                let l = ui.label(spec.label).on_hover_text(spec.help);
                match spec.kind {
                    OptionKind::Choice(choices) => {
                        let shown = choices
                            .iter()
                            .find(|(v, _)| *v == value)
                            .map_or(value.as_str(), |(_, l)| l)
                            .to_owned();
                        ui.label_inputs_by(l.id, |ui| {
                            egui::ComboBox::from_id_salt(spec.key)
                                .selected_text(shown)
                                .show_ui(ui, |ui| {
                                    for (v, label) in choices {
                                        ui.selectable_value(&mut value, (*v).to_owned(), *label);
                                    }
                                });
                        });
                    }
                    _ => {
                        ui.add(
                            TextEdit::singleline(&mut value)
                                .hint_text(spec.help)
                                .desired_width(220.0),
                        )
                        .labelled_by(l.id);
                    }
                }
                marker(ui, app, &format!("option:{}", spec.key));
                ui.end_row();
                if value != before {
                    app.state.inputs.options.insert(spec.key.to_owned(), value);
                }
            }
        });
}

fn extras_ui(app: &mut ProxyTrustApp, ui: &mut egui::Ui) {
    let mut remove = None;
    for i in 0..app.state.inputs.extra_env.len() {
        ui.horizontal(|ui| {
            let ExtraVar { name, value } = &mut app.state.inputs.extra_env[i];
            let l = ui.label(trf("Name {}", &[&(i + 1)]));
            ui.add(TextEdit::singleline(name).desired_width(170.0))
                .labelled_by(l.id);
            let l = ui.label(tr("Value"));
            ui.add(TextEdit::singleline(value).desired_width(170.0))
                .labelled_by(l.id);
            marker(ui, app, &format!("extra[{i}]"));
            if ui
                .small_button(tr("Remove"))
                .on_hover_text(trf("Remove variable {}", &[&(i + 1)]))
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        app.state.inputs.extra_env.remove(i);
    }
    if ui.button(tr("Add variable")).clicked() {
        app.state.inputs.extra_env.push(ExtraVar::default());
    }
}

fn secrets_ui(app: &mut ProxyTrustApp, ui: &mut egui::Ui) {
    let names: Vec<(String, Option<crate::engine::plan::SecretGen>)> = app
        .generated
        .env
        .iter()
        .filter(|e| e.secret)
        .map(|e| (e.name.clone(), e.generate))
        .collect();
    if names.is_empty() {
        ui.label(RichText::new(tr("No secrets for this setup")).weak());
        return;
    }
    ui.label(
        RichText::new(tr(
            "Values stay on this machine: they are used in the .env block and inline secrets, \
             and are saved in project files only if you choose so (File menu).",
        ))
        .weak(),
    );
    for (name, shape) in names {
        ui.horizontal(|ui| {
            let l = ui.label(&name);
            let mut value = app
                .state
                .inputs
                .secrets
                .get(&name)
                .cloned()
                .unwrap_or_default();
            let r = ui
                .add(
                    TextEdit::singleline(&mut value)
                        .password(!app.revealed_secrets.contains(&name))
                        .hint_text(tr("not set: kept in the secret store"))
                        .desired_width(220.0),
                )
                .labelled_by(l.id);
            if r.changed() {
                app.state.inputs.secrets.insert(name.clone(), value);
            }
            let mut shown = app.revealed_secrets.contains(&name);
            let toggle = ui.toggle_value(&mut shown, tr("Show"));
            // Screen readers hear which secret the toggle shows.
            toggle.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::Role::Button,
                    true,
                    shown,
                    trf("Show {}", &[&name]),
                )
            });
            if toggle
                .on_hover_text(trf("Show or hide the value of {}", &[&name]))
                .changed()
            {
                if shown {
                    app.revealed_secrets.insert(name.clone());
                } else {
                    app.revealed_secrets.remove(&name);
                }
            }
            let generatable = crate::secrets::can_generate(&name, shape);
            if ui
                .add_enabled(generatable, egui::Button::new(tr("Generate")))
                .on_disabled_hover_text(tr(
                    "This value comes from elsewhere (a database URL, your identity provider): paste it",
                ))
                .on_hover_text(match shape {
                    Some(crate::engine::plan::SecretGen::Hex { bytes }) => {
                        trf("Fill {} with {} random bytes in hex", &[&name, &bytes])
                    }
                    _ => trf("Fill {} with 50 random letters and digits", &[&name]),
                })
                .clicked()
            {
                match crate::secrets::generate_for(shape) {
                    Ok(v) => {
                        app.state.inputs.secrets.insert(name.clone(), v);
                        app.status = trf("Generated {}", &[&name]);
                    }
                    Err(e) => app.status = trf("Could not generate: {}", &[&e]),
                }
            }
        });
    }
}
