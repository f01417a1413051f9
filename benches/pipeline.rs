//! The keystroke path: validate + plan + render of every output, for Label Studio on Cloud Run.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use proxytrust::engine::{self, inputs::RawInputs};

fn inputs() -> RawInputs {
    let mut raw = RawInputs {
        urls: vec![
            "https://labelstudio-abc123-uc.a.run.app".into(),
            "https://ls.example.com".into(),
        ],
        platform: "cloud-run".into(),
        app: "label-studio".into(),
        ..RawInputs::default()
    };
    for (k, v) in [
        ("service", "labelstudio"),
        ("region", "us-central1"),
        ("admin_email", "admin@example.com"),
    ] {
        raw.options.insert(k.into(), v.into());
    }
    raw
}

fn bench(c: &mut Criterion) {
    let raw = inputs();
    c.bench_function("label-studio x cloud-run: validate+plan+render", |b| {
        b.iter(|| engine::generate(black_box(&raw)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
