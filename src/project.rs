//! Project files: the raw inputs in TOML, with a schema version.
//!
//! ```toml
//! schema = 1
//! urls = ["https://labelstudio-abc123-uc.a.run.app"]
//! platform = "cloud-run"
//! app = "label-studio"
//! app_version = "1.23.2"
//! [options]
//! service = "labelstudio"
//! region = "us-central1"
//! [[extra_env]]
//! name = "LOG_LEVEL"
//! value = "INFO"
//! [secrets]            # only when the user opts in to saving secret values
//! SECRET_KEY = "..."
//! ```
//!
//! Saving is atomic (temporary file in the same folder, fsync, rename) and a file that holds
//! secret values is created with mode 0600 on Unix.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::inputs::RawInputs;

/// The schema version this build writes. Older versions are read; newer ones are refused.
pub const SCHEMA: u32 = 1;

/// Refuse files larger than this: a project file is a few hundred bytes.
const MAX_BYTES: u64 = 1024 * 1024;

/// The file layout. The fields mirror [`RawInputs`] (not `#[serde(flatten)]`, which would lose
/// the line numbers in error messages).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ProjectFile {
    schema: u32,
    urls: Vec<String>,
    platform: String,
    app: String,
    app_version: String,
    options: std::collections::BTreeMap<String, String>,
    extra_env: Vec<crate::engine::inputs::ExtraVar>,
    secrets: std::collections::BTreeMap<String, String>,
}

impl ProjectFile {
    fn from_inputs(i: RawInputs) -> Self {
        Self {
            schema: SCHEMA,
            urls: i.urls,
            platform: i.platform,
            app: i.app,
            app_version: i.app_version,
            options: i.options,
            extra_env: i.extra_env,
            secrets: i.secrets,
        }
    }

    fn into_inputs(self) -> RawInputs {
        RawInputs {
            urls: self.urls,
            platform: self.platform,
            app: self.app,
            app_version: self.app_version,
            options: self.options,
            extra_env: self.extra_env,
            secrets: self.secrets,
        }
    }
}

#[derive(Debug)]
pub struct ProjectError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for ProjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ProjectError {}

fn err(path: &Path, message: impl Into<String>) -> ProjectError {
    ProjectError {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Parses project text; `path` is only used in error messages.
pub fn parse(path: &Path, text: &str) -> Result<RawInputs, ProjectError> {
    let file: ProjectFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let msg = e.message().to_owned();
        match line {
            Some(l) => err(path, format!("line {l}: {msg}")),
            None => err(path, msg),
        }
    })?;
    if file.schema > SCHEMA {
        return Err(err(
            path,
            format!(
                "written by a newer ProxyTrust (schema {}, this one reads up to {SCHEMA})",
                file.schema
            ),
        ));
    }
    Ok(file.into_inputs())
}

pub fn load(path: &Path) -> Result<RawInputs, ProjectError> {
    let meta = std::fs::metadata(path).map_err(|e| err(path, e.to_string()))?;
    if meta.len() > MAX_BYTES {
        return Err(err(
            path,
            format!("too large for a project file ({} bytes)", meta.len()),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| err(path, e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        err(
            path,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    parse(path, &text)
}

/// The TOML text for `inputs`; secret values only when `include_secrets`.
pub fn to_toml(inputs: &RawInputs, include_secrets: bool) -> Result<String, toml::ser::Error> {
    let mut inputs = inputs.clone();
    if !include_secrets {
        inputs.secrets.clear();
    }
    toml::to_string(&ProjectFile::from_inputs(inputs))
}

pub fn save(path: &Path, inputs: &RawInputs, include_secrets: bool) -> Result<(), ProjectError> {
    let text = to_toml(inputs, include_secrets).map_err(|e| err(path, e.to_string()))?;
    let secret = include_secrets && !inputs.secrets.is_empty();
    write_atomic(path, text.as_bytes(), secret)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename.
/// With `secret`, the file is created with mode 0600 (Unix).
pub fn write_atomic(path: &Path, bytes: &[u8], secret: bool) -> Result<(), ProjectError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| err(path, "not a file path"))?;
    let tmp = dir.join(format!(".{name}.proxytrust-tmp"));
    let result = (|| -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(if secret { 0o600 } else { 0o644 });
        }
        let mut f = opts.open(&tmp)?;
        #[cfg(unix)]
        if secret {
            // The mode given at creation is masked by the umask and ignored for an existing
            // temporary file: set it explicitly.
            use std::os::unix::fs::PermissionsExt as _;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(path, e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_without_and_with_secrets() {
        let mut raw = RawInputs {
            urls: vec!["https://a.example".into()],
            platform: "cloud-run".into(),
            app: "label-studio".into(),
            ..RawInputs::default()
        };
        raw.options.insert("service".into(), "ls".into());
        raw.secrets.insert("SECRET_KEY".into(), "s3cret".into());
        let text = to_toml(&raw, false).expect("serialise");
        assert!(!text.contains("s3cret"));
        let back = parse(Path::new("p.toml"), &text).expect("parse");
        assert_eq!(back.urls, raw.urls);
        assert!(back.secrets.is_empty());
        let text = to_toml(&raw, true).expect("serialise");
        assert_eq!(parse(Path::new("p.toml"), &text).expect("parse"), raw);
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse(Path::new("x.toml"), "schema = 1\nurls = 3\n").expect_err("wrong type");
        assert!(e.to_string().starts_with("x.toml: line 2:"), "{e}");
        let e = parse(Path::new("x.toml"), "schema = 99\n").expect_err("newer");
        assert!(e.to_string().contains("newer"), "{e}");
    }
}
