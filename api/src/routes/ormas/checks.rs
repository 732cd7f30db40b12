//! What the schema cannot check about a registration: the legal identity its kind requires, codes
//! from the reference lists, and places that must exist and lie inside each other.

use ormas_domain::identity_numbers::Npwp;
use ormas_domain::reference_lists::{self, FIELDS, SPECIAL_CHARACTERS};
use ormas_domain::registration::{
    IdentityFields, IdentityProblem, OrmasKind, identity_key, identity_problems, skt_expires_on,
};
use ormas_domain::{RegionCode, RegionLevel};
use ormas_persistence::register::OrganisationRow;
use ormas_persistence::{AnyConnection, PersistenceResult, reference};

use super::dto::CreateOrmas;
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue, Text};

pub fn issue(field: &str, code: &str, id: &str, en: &str) -> FieldIssue {
    FieldIssue::new(field, code, Text::new(id, en))
}

/// Checks what the schema cannot: the legal identity that the kind requires, codes from the
/// reference lists, NPWP digits.
pub fn check_identity(
    request: &CreateOrmas,
    today: chrono::NaiveDate,
) -> Result<(OrganisationRow, Option<String>), ApiError> {
    let kind: OrmasKind = request.kind;
    let present = IdentityFields {
        ahu_number: request.ahu_number.is_some(),
        ahu_date: request.ahu_date.is_some(),
        skt_number: request.skt_number.is_some(),
        skt_issued_on: request.skt_issued_on.is_some(),
        skt_issuer: request.skt_issuer.is_some(),
    };
    let mut issues: Vec<FieldIssue> = identity_problems(kind, present)
        .into_iter()
        .map(|problem| match problem {
            IdentityProblem::Required(field) if kind.is_badan_hukum() => issue(
                field,
                "required",
                "wajib untuk badan hukum",
                "is required for a badan hukum",
            ),
            IdentityProblem::Required(field) => issue(
                field,
                "required",
                "wajib untuk ormas tidak berbadan hukum",
                "is required without legal personality",
            ),
            IdentityProblem::NotApplicable(field) if kind.is_badan_hukum() => issue(
                field,
                "not_applicable",
                "hanya untuk ormas tidak berbadan hukum",
                "only for organisations without legal personality",
            ),
            IdentityProblem::NotApplicable(field) => issue(
                field,
                "not_applicable",
                "hanya untuk badan hukum",
                "only for a badan hukum",
            ),
        })
        .collect();
    for (index, code) in request.fields.iter().enumerate() {
        if reference_lists::find(FIELDS, code).is_none() {
            issues.push(issue(
                &format!("fields[{index}]"),
                "unknown_field",
                "bidang tidak dikenal",
                "is not a field code",
            ));
        }
    }
    if let Some(code) = &request.special_character
        && reference_lists::find(SPECIAL_CHARACTERS, code).is_none()
    {
        issues.push(issue(
            "special_character",
            "unknown_special_character",
            "ciri khusus tidak dikenal",
            "is not a special character code",
        ));
    }
    let npwp = match &request.npwp {
        Some(text) => match Npwp::parse(text) {
            Ok(npwp) => Some(npwp.as_str().to_owned()),
            Err(_) => {
                issues.push(issue(
                    "npwp",
                    "invalid_npwp",
                    "NPWP harus 15 atau 16 digit",
                    "must be 15 or 16 digits",
                ));
                None
            }
        },
        None => None,
    };
    for field in ormas_domain::organisation::future_identity_dates(
        request.founded_on,
        request.ahu_date,
        request.skt_issued_on,
        today,
    ) {
        issues.push(issue(
            field,
            "in_future",
            "tidak boleh setelah hari ini",
            "cannot be after today",
        ));
    }
    let skt_expires = request.skt_issued_on.and_then(skt_expires_on);
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let identity_key = identity_key(
        kind,
        request.ahu_number.as_deref(),
        request.skt_number.as_deref(),
    );
    let mut fields: Vec<String> = Vec::new();
    for code in &request.fields {
        if !fields.contains(code) {
            fields.push(code.clone());
        }
    }
    let at = now_utc();
    Ok((
        OrganisationRow {
            id: uuid::Uuid::now_v7().to_string(),
            identity_key: identity_key.clone(),
            name: request.name.trim().to_owned(),
            abbreviation: request.abbreviation.clone(),
            kind: kind.as_str().to_owned(),
            ahu_number: request.ahu_number.clone(),
            ahu_date: request.ahu_date,
            skt_number: request.skt_number.clone(),
            skt_issued_on: request.skt_issued_on,
            skt_issuer: request.skt_issuer.clone(),
            skt_expires_on: skt_expires,
            npwp,
            founded_on: request.founded_on,
            fields: serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into()),
            special_character: request.special_character.clone(),
            tiered: request.tiered,
            created_at: at,
            updated_at: at,
            version: 1,
            dissolved_on: None,
            dissolution_decree: None,
        },
        identity_key,
    ))
}

/// The region must be a province or kabupaten/kota that exists; the kecamatan, if any, must lie in
/// it. Returns the field issues.
pub fn check_places(
    conn: &mut AnyConnection,
    region: &str,
    district: Option<&str>,
) -> PersistenceResult<Vec<FieldIssue>> {
    let mut issues = Vec::new();
    let region_code = RegionCode::parse(region).ok();
    let region_ok = region_code
        .as_ref()
        .is_some_and(|c| c.level() != RegionLevel::District)
        && reference::find_region(conn, region)?.is_some();
    if !region_ok {
        issues.push(issue(
            "region_code",
            "unknown_region",
            "bukan provinsi atau kabupaten/kota yang dikenal",
            "is not a known province or kabupaten/kota",
        ));
    }
    if let Some(district) = district {
        let code = RegionCode::parse(district).ok();
        let inside = match (&region_code, &code) {
            (Some(region), Some(d)) => d.level() == RegionLevel::District && region.covers(d),
            _ => false,
        };
        if !inside || reference::find_region(conn, district)?.is_none() {
            issues.push(issue(
                "district_code",
                "district_outside_region",
                "kecamatan tidak berada di wilayah ini",
                "is not a kecamatan of region_code",
            ));
        }
    }
    Ok(issues)
}
