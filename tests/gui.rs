//! GUI behaviour with egui_kittest: queries by accessible label, no GPU.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use proxytrust::engine::inputs::RawInputs;
use proxytrust::gui::{EXAMPLES, ProxyTrustApp, UiCommand};

fn harness(app: ProxyTrustApp) -> Harness<'static, ProxyTrustApp> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        // Changed lines stay highlighted for 1.5 s after an edit: enough frames to settle.
        .with_max_steps(240)
        .build_ui_state(|ui, app: &mut ProxyTrustApp| app.show(ui), app)
}

fn ls(urls: &[&str]) -> RawInputs {
    let mut raw = RawInputs {
        urls: urls.iter().map(|s| (*s).to_owned()).collect(),
        platform: "cloud-run".into(),
        app: "label-studio".into(),
        ..RawInputs::default()
    };
    raw.options.insert("service".into(), "labelstudio".into());
    raw.options.insert("region".into(), "us-central1".into());
    raw.options
        .insert("admin_email".into(), "admin@example.com".into());
    raw
}

fn block(h: &Harness<'_, ProxyTrustApp>, id: &str) -> String {
    h.state()
        .generated
        .block(id)
        .expect("block")
        .content
        .clone()
}

fn copied_texts(h: &Harness<'_, ProxyTrustApp>) -> Vec<String> {
    h.output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn trailing_slash_fix_removes_the_diagnostic_and_changes_outputs() {
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&[])));
    h.state_mut().state.inputs.urls.push(String::new());
    h.run();
    // Type the URL the way a user does.
    h.get_by_label("URL 1").focus();
    h.get_by_label("URL 1").type_text("https://ls.example.com/");
    h.run();
    assert_eq!(h.state().state.inputs.urls[0], "https://ls.example.com/");
    assert!(h.query_by_label_contains("URL ends with a slash").is_some());
    let before = block(&h, "deploy");
    h.get_by_label("Apply fix: Use https://ls.example.com")
        .click();
    h.run();
    assert_eq!(h.state().state.inputs.urls[0], "https://ls.example.com");
    assert!(h.query_by_label_contains("URL ends with a slash").is_none());
    let after = block(&h, "deploy");
    assert_ne!(before, after, "outputs follow the fix");
    assert!(after.contains("--url https://ls.example.com --platform"));
}

#[test]
fn copy_puts_exactly_the_block_on_the_clipboard() {
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&["https://ls.example.com"])));
    h.run();
    h.get_by_label("deploy.sh").click();
    h.run();
    h.get_by_label("Copy").click();
    h.step();
    let want = block(&h, "deploy");
    assert_eq!(copied_texts(&h), vec![want]);
    // Copy all puts the whole Markdown document (every block) on the clipboard.
    h.state_mut().push(UiCommand::CopyAll);
    h.step();
    let all = copied_texts(&h);
    assert_eq!(all.len(), 1);
    assert!(all[0].starts_with("# Label Studio on Google Cloud Run"));
    for b in &h.state().generated.blocks {
        let first_line = b.content.lines().last().unwrap_or_default();
        assert!(
            all[0].contains(first_line),
            "{} missing from Copy all",
            b.id
        );
    }
    // Ctrl+Shift+C runs the same command.
    h.state_mut().status.clear();
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::C,
    );
    h.step();
    assert_eq!(h.state().status, "Copied all blocks");
}

#[test]
fn examples_open_without_crashing() {
    let mut h = harness(ProxyTrustApp::default());
    h.run();
    for (i, ex) in EXAMPLES.iter().enumerate() {
        h.state_mut().push(UiCommand::OpenExample(i));
        h.run();
        assert!(
            h.state().status.contains(ex.title),
            "status after example {i}: {}",
            h.state().status
        );
    }
    // The Label Studio example is complete: it generates every block and flags the write-up's
    // ignored variables.
    h.state_mut().push(UiCommand::OpenExample(0));
    h.run();
    let g = &h.state().generated;
    for id in ["env", "deploy", "dotenv", "snippet", "verify", "explain"] {
        assert!(g.block(id).is_some(), "{id}");
    }
    assert!(g.diagnostics.iter().any(|d| d.code == "LS001"));
    // Every seed example opens a supported app with every block.
    for i in 0..EXAMPLES.len() {
        h.state_mut().push(UiCommand::OpenExample(i));
        h.run();
        let g = &h.state().generated;
        assert!(
            !g.diagnostics
                .iter()
                .any(|d| d.code == "APP001" || d.code == "PLT001"),
            "example {i}"
        );
        for id in ["env", "deploy", "snippet", "verify", "explain"] {
            assert!(g.block(id).is_some(), "example {i}: {id}");
        }
    }
}

