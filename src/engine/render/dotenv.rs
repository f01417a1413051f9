//! A dotenv file in POSIX shell syntax: `NAME='value'` lines, loaded with
//! `set -a; . ./FILE; set +a`. Values use the shell quoting of [`super::shell::quote`], so bash
//! reads back exactly the value (no `$` expansion, newlines kept).
//!
//! This is deliberately *not* fed to `gcloud --env-vars-file` (a `.env` path there is parsed by
//! python-dotenv with `${...}` interpolation even inside single quotes: platforms.md §1.2 and
//! "Pitfalls" 4); the YAML env file is the gcloud form.

use super::shell::quote;

pub fn line(name: &str, value: &str) -> String {
    let mut out = String::new();
    if value.contains(['$', '`']) {
        // Intended literal text inside single quotes (shellcheck SC2016 would suggest otherwise).
        out.push_str("# shellcheck disable=SC2016 # literal $ and ` in the value are intended\n");
    }
    out.push_str(&format!("{name}={}\n", quote(value)));
    out
}
