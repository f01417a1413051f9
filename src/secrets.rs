//! Secret generation for the callers (GUI and CLI): the engine never makes a value up.
//!
//! Values come from the operating system's CSPRNG (`getrandom`), mapped to letters and digits by
//! rejection sampling (no modulo bias). 50 characters of 62 symbols is about 297 bits; Django's own
//! `get_random_secret_key()` makes 50 characters too (django/core/management/utils.py). Letters and
//! digits only, so a value never needs quoting in any format and never contains a gcloud
//! delimiter.

use crate::engine::inputs::RawInputs;
use crate::engine::plan::SecretGen;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Length of generated secrets.
pub const LENGTH: usize = 50;

/// A random string of `len` letters and digits.
pub fn generate(len: usize) -> Result<String, getrandom::Error> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf)?;
        for &b in &buf {
            // 248 = 4 * 62: accept only bytes below it so every symbol is equally likely.
            if b < 248 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(out)
}

/// `bytes` random bytes as lower-case hex.
pub fn generate_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A value in the shape the app needs (`None`: letters and digits, e.g. a password).
pub fn generate_for(g: Option<SecretGen>) -> Result<String, getrandom::Error> {
    match g {
        Some(SecretGen::Hex { bytes }) => generate_hex(bytes),
        Some(SecretGen::Text { .. }) | None => generate(LENGTH),
    }
}

/// Whether ProxyTrust can make up a value for this secret: when the app says how
/// (`SecretSpec::generate`), or for a password the user picks (a random one is a good choice).
/// Values issued elsewhere (a database URL with its password, an IdP's client secret) cannot be
/// invented and are left for the user.
pub fn can_generate(name: &str, g: Option<SecretGen>) -> bool {
    g.is_some() || name.ends_with("PASSWORD")
}

/// Fills every secret the current inputs need, do not have yet, and that can be generated
/// ([`can_generate`]). Returns the names filled.
pub fn fill_missing(raw: &mut RawInputs) -> Result<Vec<String>, getrandom::Error> {
    let needed: Vec<(String, Option<SecretGen>)> = crate::engine::generate(raw)
        .env
        .into_iter()
        .filter(|e| e.secret)
        .map(|e| (e.name, e.generate))
        .collect();
    let mut filled = Vec::new();
    for (name, g) in needed {
        if can_generate(&name, g) && raw.secrets.get(&name).is_none_or(String::is_empty) {
            raw.secrets.insert(name.clone(), generate_for(g)?);
            filled.push(name);
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generatable_secrets_are_made_up() {
        assert!(can_generate(
            "SECRET_KEY",
            Some(SecretGen::Text { bytes: 48 })
        ));
        assert!(can_generate("LABEL_STUDIO_PASSWORD", None));
        assert!(!can_generate("DATABASE_URL", None));
        assert!(!can_generate("OAUTH_CLIENT_SECRET", None));
        assert_eq!(generate_hex(32).expect("rng").len(), 64);
    }

    #[test]
    fn generated_values_differ_and_use_the_alphabet() {
        let a = generate(LENGTH).expect("os rng");
        let b = generate(LENGTH).expect("os rng");
        assert_eq!(a.len(), LENGTH);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
    }
}