#[test]
fn example_menu_item_opens_through_the_menu() {
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&["https://a.example"])));
    h.run();
    h.get_by_label("Examples").click();
    h.run();
    h.get_by_label("Label Studio on Cloud Run").click();
    h.run();
    assert_eq!(h.state().state.inputs.urls.len(), 2);
    assert_eq!(
        h.state().state.inputs.urls[0],
        "https://labelstudio-abc123-uc.a.run.app"
    );
}

#[test]
fn save_and_open_project_files_keep_secrets_out_unless_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.toml");
    let mut raw = ls(&["https://ls.example.com"]);
    raw.secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "hunter2hunter2".into());
    let mut h = harness(ProxyTrustApp::with_inputs(raw));
    h.run();
    h.state_mut()
        .finish_dialog(proxytrust::gui::DialogResult::SaveAs(Some(path.clone())));
    let text = std::fs::read_to_string(&path).expect("saved");
    assert!(text.contains("https://ls.example.com"));
    assert!(!text.contains("hunter2"), "secret written without opt-in");
    h.state_mut().state.save_secrets = true;
    h.state_mut()
        .finish_dialog(proxytrust::gui::DialogResult::SaveAs(Some(path.clone())));
    assert!(
        std::fs::read_to_string(&path)
            .expect("saved")
            .contains("hunter2")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A broken file leaves the work in the window untouched and says why.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "schema = 1\nurls = 7\n").expect("write");
    let before = h.state().state.inputs.clone();
    h.state_mut().open_path(&bad);
    assert_eq!(h.state().state.inputs, before);
    assert!(
        h.state().status.contains("bad.toml: line 2"),
        "{}",
        h.state().status
    );
    // Opening the saved file restores it.
    h.state_mut().state.inputs.urls.clear();
    h.state_mut().open_path(&path);
    assert_eq!(
        h.state().state.inputs.urls,
        vec!["https://ls.example.com".to_owned()]
    );
}

#[test]
fn export_all_writes_every_block_and_secret_blocks_are_private() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut raw = ls(&["https://ls.example.com"]);
    raw.secrets.insert("SECRET_KEY".into(), "k".repeat(50));
    raw.secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "p".repeat(20));
    let mut h = harness(ProxyTrustApp::with_inputs(raw));
    h.run();
    h.state_mut()
        .finish_dialog(proxytrust::gui::DialogResult::ExportDir(Some(
            dir.path().to_owned(),
        )));
    for b in &h.state().generated.blocks {
        let p = dir.path().join(&b.filename);
        assert_eq!(std::fs::read_to_string(&p).expect("exported"), b.content);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&p).expect("meta").permissions().mode() & 0o777;
            if b.contains_secret {
                assert_eq!(mode, 0o600, "{}", b.filename);
            }
        }
    }
    assert!(
        h.state()
            .generated
            .block("dotenv")
            .expect("dotenv")
            .contains_secret
    );
}

#[test]
fn shortcuts_save_with_ctrl_s() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.toml");
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&["https://ls.example.com"])));
    h.run();
    h.state_mut()
        .finish_dialog(proxytrust::gui::DialogResult::SaveAs(Some(path.clone())));
    h.state_mut()
        .state
        .inputs
        .urls
        .push("https://b.example.com".into());
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    let text = std::fs::read_to_string(&path).expect("saved");
    assert!(text.contains("https://b.example.com"), "{text}");
}

#[test]
fn diagnose_box_recognises_a_pasted_error_and_fills_the_form() {
    let mut raw = ls(&[""]);
    raw.app = "label-studio".into();
    let mut h = harness(ProxyTrustApp::with_inputs(raw));
    h.run();
    h.get_by_label("Diagnose an error message").click();
    h.run();
    let line = "Forbidden (Origin checking failed - https://ls.example.org does not match any \
                trusted origins.): /user/login/";
    h.get_by_label("Paste the error or the log line:").focus();
    h.get_by_label("Paste the error or the log line:")
        .type_text(line);
    h.run();
    assert!(
        h.query_by_label_contains("Label Studio: Django's CSRF middleware")
            .is_some()
    );
    h.get_by_label("Fill the form").click();
    h.run();
    assert_eq!(h.state().state.inputs.urls, vec!["https://ls.example.org"]);
    assert!(
        h.state()
            .status
            .contains("Filled the form for Label Studio")
    );
    // The outputs follow: the origin is now trusted.
    assert!(block(&h, "env").contains("https://ls.example.org"));
}

