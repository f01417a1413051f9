//! insta snapshots of every output of Label Studio x Cloud Run for several URL sets. Reviewed as
//! a user reads them; CI (CI=true) fails on any change or missing snapshot.

mod common;

use proxytrust::engine;

fn cases() -> Vec<(&'static str, proxytrust::engine::inputs::RawInputs)> {
    let base = [("service", "labelstudio"), ("region", "us-central1")];
    let mut with_user = base.to_vec();
    with_user.push(("admin_email", "admin@example.com"));
    let mut postgres = with_user.clone();
    postgres.extend([
        ("database", "postgres"),
        ("postgres_host", "10.0.0.3"),
        ("max_instances", "3"),
    ]);
    let mut inline = with_user.clone();
    inline.extend([("secrets", "inline"), ("env_flag", "set")]);
    let mut file = with_user.clone();
    file.push(("env_flag", "file"));
    let mut inline_raw = common::ls_cloud_run(&["https://ls.example.com"], &inline);
    inline_raw.secrets.insert(
        "SECRET_KEY".into(),
        "snapshot-secret-key-not-a-real-one".into(),
    );
    inline_raw
        .secrets
        .insert("LABEL_STUDIO_PASSWORD".into(), "snapshot-password".into());
    let mut old = common::ls_cloud_run(&["https://labelstudio-abc123-uc.a.run.app"], &base);
    old.app_version = "1.13.1".into();
    vec![
        (
            "hash_url_only",
            common::ls_cloud_run(&["https://labelstudio-abc123-uc.a.run.app"], &base),
        ),
        (
            "run_app_and_custom_domain",
            common::ls_cloud_run(
                &[
                    "https://labelstudio-abc123-uc.a.run.app",
                    "https://ls.example.com",
                ],
                &with_user,
            ),
        ),
        (
            "deterministic_url_postgres",
            common::ls_cloud_run(
                &[
                    "https://labelstudio-123456789012.us-central1.run.app",
                    "https://ls.example.com",
                ],
                &postgres,
            ),
        ),
        ("inline_secrets_set_env_vars", inline_raw),
        (
            "env_vars_file",
            common::ls_cloud_run(&["https://ls.example.com"], &file),
        ),
        ("label_studio_1_13", old),
        (
            "write_up_inputs",
            common::with_extras(
                common::ls_cloud_run(&["https://your-service-name.a.run.app/"], &[]),
                &[
                    ("USE_X_FORWARDED_HOST", "true"),
                    ("USE_X_FORWARDED_PORT", "true"),
                    ("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,https"),
                    ("SESSION_COOKIE_SECURE", "true"),
                ],
            ),
        ),
    ]
}

#[test]
fn every_output_of_label_studio_on_cloud_run() {
    for (name, raw) in cases() {
        let g = engine::generate(&raw);
        let ids: Vec<&str> = g.blocks.iter().map(|b| b.id).collect();
        assert_eq!(
            ids,
            ["env", "deploy", "dotenv", "snippet", "verify", "explain"],
            "{name}"
        );
        for b in &g.blocks {
            insta::assert_snapshot!(format!("{name}__{}", b.id), b.content);
        }
        let diags: Vec<String> = g
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} {} {}: {}",
                    d.severity.as_str(),
                    d.code,
                    d.field,
                    d.message
                )
            })
            .collect();
        insta::assert_snapshot!(format!("{name}__diagnostics"), diags.join("\n"));
        // Same input, same bytes.
        assert_eq!(engine::generate(&raw).blocks, g.blocks, "{name}");
    }
}
