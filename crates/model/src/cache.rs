//! Models parsed once per process. The application reads a model's text
//! from the store for every page and command and would otherwise parse
//! and check the whole file (TOML, Unicode normalisation of every text)
//! each time: on the web server that was most of the time of a respondent
//! saving an answer page (`docs/performance.md`, "Web").
//!
//! A text and its origin name are the key, so a cached model is exactly
//! what parsing that text would give; only successes are kept (an error
//! names its place and is parsed again, cheaply enough, when asked for).

use std::sync::{Arc, Mutex, OnceLock};

use crate::{Model, ModelError, parse};

/// Distinct model texts kept; a database holds a handful of model
/// versions, so reaching this means something unusual and the cache
/// starts over rather than growing.
const MOST_KEPT: usize = 64;

/// One model parsed, with what it was parsed from.
struct Kept {
    origin: String,
    text: String,
    model: Arc<Model>,
}

/// [`parse`], remembering each model parsed without error.
///
/// A lookup compares the origin and then the text byte for byte (a model
/// file is tens of kB; comparing is a memory compare, where hashing it as
/// a map key cost more than the rest of the lookup).
pub fn parse_cached(text: &str, origin: &str) -> Result<Model, ModelError> {
    parse_shared(text, origin).map(|model| Model::clone(&model))
}

/// [`parse_cached`] without copying the model: the one kept, shared.
/// Every page a respondent opens or saves reads its round's model, and a
/// copy of a whole model (every text of every statement) was a noticeable
/// part of such a request.
pub fn parse_shared(text: &str, origin: &str) -> Result<Arc<Model>, ModelError> {
    static PARSED: OnceLock<Mutex<Vec<Kept>>> = OnceLock::new();
    let cache = PARSED.get_or_init(Mutex::default);
    if let Ok(kept) = cache.lock()
        && let Some(found) = kept.iter().find(|k| k.origin == origin && k.text == text)
    {
        return Ok(Arc::clone(&found.model));
    }
    let model = Arc::new(parse(text, origin)?);
    if let Ok(mut kept) = cache.lock() {
        if kept.len() >= MOST_KEPT {
            kept.clear();
        }
        if !kept.iter().any(|k| k.origin == origin && k.text == text) {
            kept.push(Kept {
                origin: origin.to_string(),
                text: text.to_string(),
                model: Arc::clone(&model),
            });
        }
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_model_is_the_model_parsing_gives_and_errors_are_not_kept() {
        let text = crate::DEFAULT_MODEL_TOML;
        let first = parse_cached(text, "m.toml").expect("valid");
        let again = parse_cached(text, "m.toml").expect("valid");
        assert_eq!(first, parse(text, "m.toml").expect("valid"));
        assert_eq!(first, again);
        let shared = parse_shared(text, "m.toml").expect("valid");
        assert_eq!(*shared, first);
        assert!(
            Arc::ptr_eq(&shared, &parse_shared(text, "m.toml").expect("valid")),
            "kept, not parsed again"
        );
        let broken = text.replacen("[[areas]]", "[[areas", 1);
        let e1 = parse_cached(&broken, "broken.toml").expect_err("invalid");
        let e2 = parse_cached(&broken, "other.toml").expect_err("invalid");
        assert!(e1.to_string().contains("broken.toml"), "{e1}");
        assert!(e2.to_string().contains("other.toml"), "{e2}");
    }
}
