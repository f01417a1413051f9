//! Fonts: egui's defaults (without sub-pixel binning, see [`install`]) plus a bundled subset of Noto Sans CJK SC as a fallback, so the
//! Chinese UI renders on machines without CJK system fonts (and in egui_kittest, which panics
//! on a missing glyph). The subset holds exactly the characters of `i18n.rs`;
//! `scripts/subset-cjk-font.sh` rebuilds it. Licence: assets/fonts/LICENSE-OFL.txt (SIL OFL 1.1).

use std::sync::Arc;

const CJK: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-ProxyTrust-subset.otf");
const NAME: &str = "noto-sans-sc-subset";

/// Installs the fonts once per egui context.
pub fn install(ctx: &egui::Context) {
    let key = egui::Id::unique("proxytrust_fonts_installed");
    if ctx.data(|d| d.get_temp::<bool>(key)).unwrap_or(false) {
        return;
    }
    let mut fonts = egui::FontDefinitions::default();
    fonts
        .font_data
        .insert(NAME.to_owned(), Arc::new(egui::FontData::from_static(CJK)));
    // Last in each family: Latin text keeps egui's own fonts, CJK falls through to this one.
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push(NAME.to_owned());
    }
    // Glyphs at whole-pixel positions only. egui's sub-pixel binning rasterizes each glyph at up
    // to four horizontal offsets (epaint `TextOptions::subpixel_binning`, whose docs note it
    // also makes text blurrier); for this window's mostly monospace text it bought nothing
    // visible in side-by-side screenshots and cost half of the first frame (12 -> 6 ms with
    // the Label Studio example: BENCHMARKS.md, start-up). Set before `set_fonts`, which builds
    // the fonts right away with the text options of the moment.
    ctx.all_styles_mut(|s| s.visuals.text_options.subpixel_binning = false);
    ctx.set_fonts(fonts);
    ctx.data_mut(|d| d.insert_temp(key, true));
}
