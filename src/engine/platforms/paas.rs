//! Pieces shared by the PaaS platforms (Fly.io, Render, Heroku, Azure Container Apps, Docker
//! Swarm): option lookups with defaults, which variables are literals and which secrets, how a
//! deploy script obtains a secret value, custom domains, and the forwarded-header trust check.
//! Knowledge stays in each platform's module; only mechanics live here.

use crate::engine::Valid;
use crate::engine::diagnostics::{Diagnostic, FieldEdit, Fix, field};
use crate::engine::plan::{EnvValue, EnvVar, Plan, SecretSpec};
use crate::engine::render::Header;
use crate::engine::render::shell::Script;

/// The option's trimmed value, or the app id when empty (every platform names its service after
/// the app by default, so the default inputs are deployable).
pub fn name_or_app(v: &Valid<'_>, key: &str) -> String {
    let s = v.opt(key).trim();
    if s.is_empty() {
        v.app.id().to_owned()
    } else {
        s.to_owned()
    }
}

/// The container image: the option, else the app's official image (empty for frameworks, whose
/// image is built from the user's own code).
pub fn image(v: &Valid<'_>, plan: &Plan) -> String {
    let i = v.opt("image").trim();
    if i.is_empty() {
        plan.app.image.clone()
    } else {
        i.to_owned()
    }
}

/// `NAME=VALUE` pairs written as plain variables: literals, plus secrets when `inline`.
pub fn plain_pairs(plan: &Plan, inline: bool) -> Vec<(&str, &str)> {
    plan.deploy_env()
        .filter_map(|var| match &var.value {
            EnvValue::Literal(val) => Some((var.name.as_str(), val.as_str())),
            EnvValue::Secret(s) if inline => {
                Some((var.name.as_str(), s.value.as_deref().unwrap_or("")))
            }
            EnvValue::Secret(_) => None,
        })
        .collect()
}

/// The secrets of the plan with their specs.
pub fn secrets(plan: &Plan) -> Vec<(&EnvVar, &SecretSpec)> {
    plan.deploy_env()
        .filter_map(|var| match &var.value {
            EnvValue::Secret(s) => Some((var, s)),
            EnvValue::Literal(_) => None,
        })
        .collect()
}

/// True when some secret value would be written into an output in clear.
pub fn inline_secret_known(plan: &Plan, inline: bool) -> bool {
    inline
        && plan
            .env
            .iter()
            .any(|e| e.is_secret() && e.known_value().is_some())
}

/// The shell variable a deploy script reads a secret value from.
pub fn shell_var(var: &EnvVar) -> String {
    format!("{}_VALUE", var.name)
}

/// Shell text (double-quoted) giving the secret's value: the `NAME_VALUE` variable, else a fresh
/// random value when the app allows one (`openssl rand`, newline removed), else a stop with
/// a message.
pub fn value_expr(var: &EnvVar, spec: &SecretSpec) -> String {
    let sv = shell_var(var);
    match spec.generate {
        Some(g) => format!("\"${{{sv}:-$({} | tr -d '\\n')}}\"", g.openssl()),
        None => format!("\"${{{sv}:?export {sv} first: {}}}\"", spec.describe),
    }
}

/// The opening of every deploy script: shebang, provenance header, what it does, and which
/// shell variables it reads.
pub fn script_head(s: &mut Script, header: &Header, what: &str, plan: &Plan, reads_secrets: bool) {
    s.raw("#!/usr/bin/env bash");
    for l in header.lines("deploy") {
        s.comment(l);
    }
    s.comment("");
    s.comment(what);
    s.comment("Run it as a file (bash deploy.sh) or paste it into bash: the commands run in a");
    s.comment("subshell, so a failure stops the script and leaves your shell open.");
    let secret_vars = secrets(plan);
    if reads_secrets && !secret_vars.is_empty() {
        super::secret_variables_comment(
            s,
            [
                "Secret values are read from these shell variables when the secret is not set",
                "yet (export them first):",
            ],
            secret_vars.iter().map(|(var, _)| *var),
        );
    }
}

