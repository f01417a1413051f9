//! Fuzzed values read back through a parser of each structured env format: YAML (Cloud Run
//! env.yaml, the Kubernetes Deployment, compose.yaml, render.yaml), JSON (the ECS task
//! definition) and TOML (fly.toml). An extra variable with an arbitrary value must come back out
//! of the env block exactly: unchanged where the platform passes values through, with every `$`
//! doubled where the platform's own expansion turns `$$` back into `$` (the kubelet, Compose:
//! `render/kube.rs`, `render/compose.rs`, whose unit tests check that expansion), or the engine
//! must refuse the value with an error on that variable.
//!
//! In process, so it scales to fuzzing counts:
//!   PROPTEST_CASES=1000000 cargo test --release --test readback_fuzz
//! The real consumers (PyYAML as gcloud and kubectl read YAML, bash, gcloud's dict parsing, the
//! AWS CLI, docker-compose) read the matrix's nasty values in tests/matrix.rs,
//! tests/deploy_roundtrip.rs, tests/e2e_kube_ecs.rs and tests/e2e_paas.rs; this test adds volume.

use proptest::prelude::*;
use proxytrust::engine::{self, diagnostics::Severity, inputs::ExtraVar, inputs::RawInputs};

const NAME: &str = "PT_FUZZ";

/// How each platform's env block is read, and what value it must hold for `v`.
#[derive(Clone, Copy)]
enum Format {
    Yaml,
    Json,
    Toml,
}

const PLATFORMS: &[(&str, Format, bool)] = &[
    // (platform, format of its env block, `$` doubled)
    ("cloud-run", Format::Yaml, false),
    ("kubernetes", Format::Yaml, true),
    ("compose", Format::Yaml, true),
    ("render", Format::Yaml, false),
    ("ecs-fargate", Format::Json, false),
    ("fly", Format::Toml, false),
];

/// Values: anything, and text made of what YAML, JSON, TOML and shells treat specially.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\"'$`\\\\\n\r\t #:{}\\[\\],&*!|>%@=~?\u{85}\u{2028}\u{feff}\u{7f}é字a-z0-9-]{0,24}",
        Just("$(HOME)".to_owned()),
        Just("$$".to_owned()),
        Just(String::new()),
        Just("true".to_owned()),
        Just("8080".to_owned()),
        Just("~".to_owned()),
    ]
}

fn inputs(platform: &str, v: &str) -> RawInputs {
    let mut raw = RawInputs {
        urls: vec!["https://ls.example.com".into()],
        platform: platform.into(),
        app: "label-studio".into(),
        ..RawInputs::default()
    };
    raw.options.insert("service".into(), "ls".into());
    raw.options.insert("region".into(), "us-central1".into());
    raw.extra_env = vec![ExtraVar {
        name: NAME.into(),
        value: v.into(),
    }];
    raw
}

/// Every value the document gives `PT_FUZZ`: a mapping key `PT_FUZZ`, or a mapping whose
/// `name`/`key` is `PT_FUZZ` with a `value`.
fn yaml_values(y: &yaml_rust2::Yaml, out: &mut Vec<String>) {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Hash(h) => {
            let named = ["name", "key"].iter().any(|k| {
                h.get(&Yaml::String((*k).into()))
                    .and_then(Yaml::as_str)
                    .is_some_and(|n| n == NAME)
            });
            for (k, v) in h {
                if k.as_str() == Some(NAME) || (named && k.as_str() == Some("value")) {
                    out.push(v.as_str().map_or_else(|| format!("{v:?}"), str::to_owned));
                } else {
                    yaml_values(v, out);
                }
            }
        }
        Yaml::Array(a) => a.iter().for_each(|v| yaml_values(v, out)),
        _ => {}
    }
}

fn json_values(j: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match j {
        Value::Object(o) => {
            let named = o.get("name").and_then(Value::as_str) == Some(NAME);
            for (k, v) in o {
                if k == NAME || (named && k == "value") {
                    out.push(v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                } else {
                    json_values(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| json_values(v, out)),
        _ => {}
    }
}

fn toml_values(t: &toml::Value, out: &mut Vec<String>) {
    match t {
        toml::Value::Table(tab) => {
            for (k, v) in tab {
                if k == NAME {
                    out.push(v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                } else {
                    toml_values(v, out);
                }
            }
        }
        toml::Value::Array(a) => a.iter().for_each(|v| toml_values(v, out)),
        _ => {}
    }
}

/// Reads the env block of `platform` for the value `v`: `Ok(true)` when it read back, `Ok(false)`
/// when the engine refused the value, `Err` with what went wrong otherwise.
fn check(platform: &str, format: Format, doubled: bool, v: &str) -> Result<bool, String> {
    let g = engine::generate(&inputs(platform, v));
    let refused = g
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.field == "extra[0]");
    if refused {
        return Ok(false);
    }
    let text = &g
        .block("env")
        .ok_or_else(|| format!("{platform}: no env block"))?
        .content;
    let mut found = Vec::new();
    match format {
        Format::Yaml => {
            let docs = yaml_rust2::YamlLoader::load_from_str(text)
                .map_err(|e| format!("{platform}: YAML does not parse: {e}\n{text}"))?;
            docs.iter().for_each(|d| yaml_values(d, &mut found));
        }
        Format::Json => {
            let j: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| format!("{platform}: JSON does not parse: {e}\n{text}"))?;
            json_values(&j, &mut found);
        }
        Format::Toml => {
            let t: toml::Value = toml::from_str(text)
                .map_err(|e| format!("{platform}: TOML does not parse: {e}\n{text}"))?;
            toml_values(&t, &mut found);
        }
    }
    let want = if doubled {
        v.replace('$', "$$")
    } else {
        v.to_owned()
    };
    if found == [want.clone()] {
        Ok(true)
    } else {
        Err(format!(
            "{platform}: {NAME} read back as {found:?}, expected [{want:?}]\n{text}"
        ))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn extra_values_read_back_from_every_structured_env_block(v in value()) {
        for &(platform, format, doubled) in PLATFORMS {
            if let Err(e) = check(platform, format, doubled, &v) {
                return Err(TestCaseError::fail(e));
            }
        }
    }
}

/// The property above is not vacuous: ordinary and nasty values are accepted (not refused) and
/// read back on every platform, a NUL is refused, and a wrong expectation is caught.
#[test]
fn typical_values_are_accepted_and_a_wrong_reading_is_caught() {
    for v in [
        "plain",
        "a$b\"c\\d",
        "line1\nline2",
        "$(HOME)",
        "  spaced  ",
        "字",
    ] {
        for &(platform, format, doubled) in PLATFORMS {
            assert_eq!(
                check(platform, format, doubled, v),
                Ok(true),
                "{platform}: {v:?}"
            );
        }
    }
    // A NUL cannot be in an environment value: refused (ENV004), on every platform.
    for &(platform, format, doubled) in PLATFORMS {
        assert_eq!(
            check(platform, format, doubled, "a\0b"),
            Ok(false),
            "{platform}"
        );
    }
    // Kubernetes doubles `$`: expecting it unchanged must fail.
    assert!(check("kubernetes", Format::Yaml, false, "a$b").is_err());
    assert!(check("cloud-run", Format::Yaml, true, "a$b").is_err());
}
