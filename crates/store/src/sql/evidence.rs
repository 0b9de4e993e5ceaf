//! Saved evidence: the organisation's pseudonym salt, scans per team, and
//! waivers. Types are in `crate::evidence`.

use asyncmm_core::TeamName;
use sqlx::FromRow;
use time::Date;

use super::stamp::{ReadStamp, Stamp};
use super::{Database, on};
use crate::StoreError;
use crate::evidence::{EvidenceId, EvidenceWaiver, NewEvidence, StoredEvidence};

const EVIDENCE_COLUMNS: &str = "id, team, scanned_at, source, subject, document";

#[derive(FromRow)]
struct EvidenceRow {
    id: i64,
    team: String,
    scanned_at: ReadStamp,
    source: String,
    subject: String,
    document: String,
}

impl EvidenceRow {
    fn into_stored(self) -> Result<StoredEvidence, StoreError> {
        let corrupt = |e: String| StoreError::Corrupt(format!("saved evidence {}: {e}", self.id));
        let scanned_at = self.scanned_at.0.clone().map_err(corrupt)?;
        let team = TeamName::parse(&self.team).map_err(|e| corrupt(e.to_string()))?;
        Ok(StoredEvidence {
            id: EvidenceId(self.id),
            team,
            scanned_at,
            source: self.source,
            subject: self.subject,
            document: self.document,
        })
    }
}

#[derive(FromRow)]
struct WaiverRow {
    team: String,
    rule: String,
    reason: String,
    until_day: Date,
    set_on: Date,
}

impl WaiverRow {
    fn into_waiver(self) -> Result<EvidenceWaiver, StoreError> {
        let team = TeamName::parse(&self.team)
            .map_err(|e| StoreError::Corrupt(format!("waiver of rule {}: {e}", self.rule)))?;
        Ok(EvidenceWaiver {
            team,
            rule: self.rule,
            reason: self.reason,
            until: self.until_day,
            set_on: self.set_on,
        })
    }
}

impl Database {
    pub(super) async fn salt(&self, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        if fresh.len() < 16 {
            return Err(StoreError::Invalid(
                "a pseudonym salt needs at least 16 random bytes".to_string(),
            ));
        }
        let mut tx = self.write().await?;
        // The first salt stays: a second one would change every id.
        on!(tx.conn(), |c| {
            sqlx::query("INSERT INTO evidence_salt (id, salt) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
                .bind(fresh)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        let salt: Vec<u8> = on!(tx.conn(), |c| {
            sqlx::query_scalar("SELECT salt FROM evidence_salt WHERE id = 1")
                .fetch_one(&mut *c)
                .await
        })?;
        tx.commit().await?;
        Ok(salt)
    }

    pub(super) async fn insert_evidence(&self, new: &NewEvidence) -> Result<StoredEvidence, StoreError> {
        let scanned_at = crate::record::storable(new.scanned_at)?;
        let mut tx = self.write().await?;
        let id: i64 = on!(tx.conn(), |c| {
            sqlx::query_scalar(
                "INSERT INTO evidence (team, scanned_on, scanned_at, source, subject, document) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(new.team.as_str())
            .bind(scanned_at.date())
            .bind(Stamp(scanned_at))
            .bind(&new.source)
            .bind(&new.subject)
            .bind(&new.document)
            .fetch_one(&mut *c)
            .await
        })?;
        tx.commit().await?;
        Ok(StoredEvidence {
            id: EvidenceId(id),
            team: new.team.clone(),
            scanned_at,
            source: new.source.clone(),
            subject: new.subject.clone(),
            document: new.document.clone(),
        })
    }

    pub(super) async fn evidence_of(&self, team: &TeamName) -> Result<Vec<StoredEvidence>, StoreError> {
        let mut reader = self.read().await?;
        let rows: Vec<EvidenceRow> = on!(reader.conn(), |c| {
            sqlx::query_as(&format!(
                "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE team = $1 ORDER BY scanned_at, id"
            ))
            .bind(team.as_str())
            .fetch_all(&mut *c)
            .await
        })?;
        rows.into_iter().map(EvidenceRow::into_stored).collect()
    }

    pub(super) async fn upsert_waiver(&self, waiver: &EvidenceWaiver) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on!(tx.conn(), |c| {
            sqlx::query(
                "INSERT INTO evidence_waivers (team, rule, reason, until_day, set_on) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (team, rule) DO UPDATE SET reason = excluded.reason, until_day = excluded.until_day, \
                 set_on = excluded.set_on",
            )
            .bind(waiver.team.as_str())
            .bind(&waiver.rule)
            .bind(&waiver.reason)
            .bind(waiver.until)
            .bind(waiver.set_on)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
        tx.commit().await
    }

    pub(super) async fn team_waivers(&self, team: &TeamName) -> Result<Vec<EvidenceWaiver>, StoreError> {
        let mut reader = self.read().await?;
        let rows: Vec<WaiverRow> = on!(reader.conn(), |c| {
            sqlx::query_as(
                "SELECT team, rule, reason, until_day, set_on FROM evidence_waivers WHERE team = $1 ORDER BY rule",
            )
            .bind(team.as_str())
            .fetch_all(&mut *c)
            .await
        })?;
        rows.into_iter().map(WaiverRow::into_waiver).collect()
    }

    pub(super) async fn delete_waiver(&self, team: &TeamName, rule: &str) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let removed = on!(tx.conn(), |c| {
            sqlx::query("DELETE FROM evidence_waivers WHERE team = $1 AND rule = $2")
                .bind(team.as_str())
                .bind(rule)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        if removed == 0 {
            return Err(StoreError::NotFound(format!(
                "a waiver of rule {rule} for team \"{team}\""
            )));
        }
        tx.commit().await
    }
}
