//! Field visits (*kunjungan lapangan*): a visit to the secretariat of an ormas, before its
//! registration is approved (the *Berita Acara* and the *Formulir Hasil Penelitian Keberadaan
//! Ormas*), during a re-registration drive, or in an oversight case. What the last visit found
//! decides the inactive reason `secretariat_not_found`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::codes::{Code, UnknownCode, code};
use crate::reference_lists::Label;

/// What the team found at the secretariat's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(
        as = SecretariatFindingName,
        description = "What a field visit found at the secretariat's address."
    )
)]
pub enum SecretariatFinding {
    /// The secretariat exists at the registered address.
    SecretariatFound,
    /// The secretariat exists at another address (given as `new_address`).
    SecretariatMoved,
    /// Nothing of the ormas was found at the address.
    SecretariatNotFound,
}

code!(SecretariatFinding, "secretariat finding");

impl SecretariatFinding {
    /// The finding's labels for the reference list; a new finding does not compile without them.
    pub fn label(self) -> Label {
        let (id, en) = match self {
            SecretariatFinding::SecretariatFound => ("Sekretariat ditemukan", "Secretariat found"),
            SecretariatFinding::SecretariatMoved => {
                ("Sekretariat pindah alamat", "Secretariat moved")
            }
            SecretariatFinding::SecretariatNotFound => {
                ("Sekretariat tidak ditemukan", "Secretariat not found")
            }
        };
        Label {
            code: self.as_str(),
            id,
            en,
        }
    }

    /// Whether the team found the secretariat (at its address or at a new one).
    pub fn found(self) -> bool {
        !matches!(self, SecretariatFinding::SecretariatNotFound)
    }
}

/// Why the team visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = VisitPurpose, description = "Why the team visited.")
)]
pub enum VisitPurpose {
    /// Before the office decides on a submitted registration.
    Verification,
    /// A registered ormas, in a re-registration drive or a routine check.
    ReRegistration,
    /// A visit of an oversight case.
    Oversight,
}

code!(VisitPurpose, "visit purpose");

/// Why a visit record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitError {
    #[error("a visit that found the secretariat moved must give the new address")]
    NewAddressRequired,
    #[error("a new address is only given when the secretariat moved")]
    NewAddressUnexpected,
    #[error("a visit cannot be dated after today")]
    InTheFuture,
    #[error("at least one member of the team must be named")]
    NoTeam,
    #[error("latitude must lie within -90..90 and longitude within -180..180, both or neither")]
    BadCoordinates,
}

/// What a visit record states, for checking it.
#[derive(Debug, Clone, Copy)]
pub struct VisitClaim<'a> {
    pub visited_on: NaiveDate,
    pub finding: SecretariatFinding,
    pub new_address: Option<&'a str>,
    pub team_size: usize,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// Checks a visit record against the rules: not dated in the future, a team, a new address
/// exactly when the secretariat moved, coordinates in range and paired. Every failing rule is
/// returned, so one answer names them all.
pub fn check_visit(claim: &VisitClaim, today: NaiveDate) -> Vec<VisitError> {
    let mut errors = Vec::new();
    if claim.visited_on > today {
        errors.push(VisitError::InTheFuture);
    }
    if claim.team_size == 0 {
        errors.push(VisitError::NoTeam);
    }
    let has_address = claim.new_address.is_some_and(|a| !a.trim().is_empty());
    match (claim.finding, has_address) {
        (SecretariatFinding::SecretariatMoved, false) => {
            errors.push(VisitError::NewAddressRequired)
        }
        (SecretariatFinding::SecretariatFound | SecretariatFinding::SecretariatNotFound, true) => {
            errors.push(VisitError::NewAddressUnexpected)
        }
        _ => {}
    }
    let coordinates_ok = match (claim.latitude, claim.longitude) {
        (None, None) => true,
        (Some(lat), Some(lon)) => (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon),
        _ => false,
    };
    if !coordinates_ok {
        errors.push(VisitError::BadCoordinates);
    }
    errors
}

/// One visit's facts, for deriving whether the secretariat is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitFacts {
    pub visited_on: NaiveDate,
    /// When the record was made; orders visits of the same day.
    pub recorded_seq: i64,
    pub finding: SecretariatFinding,
}

/// The latest visit as of `today`: the latest visit date on or before `today`, and among visits
/// of one day the last recorded.
fn latest(visits: &[VisitFacts], today: NaiveDate) -> Option<&VisitFacts> {
    visits
        .iter()
        .filter(|v| v.visited_on <= today)
        .max_by_key(|v| (v.visited_on, v.recorded_seq))
}

