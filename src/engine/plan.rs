//! The format-neutral plan: what the container gets (env vars with their reasons and sources),
//! which secrets exist, commands as argv vectors, the app's snippet and verify steps. Renderers
//! (`render/`) turn it into text; nothing here knows about quoting.

use crate::engine::render::shell::Script;

/// Where a variable comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    /// Generated from the app's knowledge module.
    Generated,
    /// Typed by the user in "extra variables".
    Extra,
    /// Set by the platform itself (e.g. Cloud Run's `PORT`); never written into env flags.
    Injected,
}

/// A secret value: kept in the platform's secret store by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretSpec {
    /// Short slug used to name the secret in the store, e.g. `secret-key` (the platform
    /// prefixes it with the service name).
    pub slug: &'static str,
    /// The value, when the caller supplied one.
    pub value: Option<String>,
    /// How a missing value may be generated (by the deploy script, or by ProxyTrust's
    /// Generate button); `None` means the user must supply it (e.g. a password).
    pub generate: Option<SecretGen>,
    /// What it is, for the script's comments: "password of the initial user".
    pub describe: &'static str,
}

/// The shape of a generated secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretGen {
    /// Random text of at least `bytes` random bytes: the deploy script uses
    /// `openssl rand -base64 BYTES`, ProxyTrust's generator 50 letters and digits (~297 bits).
    Text { bytes: usize },
    /// Exactly `bytes` random bytes written as hex (`openssl rand -hex BYTES`), for apps that
    /// decode hex (JupyterHub's `JPY_COOKIE_SECRET`).
    Hex { bytes: usize },
}

impl SecretGen {
    /// The shell command that prints a fresh value (no trailing newline handling needed: the
    /// caller strips it).
    pub fn openssl(self) -> String {
        match self {
            Self::Text { bytes } => format!("openssl rand -base64 {bytes}"),
            Self::Hex { bytes } => format!("openssl rand -hex {bytes}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    Secret(SecretSpec),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: EnvValue,
    pub kind: VarKind,
    /// Why this variable is here (one or two sentences).
    pub why: String,
    /// Where the fact comes from (upstream file, doc page, knowledge section).
    pub source: String,
}

impl EnvVar {
    pub fn literal(
        name: &str,
        value: impl Into<String>,
        why: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        Self {
            name: name.to_owned(),
            value: EnvValue::Literal(value.into()),
            kind: VarKind::Generated,
            why: why.into(),
            source: source.into(),
        }
    }

    pub fn secret(
        name: &str,
        spec: SecretSpec,
        why: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        Self {
            name: name.to_owned(),
            value: EnvValue::Secret(spec),
            kind: VarKind::Generated,
            why: why.into(),
            source: source.into(),
        }
    }

    pub fn is_secret(&self) -> bool {
        matches!(self.value, EnvValue::Secret(_))
    }

    /// The literal value, or the secret's value when known.
    pub fn known_value(&self) -> Option<&str> {
        match &self.value {
            EnvValue::Literal(v) => Some(v),
            EnvValue::Secret(s) => s.value.as_deref(),
        }
    }
}

/// The app's config snippet (middleware, settings file), or a plain statement that none is
/// needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub title: String,
    pub language: &'static str,
    pub filename: String,
    /// Body without the header; the renderer adds the header in the language's comment form.
    pub body: String,
}

/// One "why" line for the explain block: a setting or flag, why it is there, and its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub subject: String,
    pub why: String,
    pub source: String,
}

/// What the app contributes.
#[derive(Clone, Debug)]
pub struct AppPlan {
    pub env: Vec<EnvVar>,
    /// Port the container listens on.
    pub container_port: u16,
    /// Default container image.
    pub image: String,
    pub snippet: Snippet,
    /// Commands that show the deploy works, as a script (argv vectors + comments).
    pub verify: Script,
    /// Reasons beyond the env vars (e.g. "no snippet needed").
    pub reasons: Vec<Reason>,
}

/// The whole plan handed to the renderers.
#[derive(Clone, Debug)]
pub struct Plan {
    pub app_id: &'static str,
    pub app_name: &'static str,
    pub platform_id: &'static str,
    pub platform_name: &'static str,
    /// Normalised public origins, in input order.
    pub origins: Vec<String>,
    /// Every variable the container ends up with, in a stable order.
    pub env: Vec<EnvVar>,
    pub app: AppPlan,
}

impl Plan {
    /// Variables written by the deploy (everything except platform-injected ones).
    pub fn deploy_env(&self) -> impl Iterator<Item = &EnvVar> {
        self.env.iter().filter(|v| v.kind != VarKind::Injected)
    }
}