/// Hosts of the public origins that are not the platform's own hostnames: custom domains the
/// platform must be told about (certificates, routing).
pub fn custom_hosts(v: &Valid<'_>, owns: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in &v.origins {
        if !owns(&o.host) && !out.contains(&o.host) {
            out.push(o.host.clone());
        }
    }
    out
}

/// Names of the generated variables whose value contains a public origin: they tell the app its
/// public URL, which front ends without `X-Forwarded-Host` cannot.
pub fn origin_carriers(plan: &Plan) -> Vec<&str> {
    plan.deploy_env()
        .filter(|var| match &var.value {
            EnvValue::Literal(val) => plan.origins.iter().any(|o| val.contains(o.as_str())),
            EnvValue::Secret(_) => false,
        })
        .map(|var| var.name.as_str())
        .collect()
}

/// ` (here: A, B)` naming the carriers, or nothing.
pub fn carriers_phrase(carriers: &[&str]) -> String {
    if carriers.is_empty() {
        String::new()
    } else {
        format!(" (here: {})", carriers.join(", "))
    }
}

/// Extended-regex text matching `s` literally (for `grep -E` over CLI listings).
pub fn ere_literal(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(
            c,
            '.' | '[' | ']' | '\\' | '(' | ')' | '*' | '+' | '?' | '{' | '}' | '|' | '^' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub use crate::engine::diagnostics::set_option as set;

/// The instance count option (`max_instances`), at least 1. The key matches the one apps look
/// for (Open WebUI counts instances from the platform's `max_instances`).
pub fn instances(v: &Valid<'_>) -> u32 {
    v.opt("max_instances")
        .trim()
        .parse::<u32>()
        .unwrap_or(1)
        .max(1)
}

/// Lower-case letters, digits and `-` only, runs of other characters folded into one `-`, no
/// `-` at either end, starting with a letter (prefix `a-` otherwise), at most `max` characters.
pub fn sanitise_name(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "a-");
    }
    out.truncate(max);
    out.trim_end_matches('-').to_owned()
}