/// Since when the secretariat counts as missing as of `today`: the date of the latest visit when
/// it found nothing, unless the registration's address was changed on or after that visit (the
/// office then knows where the ormas went). `None` when it is not missing.
pub fn secretariat_missing_since(
    visits: &[VisitFacts],
    address_changed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let last = latest(visits, today)?;
    if last.finding.found() {
        return None;
    }
    match address_changed_on {
        Some(changed) if changed >= last.visited_on && changed <= today => None,
        _ => Some(last.visited_on),
    }
}

/// Whether a visit has found the secretariat (at its address or at a new one) by `today`: what
/// `approve` requires when the deployment requires a verification visit.
pub fn secretariat_verified(visits: &[VisitFacts], today: NaiveDate) -> bool {
    latest(visits, today).is_some_and(|v| v.finding.found())
}

/// Why a registration cannot be approved yet under a deployment that requires a verification visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "this office approves only after a field visit that found the secretariat \
     (verification_visit_required); none has yet"
)]
pub struct VerificationVisitMissing;

/// The approval rule of a deployment with `ORMAS_REQUIRE_VERIFICATION_VISIT`: when `required`,
/// the latest visit by `today` must have found the secretariat.
pub fn check_verification(
    required: bool,
    visits: &[VisitFacts],
    today: NaiveDate,
) -> Result<(), VerificationVisitMissing> {
    if !required || secretariat_verified(visits, today) {
        Ok(())
    } else {
        Err(VerificationVisitMissing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SecretariatFinding::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn v(on: &str, seq: i64, finding: SecretariatFinding) -> VisitFacts {
        VisitFacts {
            visited_on: d(on),
            recorded_seq: seq,
            finding,
        }
    }

    #[test]
    fn findings_round_trip_and_have_labels() {
        for &f in SecretariatFinding::ALL {
            assert_eq!(f.as_str().parse::<SecretariatFinding>().unwrap(), f);
            assert!(!f.label().id.is_empty());
        }
        assert!("found".parse::<SecretariatFinding>().is_err());
        for &p in VisitPurpose::ALL {
            assert_eq!(p.as_str().parse::<VisitPurpose>().unwrap(), p);
        }
        assert_eq!(VisitPurpose::ReRegistration.as_str(), "re_registration");
    }

    #[test]
    fn the_latest_visit_decides() {
        type Case<'a> = (
            &'a str,
            Vec<VisitFacts>,
            Option<&'a str>,
            &'a str,
            Option<&'a str>,
            bool,
        );
        let cases: Vec<Case> = vec![
            ("no visit", vec![], None, "2026-06-01", None, false),
            (
                "found",
                vec![v("2026-05-01", 1, SecretariatFound)],
                None,
                "2026-06-01",
                None,
                true,
            ),
            (
                "not found",
                vec![v("2026-05-01", 1, SecretariatNotFound)],
                None,
                "2026-06-01",
                Some("2026-05-01"),
                false,
            ),
            (
                "not found, then found",
                vec![
                    v("2026-05-01", 1, SecretariatNotFound),
                    v("2026-05-20", 2, SecretariatFound),
                ],
                None,
                "2026-06-01",
                None,
                true,
            ),
            (
                "found, then not found",
                vec![
                    v("2026-05-01", 1, SecretariatFound),
                    v("2026-05-20", 2, SecretariatNotFound),
                ],
                None,
                "2026-06-01",
                Some("2026-05-20"),
                false,
            ),
            (
                "moved counts as found",
                vec![
                    v("2026-05-01", 1, SecretariatNotFound),
                    v("2026-05-20", 2, SecretariatMoved),
                ],
                None,
                "2026-06-01",
                None,
                true,
            ),
            (
                "a later visit recorded first still decides by its date",
                vec![
                    v("2026-05-20", 1, SecretariatFound),
                    v("2026-05-01", 2, SecretariatNotFound),
                ],
                None,
                "2026-06-01",
                None,
                true,
            ),
            (
                "same day: the last recorded decides",
                vec![
                    v("2026-05-01", 1, SecretariatFound),
                    v("2026-05-01", 2, SecretariatNotFound),
                ],
                None,
                "2026-06-01",
                Some("2026-05-01"),
                false,
            ),
            (
                "a visit after the date does not count yet",
                vec![
                    v("2026-05-01", 1, SecretariatFound),
                    v("2026-07-01", 2, SecretariatNotFound),
                ],
                None,
                "2026-06-01",
                None,
                true,
            ),
            (
                "as of a date before any visit",
                vec![v("2026-05-01", 1, SecretariatNotFound)],
                None,
                "2026-04-01",
                None,
                false,
            ),
            (
                "an address change after the visit clears it",
                vec![v("2026-05-01", 1, SecretariatNotFound)],
                Some("2026-05-10"),
                "2026-06-01",
                None,
                false,
            ),
            (
                "an address change on the visit's day clears it",
                vec![v("2026-05-01", 1, SecretariatNotFound)],
                Some("2026-05-01"),
                "2026-06-01",
                None,
                false,
            ),
            (
                "an address change before the visit does not",
                vec![v("2026-05-01", 1, SecretariatNotFound)],
                Some("2026-04-10"),
                "2026-06-01",
                Some("2026-05-01"),
                false,
            ),
            (
                "an address change after the date does not count yet",
                vec![v("2026-05-01", 1, SecretariatNotFound)],
                Some("2026-07-10"),
                "2026-06-01",
                Some("2026-05-01"),
                false,
            ),
        ];
        for (name, visits, changed, today, missing, verified) in cases {
            assert_eq!(
                secretariat_missing_since(&visits, changed.map(d), d(today)),
                missing.map(d),
                "{name}: missing"
            );
            assert_eq!(
                secretariat_verified(&visits, d(today)),
                verified,
                "{name}: verified"
            );
        }
    }

    #[test]
    fn approval_needs_a_visit_only_when_required() {
        let today = d("2026-06-01");
        let found = [v("2026-05-01", 1, SecretariatFound)];
        let missing = [v("2026-05-01", 1, SecretariatNotFound)];
        let moved = [v("2026-05-01", 1, SecretariatMoved)];
        let later = [v("2026-07-01", 1, SecretariatFound)];
        for (required, visits, ok) in [
            (false, &[][..], true),
            (false, &missing[..], true),
            (true, &[][..], false),
            (true, &found[..], true),
            (true, &moved[..], true),
            (true, &missing[..], false),
            (true, &later[..], false),
        ] {
            assert_eq!(
                check_verification(required, visits, today).is_ok(),
                ok,
                "{required} {visits:?}"
            );
        }
    }

    #[test]
    fn visit_records_are_checked() {
        let ok = VisitClaim {
            visited_on: d("2026-05-01"),
            finding: SecretariatFound,
            new_address: None,
            team_size: 2,
            latitude: Some(-1.24),
            longitude: Some(116.85),
        };
        let today = d("2026-05-02");
        assert!(check_visit(&ok, today).is_empty());
        let cases: Vec<(VisitClaim, Vec<VisitError>)> = vec![
            (
                VisitClaim {
                    visited_on: d("2026-05-03"),
                    ..ok
                },
                vec![VisitError::InTheFuture],
            ),
            (VisitClaim { team_size: 0, ..ok }, vec![VisitError::NoTeam]),
            (
                VisitClaim {
                    finding: SecretariatMoved,
                    ..ok
                },
                vec![VisitError::NewAddressRequired],
            ),
            (
                VisitClaim {
                    finding: SecretariatMoved,
                    new_address: Some("  "),
                    ..ok
                },
                vec![VisitError::NewAddressRequired],
            ),
            (
                VisitClaim {
                    finding: SecretariatMoved,
                    new_address: Some("Jl. Baru 1"),
                    ..ok
                },
                vec![],
            ),
            (
                VisitClaim {
                    finding: SecretariatNotFound,
                    new_address: Some("Jl. Baru 1"),
                    ..ok
                },
                vec![VisitError::NewAddressUnexpected],
            ),
            (
                VisitClaim {
                    latitude: None,
                    ..ok
                },
                vec![VisitError::BadCoordinates],
            ),
            (
                VisitClaim {
                    latitude: Some(91.0),
                    ..ok
                },
                vec![VisitError::BadCoordinates],
            ),
            (
                VisitClaim {
                    longitude: Some(-181.0),
                    ..ok
                },
                vec![VisitError::BadCoordinates],
            ),
            (
                VisitClaim {
                    latitude: None,
                    longitude: None,
                    ..ok
                },
                vec![],
            ),
            (
                VisitClaim {
                    visited_on: d("2026-06-01"),
                    team_size: 0,
                    ..ok
                },
                vec![VisitError::InTheFuture, VisitError::NoTeam],
            ),
        ];
        for (claim, expected) in cases {
            assert_eq!(check_visit(&claim, today), expected, "{claim:?}");
        }
    }
}
