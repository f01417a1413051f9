//! The Chinese UI: every translatable string has a Chinese entry, every Chinese character is in
//! the bundled font subset, and the window renders in Chinese without a missing glyph
//! (egui_kittest panics on one) in every state the tests can reach.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use proxytrust::gui::i18n::{self, Lang, ZH};
use proxytrust::gui::{EXAMPLES, ProxyTrustApp, UiCommand};

/// Every string literal passed to `tr(...)` / `trf(...)` in src/gui, with Rust's `\`-newline
/// continuation applied (the same text the compiler produces).
fn translatable_strings() -> Vec<String> {
    let mut out = Vec::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/gui");
    for entry in std::fs::read_dir(dir).expect("src/gui") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let full = std::fs::read_to_string(&path).expect("read");
        // Unit tests may pass made-up strings on purpose.
        let src = full.split("#[cfg(test)]").next().unwrap_or_default();
        for call in ["tr(", "trf("] {
            let mut rest = src;
            while let Some(i) = rest.find(call) {
                // A call, not the end of another identifier (e.g. `attr(`).
                let before = rest[..i].chars().last();
                rest = &rest[i + call.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let trimmed = rest.trim_start();
                let Some(body) = trimmed.strip_prefix('"') else {
                    continue; // a variable: checked where its value is defined
                };
                let mut s = String::new();
                let mut chars = body.chars().peekable();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some('\n') => {
                                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                    chars.next();
                                }
                            }
                            Some('n') => s.push('\n'),
                            Some(other) => s.push(other),
                            None => {}
                        },
                        c => s.push(c),
                    }
                }
                out.push(s);
            }
        }
    }
    out
}

#[test]
fn every_ui_string_has_a_chinese_entry() {
    let strings = translatable_strings();
    assert!(strings.len() > 60, "found only {} strings", strings.len());
    let missing: Vec<&String> = strings.iter().filter(|s| i18n::zh(s).is_none()).collect();
    assert!(missing.is_empty(), "no Chinese for: {missing:#?}");
    // Strings reached through variables: example titles and summaries, theme names.
    for ex in EXAMPLES {
        assert!(i18n::zh(ex.title).is_some(), "{}", ex.title);
        assert!(i18n::zh(ex.summary).is_some(), "{}", ex.summary);
    }
}

#[test]
fn the_font_subset_covers_every_chinese_character() {
    use skrifa::MetadataProvider as _;
    let bytes = include_bytes!("../assets/fonts/NotoSansSC-ProxyTrust-subset.otf");
    let font = skrifa::FontRef::new(bytes).expect("the subset parses");
    let charmap = font.charmap();
    let mut missing: Vec<char> = ZH
        .iter()
        .flat_map(|(_, z)| z.chars())
        .chain(Lang::Zh.native_name().chars())
        .filter(|c| !c.is_ascii() && charmap.map(*c).is_none())
        .collect();
    missing.sort_unstable();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "not in assets/fonts: {missing:?} (run scripts/subset-cjk-font.sh)"
    );
}

fn zh_harness(size: egui::Vec2) -> Harness<'static, ProxyTrustApp> {
    let mut app = ProxyTrustApp::default();
    app.state.lang = Lang::Zh;
    Harness::builder()
        .with_size(size)
        .with_max_steps(240)
        .build_ui_state(|ui, app: &mut ProxyTrustApp| app.show(ui), app)
}

#[test]
fn the_window_renders_in_chinese_without_a_missing_glyph() {
    let mut h = zh_harness(egui::vec2(1280.0, 1600.0));
    h.run();
    assert!(h.query_by_label("公开 URL").is_some());
    for i in 0..EXAMPLES.len() {
        h.state_mut().push(UiCommand::OpenExample(i));
        h.run();
        assert!(
            h.state().status.starts_with("已打开示例"),
            "{}",
            h.state().status
        );
    }
    h.get_by_label("诊断错误信息").click();
    h.run();
    h.get_by_label("粘贴错误或日志行：").focus();
    h.get_by_label("粘贴错误或日志行：")
        .type_text("no such error");
    h.run();
    assert!(h.query_by_label_contains("未识别").is_some());
    for menu in ["文件", "编辑", "示例", "视图"] {
        h.get_by_label(menu).click();
        h.run();
    }
}

#[test]
fn english_is_the_default_and_language_is_remembered_state() {
    let app = ProxyTrustApp::default();
    assert_eq!(app.state.lang, Lang::En);
    let mut state = app.state.clone();
    state.lang = Lang::Zh;
    let text = serde_json::to_string(&state).expect("json");
    assert!(text.contains("\"lang\":\"zh\""), "{text}");
}
