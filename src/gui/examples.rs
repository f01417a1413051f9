//! The Examples menu: the five seed scenarios (shared/seeds/), bundled from assets/examples.

use crate::engine::inputs::RawInputs;

pub struct Example {
    pub title: &'static str,
    pub summary: &'static str,
    pub file: &'static str,
    pub text: &'static str,
}

pub static EXAMPLES: &[Example] = &[
    Example {
        title: "Label Studio on Cloud Run",
        summary: "403 CSRF verification failed at login",
        file: "label-studio-cloud-run.toml",
        text: include_str!("../../assets/examples/label-studio-cloud-run.toml"),
    },
    Example {
        title: "JupyterHub 4.1.1 XSRF",
        summary: "'_xsrf' argument missing from POST",
        file: "jupyterhub-xsrf.toml",
        text: include_str!("../../assets/examples/jupyterhub-xsrf.toml"),
    },
    Example {
        title: "RomM API CSRF",
        summary: "CSRF token verification failed on API POST/PUT",
        file: "romm-api-csrf.toml",
        text: include_str!("../../assets/examples/romm-api-csrf.toml"),
    },
    Example {
        title: "Open WebUI with several instances",
        summary: "OAuth mismatching_state behind a load balancer",
        file: "open-webui-multi-instance.toml",
        text: include_str!("../../assets/examples/open-webui-multi-instance.toml"),
    },
    Example {
        title: "CVAT SDK cookies",
        summary: "make_client asserts on missing sessionid/csrftoken",
        file: "cvat-sdk-cookies.toml",
        text: include_str!("../../assets/examples/cvat-sdk-cookies.toml"),
    },
];

pub fn load(i: usize) -> Result<RawInputs, String> {
    let ex = EXAMPLES.get(i).ok_or("no such example")?;
    crate::project::parse(std::path::Path::new(ex.file), ex.text).map_err(|e| e.to_string())
}
