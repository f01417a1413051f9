//! gcloud list/dict flag values (`--update-env-vars`, `--set-secrets`, ...).
//!
//! gcloud's parser (`lib/googlecloudsdk/calliope/arg_parsers.py`: `ArgList.__call__`,
//! `_SplitOnDelim`, `ArgDict.__call__`; written out in shared/knowledge/platforms.md §1.1 and
//! `gcloud topic escaping`) splits the value on `,` unless it starts with `^DELIM^`, then splits
//! each item at its first `=`. There is no quote or backslash processing. So: with no `,` in any
//! item, `K=V,K2=V2` is exact; otherwise an alternate delimiter that occurs in no item is put in
//! front. Items must not be empty (an empty item fails "Invalid flag value []"); keys never are.

/// Delimiters tried in order. Single characters first: when a single character occurs in no item,
/// splitting the joined text on it gives back exactly the items. `@` and `:` are not used
/// (values are often URLs and DSNs: platforms.md, "Pitfalls" 1).
const SINGLE: &[char] = &['|', ';', '~', '!', '#', '%', '*', '+'];

/// Encodes `pairs` as one gcloud dict flag value (the text after `--flag=`, before shell quoting).
/// Returns `None` only if no delimiter at all can be found (every candidate occurs in a value),
/// which cannot happen for values shorter than the candidate list allows; callers then fall back
/// to the YAML env file.
pub fn dict_value(pairs: &[(&str, &str)]) -> Option<String> {
    let items: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let needs_delim = items.iter().any(|i| i.contains(','))
        // A first item starting with `^` would be read as a delimiter spec.
        || items.first().is_some_and(|i| i.starts_with('^'));
    if !needs_delim {
        return Some(items.join(","));
    }
    for d in SINGLE {
        if items.iter().all(|i| !i.contains(*d)) {
            return Some(format!("^{d}^{}", items.join(&d.to_string())));
        }
    }
    // Multi-character delimiters: accept one only if splitting gives the items back.
    for n in 2..=8 {
        for base in SINGLE {
            let d: String = std::iter::repeat_n(*base, n).collect();
            let joined = items.join(&d);
            let back: Vec<&str> = joined.split(d.as_str()).collect();
            if back.len() == items.len() && back.iter().zip(&items).all(|(a, b)| a == b) {
                return Some(format!("^{d}^{joined}"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_delimited() {
        assert_eq!(
            dict_value(&[("A", "1"), ("B", "x=y")]).as_deref(),
            Some("A=1,B=x=y")
        );
        assert_eq!(
            dict_value(&[
                ("CSRF_TRUSTED_ORIGINS", "https://a,https://b"),
                ("H", "https://a")
            ])
            .as_deref(),
            Some("^|^CSRF_TRUSTED_ORIGINS=https://a,https://b|H=https://a")
        );
        assert_eq!(
            dict_value(&[("A", "a,|"), ("B", "b")]).as_deref(),
            Some("^;^A=a,|;B=b")
        );
    }
}
