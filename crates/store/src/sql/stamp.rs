//! A point in time as both databases keep it: PostgreSQL as `TIMESTAMPTZ`,
//! SQLite as RFC 3339 text in UTC with exactly six fractional digits, so
//! that text order is time order (the history queries and `MAX(taken_at)`
//! rely on it). Binding and reading a [`Stamp`] is the same call on both.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};
use time::OffsetDateTime;

use crate::record::{SQLITE_TIMESTAMP, parse_sqlite_timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp(pub OffsetDateTime);

impl Type<Sqlite> for Stamp {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Stamp {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        let text = self.0.to_offset(time::UtcOffset::UTC).format(SQLITE_TIMESTAMP)?;
        <String as Encode<'q, Sqlite>>::encode(text, buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Stamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Sqlite>>::decode(value)?;
        Ok(Stamp(parse_sqlite_timestamp(text)?))
    }
}

impl Type<Postgres> for Stamp {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <OffsetDateTime as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Stamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <OffsetDateTime as Encode<'_, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Stamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Stamp(<OffsetDateTime as Decode<'r, Postgres>>::decode(value)?))
    }
}

/// A stored time that may fail to read: the row still decodes, so the
/// error can name the record it belongs to instead of only the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadStamp(pub Result<OffsetDateTime, String>);

impl Type<Sqlite> for ReadStamp {
    fn type_info() -> SqliteTypeInfo {
        <Stamp as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <Stamp as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for ReadStamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(ReadStamp(
            <Stamp as Decode<'r, Sqlite>>::decode(value)
                .map(|s| s.0)
                .map_err(|e| e.to_string()),
        ))
    }
}

impl Type<Postgres> for ReadStamp {
    fn type_info() -> PgTypeInfo {
        <Stamp as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <Stamp as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for ReadStamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(ReadStamp(
            <Stamp as Decode<'r, Postgres>>::decode(value)
                .map(|s| s.0)
                .map_err(|e| e.to_string()),
        ))
    }
}
