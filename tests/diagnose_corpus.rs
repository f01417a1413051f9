//! The error-message corpus: `tests/fixtures/errors/<app>__<signature>.txt` holds a message as a
//! user pastes it (the upstream string with example values, often with a log prefix). Every
//! signature in the registry has at least one file, and each file is recognised as its
//! signature and proposes its app, through the library and through `proxytrust diagnose`.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use proxytrust::engine::diagnose::{self, signatures};
use proxytrust::engine::inputs::RawInputs;

#[test]
fn every_signature_has_a_corpus_message() {
    let have: BTreeSet<String> = common::error_corpus()
        .into_iter()
        .map(|(_, s, _)| s)
        .collect();
    let missing: Vec<&str> = signatures()
        .map(|s| s.id)
        .filter(|id| !have.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "signatures without a corpus file: {missing:?}"
    );
}

#[test]
fn every_corpus_message_is_recognised_as_its_signature_and_app() {
    let corpus = common::error_corpus();
    assert!(!corpus.is_empty());
    for (app, sig, text) in &corpus {
        // Start from a form set to an app the signature does not name, so the proposal shows.
        let current = RawInputs {
            app: common::app_not_named_by(sig).to_owned(),
            platform: "cloud-run".to_owned(),
            ..RawInputs::default()
        };
        let found = diagnose::diagnose(text, &current);
        let first = found
            .first()
            .unwrap_or_else(|| panic!("{sig}: not recognised:\n{text}"));
        assert_eq!(first.signature, sig, "{sig}: recognised as {found:?}");
        assert_eq!(
            first.app, app,
            "{sig}: proposes {} instead of {app}",
            first.app
        );
        // Filling the form selects the app.
        let mut filled = current.clone();
        diagnose::apply(&found, &mut filled);
        assert_eq!(&filled.app, app, "{sig}: Fill the form");
    }
}

#[test]
fn the_cli_recognises_every_corpus_message() {
    for (app, sig, text) in common::error_corpus() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_proxytrust"))
            .args(["diagnose", "--format", "json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("write");
        }
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(0), "{sig}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["diagnoses"][0]["signature"], sig.as_str(), "{v}");
        assert_eq!(v["diagnoses"][0]["app"], app.as_str(), "{v}");
    }
}
