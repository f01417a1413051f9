//! The keystroke path: validate + plan + render of every output, for every app x platform
//! (target: median under 50 µs each), and the whole matrix in one go (target: under 20 ms).
//!
//!   cargo bench --bench pipeline
//!   cargo bench --bench pipeline -- 'label-studio x cloud-run'   # one combination

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use proxytrust::engine::{self, apps::APPS, inputs::RawInputs, platforms::PLATFORMS};

/// A realistic form: a platform URL and a custom domain, the options a user fills in.
fn inputs(app: &str, platform: &str) -> RawInputs {
    let mut raw = RawInputs {
        urls: vec![
            "https://demo-abc123-uc.a.run.app".into(),
            "https://app.example.com".into(),
        ],
        platform: platform.into(),
        app: app.into(),
        ..RawInputs::default()
    };
    for (k, v) in [
        ("service", "demo"),
        ("region", "us-central1"),
        ("admin_email", "admin@example.com"),
    ] {
        raw.options.insert(k.into(), v.into());
    }
    raw
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("keystroke");
    for a in APPS {
        for p in PLATFORMS {
            let raw = inputs(a.id(), p.id());
            group.bench_function(format!("{} x {}", a.id(), p.id()), |b| {
                b.iter(|| engine::generate(black_box(&raw)));
            });
        }
    }
    group.finish();
    let all: Vec<RawInputs> = APPS
        .iter()
        .flat_map(|a| PLATFORMS.iter().map(|p| inputs(a.id(), p.id())))
        .collect();
    c.bench_function("whole matrix", |b| {
        b.iter(|| {
            for raw in &all {
                black_box(engine::generate(black_box(raw)));
            }
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
