//! Project files that are broken, huge, binary or unwritable give a clear error naming the file
//! (and the line, where there is one), and never damage what is already on disk.

use std::path::Path;

use proxytrust::engine::inputs::RawInputs;
use proxytrust::project;

fn sample() -> RawInputs {
    let mut raw = RawInputs {
        urls: vec!["https://ls.example.com".into()],
        platform: "cloud-run".into(),
        app: "label-studio".into(),
        ..RawInputs::default()
    };
    raw.options.insert("service".into(), "ls".into());
    raw
}

fn load_err(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    let e = project::load(&path).expect_err(name);
    let msg = e.to_string();
    assert!(
        msg.contains(name),
        "{name}: the error does not name the file: {msg}"
    );
    msg
}

#[test]
fn broken_files_give_errors_that_name_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = project::to_toml(&sample(), false).expect("toml");
    // Truncated in the middle of a string.
    let cut = &good[..good.find("https://").expect("url") + 10];
    let m = load_err(dir.path(), "truncated.toml", cut.as_bytes());
    assert!(m.contains("line "), "{m}");
    let m = load_err(dir.path(), "types.toml", b"schema = 1\nplatform = 3\n");
    assert!(m.contains("line 2"), "{m}");
    let m = load_err(
        dir.path(),
        "unknown.toml",
        b"schema = 1\nplatfrom = \"vm\"\n",
    );
    assert!(m.contains("line 2"), "{m}");
    let m = load_err(dir.path(), "newer.toml", b"schema = 7\n");
    assert!(m.contains("newer"), "{m}");
    let m = load_err(
        dir.path(),
        "binary.toml",
        &[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0],
    );
    assert!(m.contains("line ") || m.contains("UTF-8"), "{m}");
    let m = load_err(
        dir.path(),
        "latin1.toml",
        b"schema = 1\nurls = [\"https://caf\xe9.example\"]\n",
    );
    assert!(m.contains("not UTF-8"), "{m}");
}

#[test]
fn a_huge_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.toml");
    // 100 MB, sparse: refused from its size alone.
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(100 * 1024 * 1024).expect("set_len");
    let start = std::time::Instant::now();
    let e = project::load(&path).expect_err("huge");
    assert!(e.to_string().contains("too large"), "{e}");
    assert!(start.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn failed_saves_say_why_and_leave_the_old_file_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A missing folder.
    let missing = dir.path().join("no/such/folder/p.toml");
    let e = project::save(&missing, &sample(), false).expect_err("missing folder");
    assert!(e.to_string().contains("p.toml"), "{e}");
    // A "folder" that is a file.
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").expect("write");
    let e = project::save(&file.join("p.toml"), &sample(), false).expect_err("not a dir");
    assert!(e.to_string().contains("p.toml"), "{e}");
    // A read-only file system (sysfs refuses new files even to root).
    if Path::new("/sys/kernel").is_dir() {
        let e = project::save(Path::new("/sys/kernel/proxytrust.toml"), &sample(), false)
            .expect_err("read-only");
        assert!(e.to_string().contains("proxytrust.toml"), "{e}");
        assert!(!Path::new("/sys/kernel/.proxytrust.toml.proxytrust-tmp").exists());
    }
    // The target is a directory: the rename fails after the temporary file was written; the
    // directory is untouched and no temporary file is left behind.
    let target = dir.path().join("taken.toml");
    std::fs::create_dir(&target).expect("mkdir");
    std::fs::write(target.join("keep"), "mine").expect("write");
    let e = project::save(&target, &sample(), false).expect_err("rename onto a directory");
    assert!(e.to_string().contains("taken.toml"), "{e}");
    assert_eq!(
        std::fs::read_to_string(target.join("keep")).expect("kept"),
        "mine"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("proxytrust-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A good save over an existing file replaces it whole.
    let ok = dir.path().join("ok.toml");
    std::fs::write(&ok, "old").expect("write");
    project::save(&ok, &sample(), false).expect("save");
    assert_eq!(project::load(&ok).expect("load").urls, sample().urls);
}
