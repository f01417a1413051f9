//! The Linux desktop entry (assets/proxytrust.desktop) passes desktop-file-validate (Debian
//! package desktop-file-utils, installed by the test command) and starts the GUI.

use std::process::Command;

#[test]
fn desktop_entry_is_valid_and_runs_the_gui() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/proxytrust.desktop");
    let out = Command::new("desktop-file-validate")
        .arg(&path)
        .output()
        .expect("desktop-file-validate (apt-get install desktop-file-utils)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && report.trim().is_empty(), "{report}");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.lines().any(|l| l == "Exec=proxytrust gui"));
    // The window's app id (X11 WM_CLASS / Wayland app_id) matches, so docks group it.
    assert!(text.lines().any(|l| l == "StartupWMClass=proxytrust"));
    let gui = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/gui/mod.rs"),
    )
    .expect("read");
    assert!(gui.contains(".with_app_id(\"proxytrust\")"));
}
