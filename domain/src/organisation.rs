//! An organisation's national identity and who may change it.
//!
//! Registrations that share an AHU or SKT number are one organisation present in several regions:
//! its name, abbreviation, kind, legal numbers and dates, NPWP, founding date, fields, special
//! character and tiering are one record for all of them. A registration may change that record
//! only while it is the organisation's only registration and has never been registered; otherwise
//! a correction is made on the organisation itself, by someone whose scope covers every region
//! where it is present. A registration's own name for its regional board (nama kepengurusan
//! daerah, its `branch_name`) belongs to it alone.

use chrono::NaiveDate;

use crate::access::Scope;
use crate::region::RegionCode;

/// Why the organisation's identity cannot be changed through a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentityLock {
    /// Other registrations (in this or other regions) share the organisation.
    #[error("the organisation is shared by {registrations} registrations")]
    Shared { registrations: usize },
    /// This registration has been registered (it holds or held a registration number): its
    /// identity is on record and on the public register.
    #[error("the registration has been registered")]
    Registered,
}

impl IdentityLock {
    /// The stable code of the rule, for problem documents.
    pub fn code(self) -> &'static str {
        match self {
            IdentityLock::Shared { .. } => "identity_shared",
            IdentityLock::Registered => "identity_registered",
        }
    }
}

/// Whether a registration may change its organisation's national identity: only while it is the
/// organisation's only registration (`registrations` counts every registration of the
/// organisation, this one included) and it has never been registered.
pub fn identity_editable_through_registration(
    registrations: usize,
    ever_registered: bool,
) -> Result<(), IdentityLock> {
    if registrations > 1 {
        return Err(IdentityLock::Shared { registrations });
    }
    if ever_registered {
        return Err(IdentityLock::Registered);
    }
    Ok(())
}

/// Whether `scope` covers every region where the organisation is present (`regions`, the region of
/// each of its registrations). An organisation with no registration is covered by the national
/// scope only.
pub fn scope_covers_all(scope: &Scope, regions: &[RegionCode]) -> bool {
    match scope {
        Scope::National => true,
        Scope::Region(_) => !regions.is_empty() && regions.iter().all(|r| scope.covers(r)),
    }
}

/// The branch name a new registration keeps when it links to an existing organisation under
/// another name: the name it was filed with, unless it only differs from the organisation's by
/// case and spacing. An explicit branch name wins.
pub fn branch_name_for(
    filed_name: &str,
    organisation_name: &str,
    explicit: Option<&str>,
) -> Option<String> {
    if let Some(explicit) = explicit.map(str::trim).filter(|s| !s.is_empty()) {
        return Some(explicit.to_owned());
    }
    let normalise = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let filed = filed_name.trim();
    (!filed.is_empty() && normalise(filed) != normalise(organisation_name))
        .then(|| filed.to_owned())
}

/// The dates of an organisation's identity that lie after `today`, by field name: an ormas cannot
/// have been founded, nor its AHU decree or SKT signed, in the future.
pub fn future_identity_dates(
    founded_on: Option<NaiveDate>,
    ahu_date: Option<NaiveDate>,
    skt_issued_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<&'static str> {
    [
        ("founded_on", founded_on),
        ("ahu_date", ahu_date),
        ("skt_issued_on", skt_issued_on),
    ]
    .into_iter()
    .filter(|(_, date)| date.is_some_and(|d| d > today))
    .map(|(field, _)| field)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> RegionCode {
        RegionCode::parse(text).unwrap()
    }

    #[test]
    fn identity_is_editable_only_by_the_only_never_registered_registration() {
        let cases: &[(usize, bool, Result<(), IdentityLock>)] = &[
            (1, false, Ok(())),
            (1, true, Err(IdentityLock::Registered)),
            (2, false, Err(IdentityLock::Shared { registrations: 2 })),
            (2, true, Err(IdentityLock::Shared { registrations: 2 })),
            (40, false, Err(IdentityLock::Shared { registrations: 40 })),
        ];
        for &(registrations, registered, expected) in cases {
            assert_eq!(
                identity_editable_through_registration(registrations, registered),
                expected,
                "{registrations} registrations, registered {registered}"
            );
        }
    }

    #[test]
    fn lock_codes_are_stable() {
        assert_eq!(
            IdentityLock::Shared { registrations: 3 }.code(),
            "identity_shared"
        );
        assert_eq!(IdentityLock::Registered.code(), "identity_registered");
    }

    #[test]
    fn correcting_needs_a_scope_over_every_region() {
        let balikpapan = Scope::Region(code("64.71"));
        let kaltim = Scope::Region(code("64"));
        let paser = code("64.01");
        let bpp = code("64.71");
        let palangka = code("62.71");
        let kaltim_code = code("64");
        let cases: &[(&Scope, &[RegionCode], bool)] = &[
            (&Scope::National, &[], true),
            (&Scope::National, std::slice::from_ref(&palangka), true),
            (&balikpapan, std::slice::from_ref(&bpp), true),
            (&balikpapan, &[], false),
            (&balikpapan, &[bpp.clone(), paser.clone()], false),
            (&kaltim, &[bpp.clone(), paser.clone()], true),
            (&kaltim, &[bpp.clone(), palangka.clone()], false),
            (&kaltim, std::slice::from_ref(&kaltim_code), true),
            (&balikpapan, std::slice::from_ref(&kaltim_code), false),
        ];
        for (scope, regions, expected) in cases {
            assert_eq!(
                scope_covers_all(scope, regions),
                *expected,
                "{scope:?} over {regions:?}"
            );
        }
    }

    #[test]
    fn branch_names() {
        let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
            ("Pemuda Pancasila", "Pemuda Pancasila", None, None),
            ("  pemuda   PANCASILA ", "Pemuda Pancasila", None, None),
            (
                "DPD Pemuda Pancasila Kota Balikpapan",
                "Pemuda Pancasila",
                None,
                Some("DPD Pemuda Pancasila Kota Balikpapan"),
            ),
            (
                "Pemuda Pancasila",
                "Pemuda Pancasila",
                Some("MPC Pemuda Pancasila Paser"),
                Some("MPC Pemuda Pancasila Paser"),
            ),
            ("Lain", "Pemuda Pancasila", Some("   "), Some("Lain")),
            ("   ", "Pemuda Pancasila", None, None),
        ];
        for &(filed, organisation, explicit, expected) in cases {
            assert_eq!(
                branch_name_for(filed, organisation, explicit).as_deref(),
                expected,
                "{filed:?} / {organisation:?} / {explicit:?}"
            );
        }
    }

    #[test]
    fn identity_dates_cannot_lie_in_the_future() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-12-03");
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            &'a [&'a str],
        );
        let cases: &[Case] = &[
            (None, None, None, &[]),
            (Some("2020-01-01"), Some("2020-02-01"), None, &[]),
            (
                Some("2026-12-03"),
                Some("2026-12-03"),
                Some("2026-12-03"),
                &[],
            ),
            (Some("2026-12-04"), None, None, &["founded_on"]),
            (None, Some("2027-01-01"), None, &["ahu_date"]),
            (None, None, Some("2999-12-31"), &["skt_issued_on"]),
            (
                Some("2030-01-01"),
                Some("2030-01-01"),
                Some("2030-01-01"),
                &["founded_on", "ahu_date", "skt_issued_on"],
            ),
        ];
        for (founded, ahu, skt, expected) in cases {
            assert_eq!(
                future_identity_dates(founded.map(d), ahu.map(d), skt.map(d), today),
                *expected,
                "{founded:?} {ahu:?} {skt:?}"
            );
        }
    }
}
