//! Secret generation for the callers (GUI and CLI): the engine never makes a value up.
//!
//! Values come from the operating system's CSPRNG (`getrandom`), mapped to letters and digits by
//! rejection sampling (no modulo bias). 50 characters of 62 symbols is about 297 bits; Django's own
//! `get_random_secret_key()` makes 50 characters too (django/core/management/utils.py). Letters and
//! digits only, so a value never needs quoting in any format and never contains a gcloud
//! delimiter.

use crate::engine::inputs::RawInputs;

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

/// Fills every secret the current inputs need and do not have yet. Returns the names filled.
pub fn fill_missing(raw: &mut RawInputs) -> Result<Vec<String>, getrandom::Error> {
    let needed: Vec<String> = crate::engine::generate(raw)
        .env
        .into_iter()
        .filter(|e| e.secret)
        .map(|e| e.name)
        .collect();
    let mut filled = Vec::new();
    for name in needed {
        if raw.secrets.get(&name).is_none_or(String::is_empty) {
            raw.secrets.insert(name.clone(), generate(LENGTH)?);
            filled.push(name);
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_differ_and_use_the_alphabet() {
        let a = generate(LENGTH).expect("os rng");
        let b = generate(LENGTH).expect("os rng");
        assert_eq!(a.len(), LENGTH);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
    }
}
