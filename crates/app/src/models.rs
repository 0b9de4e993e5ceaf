//! Which questionnaire a use case works with: the embedded default or a
//! model file a team loaded, and the exact versions stored results were
//! taken with (kept as text in the store, so an old result is always
//! explained with its own wording and thresholds).

use std::sync::Arc;

use asyncmm_core::ModelRef;
use asyncmm_model::Model;
use asyncmm_store::Store;

use crate::AppError;

/// A model with the exact text it was read from (the store keeps the text
/// with the results taken with it).
#[derive(Debug, Clone)]
pub struct LoadedModel {
    pub model: Model,
    pub source: String,
}

impl LoadedModel {
    /// The model embedded in the binary.
    pub fn embedded() -> Result<LoadedModel, AppError> {
        let model = asyncmm_model::default_model().map_err(|e| AppError::invalid("embedded model", e))?;
        Ok(LoadedModel {
            model,
            source: asyncmm_model::DEFAULT_MODEL_TOML.to_string(),
        })
    }

    /// A model file's text; `name` names it in errors (every problem with
    /// its line and column).
    pub fn parse(text: &str, name: &str) -> Result<LoadedModel, AppError> {
        let model = asyncmm_model::parse(text, name).map_err(|e| AppError::invalid("", e))?;
        Ok(LoadedModel {
            model,
            source: text.to_string(),
        })
    }

    pub fn reference(&self) -> ModelRef {
        ModelRef::of(&self.model)
    }
}

/// What makes results of two model versions comparable: the model's
/// lineage (its id and the first version of its line), so a wording
/// revision checked by [`asyncmm_model::check_revision`] compares and rolls
/// up with the version it revises.
pub fn lineage(model: &Model) -> String {
    model.lineage().to_string()
}

/// Registers a model's text with the store, after checking that a model
/// claiming to revise an earlier version really is a wording revision of it
/// (the earlier version as stored, else as built in); a claim that can't be
/// checked is refused, so results never pool with a model they don't
/// match.
pub async fn register(store: &dyn Store, model: &LoadedModel) -> Result<(), AppError> {
    if let Some(base_version) = &model.model.revises {
        let base_ref = ModelRef {
            id: model.model.id.clone(),
            version: base_version.clone(),
        };
        let base = match store.model_source(&base_ref).await? {
            Some(text) => Some(
                asyncmm_model::parse(&text, &format!("<stored model {base_ref}>"))
                    .map_err(|e| AppError::invalid("", e))?,
            ),
            None => asyncmm_model::builtin_base(&model.model).ok().flatten(),
        };
        let Some(base) = base else {
            return Err(AppError::invalid(
                "model",
                format!(
                    "{} says it revises {base_ref}, which is neither stored nor built in; record {base_ref} first so \
                     the revision can be checked",
                    model.model.key()
                ),
            ));
        };
        asyncmm_model::check_revision(&base, &model.model).map_err(|e| AppError::invalid("", e))?;
    }
    store.register_model(&model.reference(), &model.source).await?;
    Ok(())
}

/// The model a stored result was taken with, parsed from the text the store
/// kept: a copy of [`shared_model`]'s, for callers that keep or change it.
pub async fn stored_model(store: &dyn Store, model: &ModelRef) -> Result<Model, AppError> {
    shared_model(store, model).await.map(|shared| Model::clone(&shared))
}

/// The model a stored result was taken with, shared rather than copied:
/// the respondent's pages read their round's model on every request.
pub async fn shared_model(store: &dyn Store, model: &ModelRef) -> Result<Arc<Model>, AppError> {
    let text = store
        .model_source(model)
        .await?
        .ok_or_else(|| AppError::Conflict(format!("model {model} is not in the database; the data is incomplete")))?;
    asyncmm_model::parse_shared(&text, &format!("<stored model {model}>")).map_err(|e| AppError::invalid("", e))
}

/// The model versions a set of records was taken with, each read from the
/// store and parsed once however many records share it.
#[derive(Debug, Default)]
pub struct StoredModels(Vec<Model>);

impl StoredModels {
    /// The models of `refs`, each read once. A plain list (not any
    /// iterator) keeps the future `Send` for the web server's handlers.
    pub async fn load(store: &dyn Store, refs: Vec<&ModelRef>) -> Result<StoredModels, AppError> {
        let mut models: Vec<Model> = Vec::new();
        for r in refs {
            if !models.iter().any(|m| &ModelRef::of(m) == r) {
                models.push(stored_model(store, r).await?);
            }
        }
        Ok(StoredModels(models))
    }

    /// One model already loaded.
    pub(crate) fn one(model: Model) -> StoredModels {
        StoredModels(vec![model])
    }

    pub fn get(&self, model: &ModelRef) -> Result<&Model, AppError> {
        self.0
            .iter()
            .find(|m| &ModelRef::of(m) == model)
            .ok_or_else(|| AppError::Conflict(format!("model {model} is not in the database; the data is incomplete")))
    }

    /// Every model loaded, in order of first use.
    /// The models of `refs` in the order [`StoredModels::load`] would give
    /// them, taken from these (no store read): a view built from part of
    /// the rounds loaded is laid out as if it had loaded its own.
    pub fn subset(&self, refs: Vec<&ModelRef>) -> Result<StoredModels, AppError> {
        let mut models: Vec<Model> = Vec::new();
        for r in refs {
            if !models.iter().any(|m| &ModelRef::of(m) == r) {
                models.push(self.get(r)?.clone());
            }
        }
        Ok(StoredModels(models))
    }

    pub fn all(&self) -> &[Model] {
        &self.0
    }

    /// The model reports are laid out by: the first one loaded, else the
    /// embedded default.
    pub fn display(&self) -> Result<Model, AppError> {
        match self.0.first() {
            Some(m) => Ok(m.clone()),
            None => Ok(LoadedModel::embedded()?.model),
        }
    }
}
