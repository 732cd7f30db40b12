//! Kemendagri region codes: `64` (province), `64.71` (kabupaten/kota), `64.71.01` (kecamatan).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::codes::{Code, UnknownCode, code};

/// The level of an administrative region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = RegionLevelName, description = "The level of a region.")
)]
pub enum RegionLevel {
    /// Provinsi.
    Province,
    /// Kabupaten or kota.
    Regency,
    /// Kecamatan.
    District,
}

code!(RegionLevel, "region level");

impl RegionLevel {
    /// How many dot-separated segments a code of this level has.
    pub fn segments(self) -> usize {
        match self {
            RegionLevel::Province => 1,
            RegionLevel::Regency => 2,
            RegionLevel::District => 3,
        }
    }
}

/// A syntactically valid region code. Whether the region exists is a question for the register.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

/// The text is not shaped like a region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a region code (expected 2 digits, then up to two groups of `.` and 2 digits, e.g. 64.71.01)"
)]
pub struct InvalidRegionCode(pub String);

impl RegionCode {
    pub fn parse(text: &str) -> Result<Self, InvalidRegionCode> {
        let segments: Vec<&str> = text.split('.').collect();
        let well_formed = (1..=3).contains(&segments.len())
            && segments
                .iter()
                .all(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()));
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidRegionCode(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        match self.0.matches('.').count() {
            0 => RegionLevel::Province,
            1 => RegionLevel::Regency,
            _ => RegionLevel::District,
        }
    }

    /// The region directly above, or `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        self.0
            .rsplit_once('.')
            .map(|(parent, _)| RegionCode(parent.to_owned()))
    }

    /// The province this region lies in (itself for a province).
    pub fn province(&self) -> RegionCode {
        RegionCode(self.0[..2].to_owned())
    }

    /// Whether this region is `other` or lies above it: a scope of `64` covers `64`, `64.71` and
    /// `64.71.01`, but not `62` nor `6`-prefixed codes of other provinces.
    pub fn covers(&self, other: &RegionCode) -> bool {
        other.0 == self.0
            || (other.0.len() > self.0.len()
                && other.0.starts_with(&self.0)
                && other.0.as_bytes()[self.0.len()] == b'.')
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RegionCode {
    type Err = InvalidRegionCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = InvalidRegionCode;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> Self {
        code.0
    }
}

/// One administrative region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
}

impl Region {
    pub fn level(&self) -> RegionLevel {
        self.code.level()
    }

    pub fn parent_code(&self) -> Option<RegionCode> {
        self.code.parent()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn parses_codes_of_each_level() {
        let cases = [
            ("64", RegionLevel::Province, None),
            ("64.71", RegionLevel::Regency, Some("64")),
            ("64.71.01", RegionLevel::District, Some("64.71")),
        ];
        for (text, level, parent) in cases {
            let c = code(text);
            assert_eq!(c.level(), level, "{text}");
            assert_eq!(
                c.parent().as_ref().map(RegionCode::as_str),
                parent,
                "{text}"
            );
            assert_eq!(c.province().as_str(), "64");
        }
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "",
            "6",
            "640",
            "64.",
            ".64",
            "64.7",
            "64.71.1",
            "64.71.01.01",
            "ab",
            "64-71",
            "６４",
            "64..71",
        ] {
            assert!(
                RegionCode::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn coverage_follows_the_tree() {
        let cases = [
            ("64", "64", true),
            ("64", "64.71", true),
            ("64", "64.71.01", true),
            ("64.71", "64.71.01", true),
            ("64.71", "64", false),
            ("64.71", "64.01", false),
            ("64", "62.01", false),
            ("64.7", "64.71", false),
            ("64.71.01", "64.71.02", false),
        ];
        for (scope, target, expected) in cases {
            // `64.7` is not a valid code; build it raw to prove the separator check.
            let scope = RegionCode(scope.to_owned());
            assert_eq!(
                scope.covers(&code(target)),
                expected,
                "{scope} covers {target}"
            );
        }
    }

    #[test]
    fn level_round_trips() {
        for &level in RegionLevel::ALL {
            assert_eq!(level.as_str().parse::<RegionLevel>().unwrap(), level);
        }
        for (text, segments) in [("64", 1), ("64.71", 2), ("64.71.01", 3)] {
            assert_eq!(code(text).level().segments(), segments);
        }
        assert!("kabupaten".parse::<RegionLevel>().is_err());
    }
}
