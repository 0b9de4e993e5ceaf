//! Which team a name means, in one place for every command and page, and
//! the organisation's teams and groups.
//!
//! A team "holds data" when it is in the organisation (it has rounds or can
//! have them) or has self-assessments stored under its name. Names are
//! matched case-insensitively; with several teams holding data a command
//! never guesses which one is meant; a name that matches none gets the
//! nearest existing names as suggestions; and a new name that is only a slip
//! away from an existing one (`Platfrom`) is refused rather than starting a
//! second history beside the first.

use asyncmm_core::{Team, TeamName};
use asyncmm_store::StoreError;
use serde::Serialize;

use crate::{App, AppError};

/// Every team that holds data: the organisation's tree and the names that
/// only have self-assessments.
#[derive(Debug, Clone, Serialize)]
pub struct TeamList {
    pub schema: &'static str,
    /// The organisation's teams and groups (archived ones when asked for).
    pub organisation: Vec<Team>,
    /// Team names with self-assessments that are not in the organisation:
    /// their history is kept under the name; `team add NAME` makes them
    /// part of the organisation (their self-assessments follow).
    pub self_assessed_only: Vec<SelfAssessedTeam>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SelfAssessedTeam {
    pub name: TeamName,
    pub assessments: u64,
}

/// Whether a name resolved to a team that exists or is new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Existing(TeamName),
    New(TeamName),
}

impl Resolved {
    pub fn name(&self) -> &TeamName {
        match self {
            Resolved::Existing(n) | Resolved::New(n) => n,
        }
    }

    pub fn into_name(self) -> TeamName {
        match self {
            Resolved::Existing(n) | Resolved::New(n) => n,
        }
    }
}

/// Edit distance between two names, ignoring case (Levenshtein over
/// characters).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Names close enough to `given` to be what was meant, nearest first: a
/// small edit distance for the name's length, or one containing the other.
pub fn nearest<'n>(given: &str, names: impl IntoIterator<Item = &'n str>) -> Vec<String> {
    let lower = given.to_lowercase();
    let allowed = (given.chars().count() / 3).clamp(1, 3);
    let mut close: Vec<(usize, String)> = names
        .into_iter()
        .filter_map(|name| {
            let d = distance(given, name);
            let other = name.to_lowercase();
            let contains = lower.len() >= 3 && (other.contains(&lower) || lower.contains(&other));
            (d <= allowed || contains).then(|| (d, name.to_string()))
        })
        .collect();
    close.sort();
    close.dedup();
    close.into_iter().take(3).map(|(_, name)| name).collect()
}