#[test]
fn diagnose_box_says_not_recognised_instead_of_guessing() {
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&["https://ls.example.com"])));
    h.run();
    h.get_by_label("Diagnose an error message").click();
    h.run();
    h.get_by_label("Paste the error or the log line:").focus();
    h.get_by_label("Paste the error or the log line:")
        .type_text("Segmentation fault (core dumped)");
    h.run();
    assert!(h.query_by_label_contains("Not recognised").is_some());
    assert!(h.query_by_label("Fill the form").is_none());
    assert_eq!(h.state().state.inputs.app, "label-studio");
}

#[test]
fn secrets_are_masked_until_revealed() {
    let mut raw = ls(&["https://ls.example.com"]);
    raw.secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "hunter2hunter2".into());
    // Tall enough that the Secrets section is in view without scrolling.
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1800.0))
        .with_max_steps(240)
        .build_ui_state(
            |ui, app: &mut ProxyTrustApp| app.show(ui),
            ProxyTrustApp::with_inputs(raw),
        );
    h.run();
    // The section header (the first node named "Secrets"; the outputs may name it too).
    h.get_all_by_label("Secrets")
        .next()
        .expect("Secrets section")
        .click();
    h.run();
    let field = h.get_by_label("LABEL_STUDIO_PASSWORD");
    assert!(
        field.value().is_none_or(|v| !v.contains("hunter2")),
        "the value is masked: {:?}",
        field.value()
    );
    h.get_by_label("Show LABEL_STUDIO_PASSWORD").click();
    h.run();
    assert!(h.state().revealed_secrets.contains("LABEL_STUDIO_PASSWORD"));
    let field = h.get_by_label("LABEL_STUDIO_PASSWORD");
    assert_eq!(field.value().as_deref(), Some("hunter2hunter2"));
}

#[test]
fn copy_as_cli_command_reproduces_the_setup_without_secrets() {
    let mut raw = ls(&["https://ls.example.com"]);
    raw.secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "hunter2hunter2".into());
    let mut h = harness(ProxyTrustApp::with_inputs(raw.clone()));
    h.run();
    h.state_mut().push(UiCommand::CopyCliCommand);
    h.step();
    let copied = copied_texts(&h);
    assert_eq!(copied.len(), 1);
    assert_eq!(copied[0], proxytrust::engine::command_for(&raw));
    assert!(copied[0].contains("--url https://ls.example.com"));
    assert!(!copied[0].contains("hunter2"));
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.toml");
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&["https://ls.example.com"])));
    h.run();
    h.state_mut()
        .finish_dialog(proxytrust::gui::DialogResult::SaveAs(Some(path.clone())));
    h.state_mut().state.inputs.urls[0] = "https://other.example.com".into();
    h.run();
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.run();
    assert!(h.state().confirm_close);
    assert!(h.query_by_label("Save changes before closing?").is_some());
    h.get_by_label("Save").click();
    h.run();
    assert!(!h.state().confirm_close);
    assert!(
        std::fs::read_to_string(&path)
            .expect("saved")
            .contains("https://other.example.com")
    );
}

#[test]
fn hovering_a_generated_line_says_why_it_is_there() {
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&["https://ls.example.com"])));
    h.run();
    h.get_by_label("env.yaml").click();
    h.run();
    let rect = h
        .get_by_label_contains("CSRF_TRUSTED_ORIGINS: \"https://ls.example.com\"")
        .rect();
    let why = "Django checks the browser's Origin header";
    let mut found = false;
    let mut y = rect.min.y + 2.0;
    while y < rect.max.y && !found {
        h.input_mut()
            .events
            .push(egui::Event::PointerMoved(egui::pos2(rect.min.x + 40.0, y)));
        h.run();
        found = h.query_by_label_contains(why).is_some();
        y += 4.0;
    }
    assert!(
        found,
        "no explanation shown for the CSRF_TRUSTED_ORIGINS line"
    );
}

#[test]
fn copy_shows_a_toast_and_layouts_are_cached() {
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&["https://ls.example.com"])));
    h.run();
    let before = h.state().view_cache.layouts;
    for _ in 0..5 {
        h.run();
    }
    assert_eq!(
        h.state().view_cache.layouts,
        before,
        "idle frames re-laid out the text"
    );
    h.get_by_label("Copy").click();
    h.run();
    assert!(h.query_by_label("Copied").is_some());
}

