//! Azure CLI argument rules for `az containerapp` (Azure/azure-cli).
//!
//! * Every argument goes through `_expand_file_prefixed_files`
//!   (src/azure-cli-core/azure/cli/core/commands/__init__.py at 0070732c): it is split at its
//!   first `=`; when the part after it (or the whole argument, without `=`) **starts with `@`**,
//!   the rest names a file (`@-` is stdin) whose content replaces it, with trailing line breaks
//!   (`os.linesep`) stripped and a UTF-8 byte-order mark dropped (`utf-8-sig` is tried first).
//!   A missing file leaves the argument as it was. So `NAME=@/path` delivers a file's content,
//!   and a value that itself starts with `@` may be replaced by a file.
//! * `--env-vars` / `--set-env-vars` items (`parse_env_var_flags`, containerapp `_utils.py`):
//!   split at the first `=`, then the value is split on the substring `secretref:`; exactly one
//!   occurrence makes a secret reference, two or more keep only the text before the first.
//! * `--secrets` items (`parse_secret_flags`): split at the first `=`, value verbatim.

/// True when `value` reaches Container Apps unchanged as `NAME=value` in `--env-vars`.
pub fn env_value_ok(value: &str) -> bool {
    !value.starts_with('@') && !value.contains("secretref:")
}

/// True when a value read from a file through `NAME=@FILE` arrives unchanged: az strips
/// trailing line breaks and a leading byte-order mark.
pub fn file_value_ok(value: &str) -> bool {
    !value.ends_with('\n') && !value.ends_with('\r') && !value.starts_with('\u{feff}')
}

/// The bash function the deploy script defines: `az_secret_file NAME VALUE` writes VALUE to
/// `$secrets_dir/NAME` (no trailing newline), or explains and exits when az would not read it
/// back unchanged (the same rule as [`file_value_ok`]).
pub const SECRET_FILE_FN: &[&str] = &[
    "az_secret_file() {",
    "  if [[ \"$2\" == *$'\\n' || \"$2\" == *$'\\r' || \"$2\" == $'\\xef\\xbb\\xbf'* ]]; then",
    "    echo \"$1: az strips a trailing line break or a leading byte-order mark from files; this value would change\" >&2",
    "    exit 1",
    "  fi",
    "  printf '%s' \"$2\" >\"$secrets_dir/$1\"",
    "}",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(env_value_ok("a@b"));
        assert!(!env_value_ok("@b"));
        assert!(!env_value_ok("x secretref:y"));
        assert!(file_value_ok("a\nb"));
        assert!(!file_value_ok("a\n"));
    }
}
