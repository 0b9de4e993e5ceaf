//! Identifiers and the level scale: the values that tie answers, plans and
//! evidence to a place in a model. They are parsed once at the edge and can't
//! be invalid afterwards, so the rest of the code never re-checks them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a textual id or level was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("level must be 0, 1, 2 or 3, got {0}")]
    LevelOutOfRange(String),
    #[error("area id {0:?} must start with a lowercase letter and use only lowercase letters, digits, '-' or '_'")]
    BadAreaId(String),
    #[error("statement id {0:?} must look like `area.level.n`, e.g. `documentation.2.1` (level 0-3, n from 1)")]
    BadStatementId(String),
}

/// A maturity level: 0 Unaware, 1 Initial, 2 Defined, 3 Optimizing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level(u8);

impl Level {
    /// The number of levels every model has.
    pub const COUNT: usize = 4;
    pub const ALL: [Level; 4] = [Level(0), Level(1), Level(2), Level(3)];
    pub const MIN: Level = Level(0);
    pub const MAX: Level = Level(3);

    pub fn new(n: u8) -> Result<Self, IdError> {
        if usize::from(n) < Self::COUNT {
            Ok(Level(n))
        } else {
            Err(IdError::LevelOutOfRange(n.to_string()))
        }
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The level above this one, if any.
    pub fn next(self) -> Option<Level> {
        Level::new(self.0 + 1).ok()
    }

    /// The level below this one, if any.
    pub fn previous(self) -> Option<Level> {
        self.0.checked_sub(1).map(Level)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Level {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<u8>()
            .ok()
            .and_then(|n| Level::new(n).ok())
            .ok_or_else(|| IdError::LevelOutOfRange(s.to_string()))
    }
}

impl Serialize for Level {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(d)?;
        u8::try_from(n)
            .ok()
            .and_then(|n| Level::new(n).ok())
            .ok_or_else(|| serde::de::Error::custom(IdError::LevelOutOfRange(n.to_string())))
    }
}

/// The id of an area, a lowercase slug such as `decision-making`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AreaId(String);

impl AreaId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if first_ok && rest_ok && s.len() <= 64 {
            Ok(AreaId(s.to_string()))
        } else {
            Err(IdError::BadAreaId(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AreaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AreaId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AreaId::parse(s)
    }
}

impl Serialize for AreaId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AreaId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AreaId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The stable id of a statement: `area.level.n`, e.g. `documentation.2.1`.
///
/// Answers, plans and evidence refer to statements by this id, so it must
/// survive rewording of the statement text across model versions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatementId {
    area: AreaId,
    level: Level,
    n: u16,
}

impl StatementId {
    pub fn new(area: AreaId, level: Level, n: u16) -> Result<Self, IdError> {
        if n == 0 {
            return Err(IdError::BadStatementId(format!("{area}.{level}.0")));
        }
        Ok(StatementId { area, level, n })
    }

    pub fn parse(s: &str) -> Result<Self, IdError> {
        let bad = || IdError::BadStatementId(s.to_string());
        let mut parts = s.rsplitn(3, '.');
        let n = parts.next().ok_or_else(bad)?;
        let level = parts.next().ok_or_else(bad)?;
        let area = parts.next().ok_or_else(bad)?;
        let area = AreaId::parse(area).map_err(|_| bad())?;
        let level = level.parse::<Level>().map_err(|_| bad())?;
        if n.starts_with('+') || n.starts_with('0') {
            return Err(bad());
        }
        let n = n.parse::<u16>().map_err(|_| bad())?;
        StatementId::new(area, level, n).map_err(|_| bad())
    }

    pub fn area(&self) -> &AreaId {
        &self.area
    }

    pub fn level(&self) -> Level {
        self.level
    }

    pub fn n(&self) -> u16 {
        self.n
    }
}

impl fmt::Display for StatementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.area, self.level, self.n)
    }
}

impl FromStr for StatementId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StatementId::parse(s)
    }
}

impl Serialize for StatementId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StatementId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        StatementId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn statement_id_round_trips() {
        let id = StatementId::parse("decision-making.2.3").expect("valid");
        assert_eq!(id.area().as_str(), "decision-making");
        assert_eq!(id.level(), Level::new(2).expect("level"));
        assert_eq!(id.n(), 3);
        assert_eq!(id.to_string(), "decision-making.2.3");
    }

    #[test]
    fn statement_id_rejects_malformed() {
        for bad in [
            "",
            "documentation",
            "documentation.2",
            "documentation.4.1",
            "documentation.2.0",
            "documentation.2.01",
            "Documentation.2.1",
            "documentation.-1.1",
            ".2.1",
            "documentation.2.x",
        ] {
            assert!(StatementId::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn level_bounds() {
        assert!(Level::new(3).is_ok());
        assert!(Level::new(4).is_err());
        assert_eq!(Level::MAX.next(), None);
        assert_eq!(Level::MIN.previous(), None);
        assert_eq!("2".parse::<Level>().expect("level").number(), 2);
    }

    proptest! {
        #[test]
        fn any_valid_statement_id_round_trips(area in "[a-z][a-z0-9_-]{0,20}", level in 0u8..4, n in 1u16..500) {
            let text = format!("{area}.{level}.{n}");
            let id = StatementId::parse(&text).expect("valid id");
            prop_assert_eq!(id.to_string(), text);
        }

        #[test]
        fn parser_never_panics(s in ".{0,40}") {
            let _ = StatementId::parse(&s);
            let _ = AreaId::parse(&s);
        }
    }
}
