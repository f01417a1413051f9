//! App versions as typed: `1.23.2`, `v1.14`, `1.14.0rc1` (pre-release suffixes are ignored for
//! comparisons, which is what the version rules need).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Parses `MAJOR[.MINOR[.PATCH]]` with an optional leading `v` and any non-digit suffix on
    /// the last part. Returns `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        if t.is_empty() {
            return None;
        }
        let mut nums = [0u32; 3];
        let parts: Vec<&str> = t.split('.').collect();
        if parts.len() > 3 {
            return None;
        }
        for (i, part) in parts.iter().enumerate() {
            let digits: &str = if i + 1 == parts.len() {
                let end = part
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(part.len());
                &part[..end]
            } else {
                part
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            nums[i] = digits.parse().ok()?;
        }
        Some(Self::new(nums[0], nums[1], nums[2]))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        assert_eq!(Version::parse("1.23.2"), Some(Version::new(1, 23, 2)));
        assert_eq!(Version::parse("v1.14"), Some(Version::new(1, 14, 0)));
        assert_eq!(Version::parse(" 1.14.0rc1 "), Some(Version::new(1, 14, 0)));
        assert_eq!(Version::parse("2"), Some(Version::new(2, 0, 0)));
        assert_eq!(Version::parse("latest"), None);
        assert_eq!(Version::parse("1..2"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
        assert_eq!(Version::parse(""), None);
        assert!(Version::new(1, 13, 1) < Version::new(1, 14, 0));
    }
}
