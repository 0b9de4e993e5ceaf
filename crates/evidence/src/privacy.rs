//! People in evidence: pseudonymous ids and the anonymity threshold.
//!
//! Scanners see names, e-mail addresses and logins; results keep only
//! salted hashes of them, so the same person has the same id across one
//! organisation's scans (same salt) without the id revealing who it is.
//! Names appear only when a local, unsaved run asks for them. Figures about
//! people (response times, participation, the most active people) are shown
//! only over at least k people, with the same k as surveys.

use std::collections::HashMap;

use asyncmm_core::K;
use sha2::{Digest, Sha256};

use crate::metric::{People, Person};

/// How many of the most active people a scan lists.
const TOP_PEOPLE: usize = 3;

/// "1 person", "3 people".
pub fn people_count(n: u64) -> String {
    if n == 1 {
        "1 person".to_string()
    } else {
        format!("{n} people")
    }
}

/// Who may be named, and how people are hidden.
#[derive(Clone)]
pub struct Privacy {
    salt: Vec<u8>,
    pub k: K,
    pub show_names: bool,
}

impl std::fmt::Debug for Privacy {
    // The salt is a secret: never printed, even in a debug dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Privacy")
            .field("salt", &"<redacted>")
            .field("k", &self.k)
            .field("show_names", &self.show_names)
            .finish()
    }
}

impl Privacy {
    pub fn new(salt: impl Into<Vec<u8>>, k: K, show_names: bool) -> Self {
        Privacy {
            salt: salt.into(),
            k,
            show_names,
        }
    }

    /// The pseudonymous id of an identity (an e-mail address or a login,
    /// compared case-insensitively): 12 hex digits of a salted SHA-256.
    pub fn pseudonym(&self, identity: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(&self.salt);
        hasher.update([0u8]);
        hasher.update(identity.trim().to_lowercase().as_bytes());
        let digest = hasher.finalize();
        digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
    }

    /// Whether a figure over `people` distinct people may be shown.
    pub fn allows(&self, people: u64) -> bool {
        self.k.allows(people)
    }

    /// The people summary of a scan from activity per identity; `names`
    /// gives a display name per identity when one is known.
    pub fn people(
        &self,
        activity: &HashMap<String, u64>,
        names: &HashMap<String, String>,
        activity_of: &str,
    ) -> People {
        let count = u64::try_from(activity.len()).unwrap_or(u64::MAX);
        let total: u64 = activity.values().sum();
        let mut top = Vec::new();
        if self.allows(count) && total > 0 {
            let mut ranked: Vec<(&String, &u64)> = activity.iter().collect();
            // Ties are broken by pseudonym, never by name, so the order
            // reveals nothing the ids don't.
            let mut keyed: Vec<(u64, String, &String)> = ranked
                .drain(..)
                .map(|(who, n)| (*n, self.pseudonym(who), who))
                .collect();
            keyed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            top = keyed
                .into_iter()
                .take(TOP_PEOPLE)
                .map(|(n, id, who)| Person {
                    id,
                    name: self
                        .show_names
                        .then(|| names.get(who).cloned().unwrap_or_else(|| who.clone())),
                    activity: n,
                    share: n as f64 / total as f64,
                })
                .collect();
        }
        People {
            count,
            k: self.k.get(),
            activity_of: activity_of.to_string(),
            top,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn privacy(show_names: bool) -> Privacy {
        Privacy::new(b"salt".to_vec(), K::DEFAULT, show_names)
    }

    #[test]
    fn pseudonyms_are_stable_per_salt_and_case_insensitive() {
        let p = privacy(false);
        let a = p.pseudonym("Ada@Example.org");
        assert_eq!(a, p.pseudonym("ada@example.org "));
        assert_eq!(a.len(), 12);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        let other = Privacy::new(b"other".to_vec(), K::DEFAULT, false);
        assert_ne!(a, other.pseudonym("ada@example.org"));
        assert!(!format!("{p:?}").contains("salt\""), "{p:?}");
    }

    #[test]
    fn top_people_need_k_people_and_names_need_asking() {
        let mut activity = HashMap::new();
        let mut names = HashMap::new();
        for (i, n) in [10u64, 5, 3, 1].iter().enumerate() {
            activity.insert(format!("p{i}@x"), *n);
            names.insert(format!("p{i}@x"), format!("Person {i}"));
        }
        let four = privacy(true).people(&activity, &names, "commits");
        assert_eq!(four.count, 4);
        assert!(four.top.is_empty(), "4 people < k = 5");
        activity.insert("p4@x".into(), 1);
        let hidden = privacy(false).people(&activity, &names, "commits");
        assert_eq!(hidden.top.len(), 3);
        assert_eq!(hidden.top[0].activity, 10);
        assert_eq!(hidden.top[0].name, None);
        assert!((hidden.top[0].share - 0.5).abs() < 1e-9);
        let named = privacy(true).people(&activity, &names, "commits");
        assert_eq!(named.top[0].name.as_deref(), Some("Person 0"));
    }
}