impl App<'_> {
    /// Every name that holds data, sorted, without duplicates.
    async fn names_with_data(&self) -> Result<Vec<TeamName>, AppError> {
        let mut names: Vec<TeamName> = self
            .store
            .teams_in_org(true)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect();
        names.extend(self.store.teams().await?.into_iter().map(|t| t.name));
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The team a command is about: `given` matched case-insensitively
    /// among the teams that hold data, or — when nothing is given — the one
    /// team that holds data. Never guesses among several.
    pub async fn resolve_team(&self, given: Option<&str>) -> Result<TeamName, AppError> {
        let names = self.names_with_data().await?;
        let Some(given) = given else {
            return match names.as_slice() {
                [] => Err(AppError::NothingYet(
                    "no team holds any data yet: assess one or add one to the organisation first".to_string(),
                )),
                [only] => Ok(only.clone()),
                many => Err(AppError::TeamNotGiven {
                    teams: many.iter().map(ToString::to_string).collect(),
                }),
            };
        };
        let wanted = TeamName::parse(given).map_err(|e| AppError::invalid("team", e))?;
        if let Some(exact) = names.iter().find(|n| *n == &wanted) {
            return Ok(exact.clone());
        }
        let folded: Vec<&TeamName> = names
            .iter()
            .filter(|n| n.as_str().to_lowercase() == wanted.as_str().to_lowercase())
            .collect();
        match folded.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(AppError::NotFound {
                what: format!("team \"{wanted}\""),
                suggestions: nearest(wanted.as_str(), names.iter().map(TeamName::as_str)),
            }),
            // Two stored names differ only in case: only the exact one will do.
            several => Err(AppError::NotFound {
                what: format!("team \"{wanted}\""),
                suggestions: several.iter().map(|n| n.to_string()).collect(),
            }),
        }
    }

    /// The team new data goes to: an existing team (matched as in
    /// [`App::resolve_team`]), or a new name — unless the new name is only a
    /// slip away from an existing one, which is refused with the
    /// suggestion; `allow_similar` accepts it anyway.
    pub async fn team_for_new_data(&self, given: &str, allow_similar: bool) -> Result<Resolved, AppError> {
        match self.resolve_team(Some(given)).await {
            Ok(name) => Ok(Resolved::Existing(name)),
            Err(AppError::NotFound { suggestions, .. }) if suggestions.is_empty() || allow_similar => Ok(
                Resolved::New(TeamName::parse(given).map_err(|e| AppError::invalid("team", e))?),
            ),
            Err(AppError::NotFound { what, suggestions }) => Err(AppError::NotFound {
                what: format!("{what} (a new team name this close to an existing one is refused)"),
                suggestions,
            }),
            Err(other) => Err(other),
        }
    }

    /// A team of the organisation, by name (case-insensitive).
    pub async fn org_team(&self, given: &str) -> Result<Team, AppError> {
        let name = self.resolve_team(Some(given)).await?;
        match self.store.team(&name).await {
            Ok(team) => Ok(team),
            Err(StoreError::NotFound(_)) => Err(AppError::NotFound {
                what: format!("team \"{name}\" in the organisation (it only has self-assessments; add it first)"),
                suggestions: Vec::new(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn add_team(&self, name: &str, parent: Option<&str>) -> Result<Team, AppError> {
        let name = TeamName::parse(name).map_err(|e| AppError::invalid("team", e))?;
        // A name differing only in case from a stored team is the same team
        // to every other command; refuse to create a twin.
        if let Some(twin) = self
            .names_with_data()
            .await?
            .into_iter()
            .find(|n| n != &name && n.as_str().to_lowercase() == name.as_str().to_lowercase())
        {
            return Err(AppError::Conflict(format!(
                "team \"{twin}\" already holds data; names differ only in case, so \"{name}\" would be the same team"
            )));
        }
        let parent = match parent {
            Some(p) => Some(self.org_team(p).await?.name),
            None => None,
        };
        Ok(self.store.create_team(&name, parent.as_ref()).await?)
    }

    pub async fn list_teams(&self, include_archived: bool) -> Result<TeamList, AppError> {
        let organisation = self.store.teams_in_org(include_archived).await?;
        let all_org = self.store.teams_in_org(true).await?;
        let self_assessed_only = self
            .store
            .teams()
            .await?
            .into_iter()
            .filter(|t| !all_org.iter().any(|o| o.name == t.name))
            .map(|t| SelfAssessedTeam {
                name: t.name,
                assessments: t.assessments,
            })
            .collect();
        Ok(TeamList {
            schema: "asyncmm.teams/1",
            organisation,
            self_assessed_only,
        })
    }

    pub async fn rename_team(&self, from: &str, to: &str) -> Result<Team, AppError> {
        let from = self.org_team(from).await?.name;
        let to = TeamName::parse(to).map_err(|e| AppError::invalid("new name", e))?;
        Ok(self.store.rename_team(&from, &to).await?)
    }

    pub async fn move_team(&self, name: &str, parent: Option<&str>) -> Result<Team, AppError> {
        let team = self.org_team(name).await?.name;
        let parent = match parent {
            Some(p) => Some(self.org_team(p).await?.name),
            None => None,
        };
        Ok(self.store.move_team(&team, parent.as_ref()).await?)
    }

    pub async fn archive_team(&self, name: &str) -> Result<Team, AppError> {
        let team = self.org_team(name).await?.name;
        Ok(self.store.archive_team(&team).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn distances() {
        assert_eq!(distance("Platform", "Platfrom"), 2);
        assert_eq!(distance("web", "Web"), 0);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn nearest_names() {
        let names = ["Platform", "Payments", "Mobile", "Remote Squad"];
        assert_eq!(nearest("Platfrom", names), vec!["Platform"]);
        assert_eq!(nearest("mobil", names), vec!["Mobile"]);
        assert_eq!(nearest("Squad", names), vec!["Remote Squad"]);
        assert!(nearest("Zzzzzz", names).is_empty());
    }

    proptest! {
        #[test]
        fn distance_is_symmetric_and_zero_only_for_equal_names(a in "[a-zA-Z ]{0,12}", b in "[a-zA-Z ]{0,12}") {
            prop_assert_eq!(distance(&a, &b), distance(&b, &a));
            prop_assert_eq!(distance(&a, &b) == 0, a.to_lowercase() == b.to_lowercase());
        }
    }
}
