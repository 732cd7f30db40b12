//! The services of *Satu Ormas* beyond registration and reports (attribute permits, grant
//! proposals, consultations) share one refusal vocabulary: every condition an ormas does not meet,
//! named by a stable code, in a fixed order. The base conditions come from
//! [`crate::sanctions::eligible_for_services`]; a service adds its own (a grant its Permendagri
//! 32/2011 conditions) after them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::codes::{Code, UnknownCode, code};
use crate::sanctions::{EligibilityInput, Ineligibility, eligible_for_services};

/// Why an ormas may not use a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ServiceRefusalName, description = "A condition for a service that an ormas does not meet.")
)]
pub enum ServiceRefusal {
    /// Not registered in the region (draft, pending, returned, rejected, lapsed).
    NotRegistered,
    /// Under sanction: its activities suspended, or its SKT or badan hukum status revoked.
    Sanctioned,
    /// It dissolved itself, was found gone, or its organisation was dissolved.
    Dissolved,
    /// Without legal personality and its SKT has expired (or its expiry is unknown).
    SktExpired,
    /// Grants only: not a badan hukum (`perkumpulan` or `yayasan`).
    NotBadanHukum,
    /// Grants only: no Kemenkumham (AHU) legal-entity decree on record.
    NoLegalEntityDecree,
    /// Grants only: not registered in the office's own region (a grant is asked where the ormas is
    /// registered).
    NotRegisteredInRegion,
    /// Grants only: no local board on record.
    NoLocalBoard,
    /// Grants only: no domicile letter for the secretariat on file.
    NoDomicileLetter,
    /// Grants only: a legal entity for less than the region's minimum.
    LegalEntityTooRecent,
    /// Grants only: an accountability report (LPJ) of an earlier grant is overdue.
    LpjOverdue,
    /// Grants only: another proposal for the same fiscal year is still open.
    OpenProposalThisYear,
}

code!(ServiceRefusal, "service refusal");

impl From<Ineligibility> for ServiceRefusal {
    fn from(reason: Ineligibility) -> Self {
        match reason {
            Ineligibility::NotRegistered => ServiceRefusal::NotRegistered,
            Ineligibility::Suspended | Ineligibility::Revoked => ServiceRefusal::Sanctioned,
            Ineligibility::Dissolved => ServiceRefusal::Dissolved,
            Ineligibility::SktExpired => ServiceRefusal::SktExpired,
        }
    }
}

/// The base conditions of every service on `today`, as refusal codes (each once, in order): the
/// rule itself is [`eligible_for_services`].
pub fn service_refusals(input: &EligibilityInput, today: NaiveDate) -> Vec<ServiceRefusal> {
    let mut refusals: Vec<ServiceRefusal> = eligible_for_services(input, today)
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(ServiceRefusal::from)
        .collect();
    refusals.dedup();
    refusals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::{OrmasKind, RegistrationState};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn codes_round_trip() {
        for &r in ServiceRefusal::ALL {
            assert_eq!(r.as_str().parse::<ServiceRefusal>().unwrap(), r);
        }
        assert_eq!(ServiceRefusal::Sanctioned.as_str(), "sanctioned");
        assert_eq!(ServiceRefusal::NotBadanHukum.as_str(), "not_badan_hukum");
        assert_eq!(ServiceRefusal::LpjOverdue.as_str(), "lpj_overdue");
    }

    #[test]
    fn base_conditions_map_onto_refusals() {
        let today = d("2026-12-02");
        let base = EligibilityInput {
            state: RegistrationState::Registered,
            kind: OrmasKind::Perkumpulan,
            skt_expires_on: None,
            organisation_dissolved: false,
        };
        let cases: Vec<(&str, EligibilityInput, Vec<ServiceRefusal>)> = vec![
            ("registered badan hukum", base, vec![]),
            (
                "suspended",
                EligibilityInput {
                    state: RegistrationState::Suspended,
                    ..base
                },
                vec![ServiceRefusal::Sanctioned],
            ),
            (
                "revoked and dissolved organisation",
                EligibilityInput {
                    state: RegistrationState::Revoked,
                    organisation_dissolved: true,
                    ..base
                },
                vec![ServiceRefusal::Sanctioned, ServiceRefusal::Dissolved],
            ),
            (
                "submitted",
                EligibilityInput {
                    state: RegistrationState::Submitted,
                    ..base
                },
                vec![ServiceRefusal::NotRegistered],
            ),
            (
                "SKT expired yesterday",
                EligibilityInput {
                    kind: OrmasKind::TidakBerbadanHukum,
                    skt_expires_on: Some(d("2026-12-01")),
                    ..base
                },
                vec![ServiceRefusal::SktExpired],
            ),
            (
                "SKT valid today",
                EligibilityInput {
                    kind: OrmasKind::TidakBerbadanHukum,
                    skt_expires_on: Some(d("2026-12-02")),
                    ..base
                },
                vec![],
            ),
        ];
        for (name, input, expected) in cases {
            assert_eq!(service_refusals(&input, today), expected, "{name}");
        }
    }
}