#[test]
fn copying_a_block_with_secret_values_asks_first() {
    let mut raw = ls(&["https://ls.example.com"]);
    raw.secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "hunter2hunter2".into());
    let mut h = harness(ProxyTrustApp::with_inputs(raw));
    h.run();
    h.get_by_label("label-studio.env (secret)").click();
    h.run();
    h.get_by_label("Copy").click();
    h.run();
    assert!(h.query_by_label("Copy secret values?").is_some());
    assert!(copied_texts(&h).is_empty(), "copied before the user agreed");
    h.get_by_label("Copy anyway").click();
    h.step();
    let want = block(&h, "dotenv");
    assert!(want.contains("hunter2hunter2"));
    assert_eq!(copied_texts(&h), vec![want]);
    assert!(h.state().confirm_secret_copy.is_none());
}

#[test]
fn tab_walks_the_form_top_to_bottom_and_every_stop_has_a_name() {
    use egui_kittest::kittest::By;
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&["https://ls.example.com"])));
    h.run();
    let mut order: Vec<String> = Vec::new();
    for _ in 0..40 {
        h.key_press(egui::Key::Tab);
        h.run();
        let focused = h.query(By::new().predicate(|n| n.is_focused()));
        let Some(node) = focused else { continue };
        let label = {
            use egui_kittest::kittest::NodeT as _;
            node.accesskit_node().label().unwrap_or_default()
        };
        assert!(!label.trim().is_empty(), "a Tab stop without a name");
        order.push(label);
    }
    let first = |name: &str| {
        order
            .iter()
            .position(|l| l == name)
            .unwrap_or_else(|| panic!("{name} is not reachable with Tab: {order:?}"))
    };
    let sequence = [
        "URL 1",
        "Add URL",
        "Platform",
        "App",
        "Version",
        "Service name",
    ];
    for pair in sequence.windows(2) {
        assert!(
            first(pair[0]) < first(pair[1]),
            "{} comes after {}: {order:?}",
            pair[0],
            pair[1]
        );
    }
}

mod common;

#[test]
fn pasting_each_known_error_selects_its_app_and_shows_the_cause() {
    use proxytrust::engine::diagnose::signatures;
    for (app, sig, text) in common::error_corpus() {
        let signature = signatures()
            .find(|s| s.id == sig)
            .unwrap_or_else(|| panic!("{sig}: no such signature"));
        let start = common::app_not_named_by(&sig);
        let mut raw = ls(&["https://ls.example.com"]);
        raw.app = start.into();
        let mut h = harness(ProxyTrustApp::with_inputs(raw));
        h.run();
        h.get_by_label("Diagnose an error message").click();
        h.run();
        h.get_by_label("Paste the error or the log line:").focus();
        h.get_by_label("Paste the error or the log line:")
            .type_text(&text);
        h.run();
        let name = proxytrust::engine::apps::find(&app).expect("app").name();
        assert!(
            h.query_by_label_contains(&format!("{name}: {}", signature.emitter))
                .is_some(),
            "{sig}: no diagnosis naming {name}"
        );
        assert!(
            h.query_by_label_contains(signature.cause).is_some(),
            "{sig}: the cause is not shown"
        );
        h.get_by_label("Fill the form").click();
        h.run();
        assert_eq!(h.state().state.inputs.app, app, "{sig}");
    }
}

/// A save that fails (here a folder that does not exist; a full disk fails the same way in
/// `project::save`, tests/project_files.rs) says why, keeps every input and keeps the window
/// marked unsaved, so closing still offers to save.
#[test]
fn a_failed_save_keeps_the_work_and_the_unsaved_mark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(ProxyTrustApp::with_inputs(ls(&["https://ls.example.com"])));
    h.run();
    h.state_mut().state.inputs.urls[0] = "https://changed.example.com".into();
    h.run();
    assert!(h.state().dirty());
    let before = h.state().state.inputs.clone();
    let target = dir.path().join("gone/p.toml");
    h.state_mut()
        .finish_dialog(proxytrust::gui::DialogResult::SaveAs(Some(target.clone())));
    h.run();
    assert!(!target.exists());
    assert_eq!(h.state().state.inputs, before);
    assert!(
        h.state().dirty(),
        "a failed save must not clear the unsaved mark"
    );
    let status = &h.state().status;
    assert!(
        status.starts_with("Not saved") && status.contains("p.toml"),
        "{status}"
    );
}
