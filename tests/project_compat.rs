//! Project files from older ProxyTrust versions keep opening (docs/project-file.md), and files
//! ProxyTrust cannot read are refused with the file and line named.

use proxytrust::project;

#[test]
fn a_schema_1_file_from_0_1_0_opens_unchanged() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/project-schema1-v0.1.0.toml");
    let raw = project::load(&path).expect("opens");
    assert_eq!(raw.app, "label-studio");
    assert_eq!(raw.platform, "cloud-run");
    assert_eq!(
        raw.urls,
        vec![
            "https://labelstudio-abc123-uc.a.run.app".to_owned(),
            "https://ls.example.com/".to_owned()
        ]
    );
    assert_eq!(
        raw.options.get("service").map(String::as_str),
        Some("labelstudio")
    );
    assert_eq!(raw.extra_env.len(), 2);
    // And it round-trips through the current writer.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("p.toml");
    project::save(&out, &raw, false).expect("save");
    assert_eq!(project::load(&out).expect("reopen"), raw);
}

#[test]
fn unknown_keys_and_newer_schemas_are_refused_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text, want) in [
        (
            "unknown.toml",
            "schema = 1\nurl = [\"https://x\"]\n",
            "line 2",
        ),
        ("newer.toml", "schema = 2\n", "newer"),
        (
            "extra.toml",
            "schema = 1\n[[extra_env]]\nname = \"A\"\nvalu = \"1\"\n",
            "line",
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        let e = project::load(&p).expect_err(name).to_string();
        assert!(e.contains(name), "{e}");
        assert!(e.contains(want), "{name}: {e}");
    }
}
