//! People who sign in to the web pages: their roles and what each role may
//! do. Respondents have no account: a round's token is all they need, so
//! nothing here can be joined to an answer.

use std::fmt;

use serde::Serialize;

/// What a signed-in person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything: every team, every round, people and invitations.
    Admin,
    /// The teams they lead: create teams (which they then lead), open and
    /// close their rounds, read their results and plans.
    Lead,
    /// Reads results, history and the organisation's view; changes nothing.
    Viewer,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a role is admin, lead or viewer (got \"{0}\")")]
pub struct BadRole(pub String);

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Lead, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Lead => "lead",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Result<Role, BadRole> {
        match text.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "lead" => Ok(Role::Lead),
            "viewer" => Ok(Role::Viewer),
            _ => Err(BadRole(text.to_string())),
        }
    }

    /// May change teams, rounds and plans (of the teams they may see).
    pub fn can_write(self) -> bool {
        matches!(self, Role::Admin | Role::Lead)
    }

    /// Sees every team, not only the ones they lead.
    pub fn sees_all_teams(self) -> bool {
        matches!(self, Role::Admin | Role::Viewer)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person's account id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// A signed-in person as the pages know them (never their password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_say_what_they_may_do() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse(" Lead "), Ok(Role::Lead));
        assert!(Role::parse("owner").is_err());
        assert!(Role::Admin.can_write() && Role::Lead.can_write() && !Role::Viewer.can_write());
        assert!(Role::Viewer.sees_all_teams() && !Role::Lead.sees_all_teams());
    }
}