/// How a PaaS names the app a deploy goes to (Fly, Heroku): its diagnostic codes, what users call
/// it, how its URLs name it and what a valid name is.
pub struct AppName {
    /// Not set (info, a fix from the URL); not valid (a sanitised fix); another app's URL.
    pub codes: [&'static str; 3],
    /// `Fly app`, `Heroku app`: used as "{label} name not set", "Not a valid {label} name".
    pub label: &'static str,
    /// The app named by a URL host of this platform.
    pub recognise: fn(&str) -> Option<String>,
    pub valid: fn(&str) -> bool,
    /// The longest name [`sanitise_name`] makes for the fix.
    pub max: usize,
}

/// The `app` option: unset -> the app's id is used (fix: the name in the first URL of this
/// platform); invalid -> a sanitised name; valid but another app's URL given -> that app.
/// Returns the URLs of this platform as (index, app name), for the caller's other checks.
pub fn check_app_name(
    v: &Valid<'_>,
    rule: &AppName,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(usize, String)> {
    let [unset, invalid, other] = rule.codes;
    let label = rule.label;
    let urls: Vec<(usize, String)> = v
        .origins
        .iter()
        .filter_map(|o| (rule.recognise)(&o.host).map(|a| (o.index, a)))
        .collect();
    let app = v.opt("app").trim();
    if app.is_empty() {
        let mut d = Diagnostic::new(
            unset,
            field::option("app"),
            format!("{label} name not set, using {}", v.app.id()),
        );
        if let Some((i, a)) = urls.first() {
            d = d.with_fix(Fix::safe(
                format!("Use {a} (from URL {})", i + 1),
                set("app", a),
            ));
        }
        diags.push(d);
    } else if !(rule.valid)(app) {
        let fixed = sanitise_name(app, rule.max);
        diags.push(
            Diagnostic::new(
                invalid,
                field::option("app"),
                format!("Not a valid {label} name: {app}"),
            )
            .with_fix(Fix::unsafe_(format!("Use {fixed}"), set("app", &fixed))),
        );
    } else if let Some((i, a)) = urls.iter().find(|(_, a)| a != app) {
        diags.push(
            Diagnostic::new(
                other,
                field::option("app"),
                format!("URL {} belongs to {label} {a}, not {app}", i + 1),
            )
            .with_fix(Fix::unsafe_(format!("Use {a}"), set("app", a))),
        );
    }
    urls
}

/// More than one instance of an app that keeps per-instance state (logins, OAuth state,
/// sockets): the platform's code, what it calls the instances, and its affinity option if it has
/// one (Heroku, Azure) or none (Fly, Render, Swarm).
pub struct Instances {
    pub code: &'static str,
    /// The message for `n` instances.
    pub message: fn(u32) -> String,
    /// The fix that keeps one: "Run one dyno".
    pub run_one: &'static str,
    /// The title of the fix that turns the `session_affinity` option on, where there is one:
    /// then the diagnostic is about that option and goes away when it is on.
    pub affinity_fix: Option<&'static str>,
}

/// Warns when `max_instances` is above 1 (and affinity, where the platform has it, is off), with
/// fixes to turn affinity on (a mitigation) or to run one instance. Returns the instance count.
pub fn check_instances(v: &Valid<'_>, rule: &Instances, diags: &mut Vec<Diagnostic>) -> u32 {
    let n = instances(v);
    let affinity_on = v.opt("session_affinity") == "yes";
    if n > 1 && !(rule.affinity_fix.is_some() && affinity_on) {
        let on = if rule.affinity_fix.is_some() {
            "session_affinity"
        } else {
            "max_instances"
        };
        let mut d = Diagnostic::new(rule.code, field::option(on), (rule.message)(n));
        if let Some(title) = rule.affinity_fix {
            d = d.with_fix(Fix::unsafe_(title, set("session_affinity", "yes")));
        }
        diags.push(d.with_fix(Fix::unsafe_(rule.run_one, set("max_instances", "1"))));
    }
    n
}

/// Django-style knobs that make an app trust a forwarded header for its host or port.
const FORWARDED_KNOBS: &[(&str, &str)] = &[
    ("USE_X_FORWARDED_HOST", "X-Forwarded-Host"),
    ("USE_X_FORWARDED_PORT", "X-Forwarded-Port"),
];

/// Warns (with `code`) when an extra variable switches on trust in a forwarded header that this
/// front end does not set itself (`sets` says which of `X-Forwarded-Host` / `X-Forwarded-Port`
/// it sets and overwrites). Such a header can only come from the client, who then chooses the
/// host or port the app believes in.
pub fn forwarded_trust(
    v: &Valid<'_>,
    code: &'static str,
    platform: &str,
    sets: &[&str],
    diags: &mut Vec<Diagnostic>,
) {
    for (i, extra) in v.raw.extra_env.iter().enumerate() {
        let name = extra.name.trim();
        let on = matches!(
            extra.value.trim().to_ascii_lowercase().as_str(),
            "true" | "1" | "yes" | "on"
        );
        if let Some((_, header)) = FORWARDED_KNOBS.iter().find(|(k, _)| *k == name)
            && on
            && !sets.contains(header)
        {
            diags.push(
                Diagnostic::new(
                    code,
                    field::extra(i),
                    format!("{platform} does not set {header}: a client can choose it: {name}"),
                )
                .with_fix(Fix::unsafe_(
                    format!("Remove {name}"),
                    vec![FieldEdit::RemoveExtra { index: i }],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises() {
        assert_eq!(sanitise_name("Label_Studio", 30), "label-studio");
        assert_eq!(sanitise_name("1abc", 30), "a-1abc");
        assert_eq!(sanitise_name("--Ü--", 30), "a");
        assert_eq!(sanitise_name("abcdefgh", 4), "abcd");
    }
}
