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

/// The folder a full-disk child run works in (set only in the child process).
const FULL_DISK_DIR: &str = "PROXYTRUST_TEST_FULL_DISK_DIR";
/// How the child's disk is limited: `tmpfs` or `ulimit -f`.
const FULL_DISK_HOW: &str = "PROXYTRUST_TEST_FULL_DISK_HOW";

/// A save onto a disk that fills up mid-write fails with a clear error that names the file, the
/// old file stays whole and no temporary file is left.
///
/// The disk is real: a 256 KiB tmpfs mounted in a private mount namespace (`unshare -rm`, no
/// root needed where user namespaces are allowed), filled to the last byte, and this test
/// binary re-run inside it (ENOSPC). Where user namespaces are not available, the child runs
/// under a file-size limit instead (`ulimit -f` with SIGXFSZ ignored: the write fails with EFBIG
/// past the limit, the same failure point in the save).
#[test]
fn a_full_disk_gives_an_error_and_keeps_the_old_file() {
    if let Some(dir) = std::env::var_os(FULL_DISK_DIR) {
        full_disk_child(Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("test binary");
    let test = "a_full_disk_gives_an_error_and_keeps_the_old_file";
    // Probe with the mount itself: some sandboxes allow the namespace but not the mount.
    let userns = std::process::Command::new("unshare")
        .args([
            "-rm",
            "sh",
            "-c",
            r#"mount -t tmpfs -o size=4k probe "$1""#,
            "sh",
        ])
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    let (how, script) = if userns {
        (
            "tmpfs",
            r#"mount -t tmpfs -o size=256k proxytrust-full "$1" && exec "$2" --exact "$3" --nocapture"#,
        )
    } else {
        (
            "ulimit -f",
            r#"trap '' XFSZ; ulimit -f 32 && exec "$2" --exact "$3" --nocapture"#,
        )
    };
    let mut cmd = if userns {
        let mut c = std::process::Command::new("unshare");
        c.args(["-rm", "sh", "-c", script, "sh"]);
        c
    } else {
        let mut c = std::process::Command::new("bash");
        c.args(["-c", script, "bash"]);
        c
    };
    let out = cmd
        .arg(dir.path())
        .arg(&exe)
        .arg(test)
        .env(FULL_DISK_DIR, dir.path())
        .env(FULL_DISK_HOW, how)
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("FULL DISK CHECKED"),
        "full disk ({how}) child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("full disk simulated with {how}:");
    for l in stdout
        .lines()
        .filter(|l| l.starts_with("filler") || l.starts_with("save error"))
    {
        eprintln!("  {l}");
    }
}

fn full_disk_child(dir: &Path) {
    use std::io::Write as _;
    let path = dir.join("p.toml");
    project::save(&path, &sample(), false).expect("first save fits");
    let before = std::fs::read(&path).expect("read");
    // Fill what is left, to the last byte.
    let mut filler = std::fs::File::create(dir.join("filler")).expect("filler");
    let chunk = vec![b'x'; 4096];
    let mut full = None;
    for _ in 0..100_000 {
        if let Err(e) = filler.write_all(&chunk).and_then(|()| filler.sync_all()) {
            full = Some(e);
            break;
        }
    }
    for _ in 0..4096 {
        if let Err(e) = filler.write_all(b"x").and_then(|()| filler.sync_all()) {
            full = Some(e);
            break;
        }
    }
    let full = full.expect("the disk never filled up");
    println!("filler stopped with: {full}");
    // A project that needs more room than is left (and more than the file-size limit).
    let mut big = sample();
    big.options.insert("notes".into(), "n".repeat(48 * 1024));
    let e = project::save(&path, &big, false).expect_err("a save onto a full disk must fail");
    let msg = e.to_string();
    println!("save error: {msg}");
    assert!(
        msg.contains("p.toml"),
        "the error does not name the file: {msg}"
    );
    assert!(
        msg.contains("No space left") || msg.contains("too large"),
        "the error does not say why: {msg}"
    );
    assert_eq!(
        std::fs::read(&path).expect("old file"),
        before,
        "old file changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("proxytrust-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Once there is room again, the same save goes through (on the tmpfs; a file-size limit
    // stays).
    drop(filler);
    if std::env::var(FULL_DISK_HOW).as_deref() != Ok("tmpfs") {
        println!("FULL DISK CHECKED");
        return;
    }
    std::fs::remove_file(dir.join("filler")).expect("free the disk");
    project::save(&path, &big, false).expect("save after freeing space");
    assert_eq!(
        project::load(&path).expect("load").options["notes"].len(),
        48 * 1024
    );
    println!("FULL DISK CHECKED");
}
