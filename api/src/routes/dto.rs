//! Contract types shared by several resources.

use chrono::{DateTime, NaiveDateTime, Utc};
use ormas_domain::Role;
use ormas_persistence::identity::UserRow;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use validator::ValidationError;

use crate::error::ApiError;
use crate::routes::Resource;

/// A timestamp as the contract writes it: RFC 3339 in UTC.
pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// An account.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b", "username": "officer.6471",
    "display_name": "Petugas Kota Balikpapan", "email": "petugas@balikpapan.go.id",
    "role": "officer", "region_code": "64.71", "ormas_id": null, "active": true, "version": 1,
    "created_at": "2026-11-22T03:04:05Z", "updated_at": "2026-11-22T03:04:05Z"
}))]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    #[schema(required = true)]
    pub email: Option<String>,
    pub role: Role,
    /// The region the account acts on (and everything below it); `null` for the whole nation, or
    /// for a representative not yet bound to an ormas.
    #[schema(required = true)]
    pub region_code: Option<String>,
    /// For a representative, the ormas bound to the account.
    #[schema(required = true)]
    pub ormas_id: Option<String>,
    pub active: bool,
    /// Changes with every update; send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn from_row(row: UserRow) -> Result<Self, ApiError> {
        let role = row.role()?;
        Ok(User {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            email: row.email,
            role,
            region_code: row.region_code,
            ormas_id: row.ormas_id,
            active: row.active,
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

impl Resource for User {
    fn location(&self) -> String {
        format!("/v1/users/{}", self.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A validator rule: a username of 3–64 letters, digits, `.`, `_`, `-`.
pub fn validate_username(username: &str) -> Result<(), ValidationError> {
    if ormas_domain::auth::valid_username(username) {
        Ok(())
    } else {
        Err(ValidationError::new("invalid_username").with_message(
            "must be 3–64 letters, digits, '.', '_' or '-', starting with a letter or digit".into(),
        ))
    }
}

/// A validator rule: text that is not only whitespace (it is stored trimmed).
pub fn validate_not_blank(text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        Err(ValidationError::new("blank").with_message("must not be blank".into()))
    } else {
        Ok(())
    }
}

/// A validator rule: a region code's shape.
pub fn validate_region_code(code: &str) -> Result<(), ValidationError> {
    ormas_domain::RegionCode::parse(code)
        .map(|_| ())
        .map_err(|_| {
            ValidationError::new("invalid_region_code")
                .with_message("must be a region code such as 64 or 64.71".into())
        })
}

/// For PATCH bodies: distinguishes an absent field (`None`) from an explicit `null`
/// (`Some(None)`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Reads a JSON integer, accepting integral numbers written with a fraction (`6.0`), which JSON
/// Schema counts as integers too.
pub fn integral_i32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if value.fract() == 0.0 && value >= f64::from(i32::MIN) && value <= f64::from(i32::MAX) {
        Ok(value as i32)
    } else {
        Err(serde::de::Error::custom(format!(
            "invalid type: `{value}` is not an integer"
        )))
    }
}

/// Deserializes an `i64` written as an integer or as a float without a fraction (`6.0`), which JSON
/// does not distinguish; floats beyond 2^53 (not exact) are refused.
pub fn integral_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Integer(i64),
        Float(f64),
    }
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match Number::deserialize(deserializer)? {
        Number::Integer(n) => Ok(n),
        Number::Float(f) if f.fract() == 0.0 && f.abs() <= EXACT => Ok(f as i64),
        Number::Float(f) => Err(serde::de::Error::custom(format!(
            "invalid type: `{f}` is not an integer"
        ))),
    }
}

/// An optional [`integral_i64`]: absent or `null` is `None`.
pub fn optional_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "integral_i64")] i64);
    Ok(Option::<Wrapped>::deserialize(d)?.map(|w| w.0))
}

/// An `as_of` date within the years the reporting rules handle (1900–2999).
pub fn validate_as_of(date: &chrono::NaiveDate) -> Result<(), ValidationError> {
    use chrono::Datelike;
    if (1900..=2999).contains(&date.year()) {
        Ok(())
    } else {
        Err(ValidationError::new("out_of_range")
            .with_message("must be a date from 1900 to 2999".into()))
    }
}
