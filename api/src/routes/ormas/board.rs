//! The board (pengurus) of a registration. NIKs and personal phones are personal data: shown to
//! staff in scope and the ormas's own representatives, masked for everyone else, never public.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::NaiveDate;
use ormas_domain::Action;
use ormas_domain::identity_numbers::{Nik, NikError, mask_nik, mask_phone};
use ormas_domain::reference_lists::{self, BOARD_POSITIONS};
use ormas_persistence::audit as audit_log;
use ormas_persistence::register::{self, BoardMemberRow, RegistrationRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{current_state, event, load_visible, require_editable, sees_personal_data};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::ValidJson;
use crate::routes::dto::validate_not_blank;
use crate::routes::{
    IfNoneMatch, RequiredIfMatch, Resource, represent, represent_get, require_matching_version,
};
use crate::state::AppState;

/// A board member as submitted.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardMemberInput {
    /// A code from `GET /v1/reference/board_positions`.
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub position: String,
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// 16 digits: province code, birth date, sequence.
    #[schema(pattern = "^[0-9]{16}$")]
    pub nik: String,
    #[validate(length(min = 6, max = 20))]
    #[schema(
        min_length = 6,
        max_length = 20,
        pattern = r"^\+?[0-9][0-9 ()-]{5,19}$"
    )]
    pub phone: Option<String>,
    pub term_ends_on: Option<NaiveDate>,
}

/// The whole board, replacing the previous one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"members": [
    {"position": "ketua", "name": "Budi Santoso", "nik": "6471011203850001", "phone": "+62 812 3456 7890", "term_ends_on": "2028-12-31"},
    {"position": "sekretaris", "name": "Siti Aminah", "nik": "6471014506900002", "term_ends_on": "2028-12-31"},
    {"position": "bendahara", "name": "Andi Wijaya", "nik": "6471022001880003", "term_ends_on": "2028-12-31"}
]}))]
pub struct BoardInput {
    #[validate(length(min = 1, max = 100), nested)]
    #[schema(min_items = 1, max_items = 100)]
    pub members: Vec<BoardMemberInput>,
}

/// A board member as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardMember {
    pub position: String,
    pub name: String,
    /// Masked (`6471********0001`) for callers who do not see personal data.
    pub nik: String,
    #[schema(required = true)]
    pub phone: Option<String>,
    #[schema(required = true)]
    pub term_ends_on: Option<NaiveDate>,
}

/// A registration's board.
#[derive(Debug, Serialize, ToSchema)]
pub struct Board {
    pub members: Vec<BoardMember>,
    /// Whether ketua, sekretaris and bendahara are all present (needed to submit).
    pub complete: bool,
    /// Whether NIKs and phones are masked in this answer.
    pub masked: bool,
    /// The registration's id and version: the board is part of the registration, so its `ETag`
    /// names the registration's version.
    #[serde(skip)]
    registration_id: String,
    #[serde(skip)]
    version: i32,
}

impl Resource for Board {
    fn location(&self) -> String {
        format!("/v1/ormas/{}/board", self.registration_id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

pub(crate) fn board_of(reg: &RegistrationRow, rows: Vec<BoardMemberRow>, masked: bool) -> Board {
    let complete = reference_lists::board_complete(rows.iter().map(|r| r.position.as_str()));
    let members = rows
        .into_iter()
        .map(|r| BoardMember {
            nik: if masked { mask_nik(&r.nik) } else { r.nik },
            phone: if masked {
                r.phone.as_deref().map(mask_phone)
            } else {
                r.phone
            },
            position: r.position,
            name: r.name,
            term_ends_on: r.term_ends_on,
        })
        .collect();
    Board {
        members,
        complete,
        masked,
        registration_id: reg.id.clone(),
        version: reg.version,
    }
}

/// Get the board.
#[utoipa::path(
    tag = "ormas",
    operation_id = "getBoard",
    summary = "Get the board",
    description = "The board (pengurus). NIKs and personal phones are shown to staff within their \
region and to the ormas's own representatives, and masked for integrators. Roles: staff and \
integrators within their region; a representative, its own ormas. The board is part of the \
registration: its `ETag` names the registration's version (the same one `GET /v1/ormas/{id}` \
names), to send back in `If-Match` when replacing it.",
    params(("id" = String, Path, description = "The registration's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The board.", body = Board,
            headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas/{id}/board")]
pub async fn get_board(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (reg, _) = load_visible(&state, &principal, path.into_inner()).await?;
    let id = reg.id.clone();
    let rows = state
        .db(move |conn| register::list_board(conn, &id))
        .await?;
    represent_get(&req, &board_of(&reg, rows, !sees_personal_data(&principal)))
}

fn nik_issue(index: usize, error: NikError) -> FieldIssue {
    let (code, id, en) = match error {
        NikError::Format => ("invalid_nik", "NIK harus 16 digit", "a NIK is 16 digits"),
        NikError::UnknownProvince => (
            "invalid_nik",
            "kode provinsi pada NIK tidak dikenal",
            "the NIK's province code is unknown",
        ),
        NikError::BirthDate => (
            "invalid_nik",
            "tanggal lahir pada NIK tidak masuk akal",
            "the NIK's birth date is not plausible",
        ),
        NikError::Sequence => (
            "invalid_nik",
            "nomor urut NIK tidak boleh 0000",
            "the NIK's sequence cannot be 0000",
        ),
    };
    FieldIssue::new(format!("members[{index}].nik"), code, Text::new(id, en))
}

/// Replace the board.
#[utoipa::path(
    tag = "ormas",
    operation_id = "replaceBoard",
    summary = "Replace the board",
    description = "Replaces the whole board while the registration is a draft or returned. Each NIK \
is checked: 16 digits, a known province code, a plausible birth date. Submitting needs a ketua, a \
sekretaris and a bendahara. The board is part of the registration: send the `ETag` of \
`GET /v1/ormas/{id}/board` (or of `GET /v1/ormas/{id}`) in `If-Match` (428 without it, 412 when \
stale); the registration's version rises, and the answer carries the new `ETag`. Roles: \
`ormas_rep` (its own), `officer` (within its region).",
    params(
        ("id" = String, Path, description = "The registration's id."),
        RequiredIfMatch,
    ),
    request_body(content = BoardInput, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The new board.", body = Board,
            headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not edit registrations.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registration is no longer a draft or returned, or it changed meanwhile (a race lost without `If-Match`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A member is invalid (field-level errors such as `members[0].nik`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[put("/v1/ormas/{id}/board")]
pub async fn replace_board(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<BoardInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::EditRegistration)?;
    let (reg, _) = load_visible(&state, &principal, path.into_inner()).await?;
    require_matching_version(&req, reg.version)?;
    require_editable(current_state(&state, &reg)?)?;
    let members = body.0.members;
    let today = state.config.today();
    let provinces = state.db(register::province_codes).await?;
    let mut issues = Vec::new();
    let mut rows = Vec::with_capacity(members.len());
    for (index, member) in members.into_iter().enumerate() {
        if reference_lists::find(BOARD_POSITIONS, &member.position).is_none() {
            issues.push(FieldIssue::new(
                format!("members[{index}].position"),
                "unknown_position",
                Text::new("jabatan tidak dikenal", "is not a board position"),
            ));
        }
        match Nik::parse(&member.nik, today, |code| {
            provinces.iter().any(|p| p == code)
        }) {
            Ok(nik) => rows.push(BoardMemberRow {
                id: uuid::Uuid::now_v7().to_string(),
                registration_id: reg.id.clone(),
                ordinal: index as i32,
                position: member.position,
                name: member.name.trim().to_owned(),
                nik: nik.as_str().to_owned(),
                phone: member.phone,
                term_ends_on: member.term_ends_on,
            }),
            Err(error) => issues.push(nik_issue(index, error)),
        }
    }
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let positions: Vec<&str> = rows.iter().map(|r| r.position.as_str()).collect();
    let mut history = event(&principal, &reg.id, "board");
    history.notes = Some(serde_json::json!({ "positions": positions }).to_string());
    let trail = audit::on(
        audit::event(Some(&principal), "ormas.board", Outcome::Success),
        "ormas",
        &reg.id,
        Some(&reg.region_code),
    );
    let stored = rows.clone();
    let id = reg.id.clone();
    // The board is part of the registration: its version rises with it, compared and set on the
    // version read, so that of two editors who read the same version only the first one writes.
    let expected = reg.version;
    let updated = RegistrationRow {
        version: reg.version + 1,
        updated_at: crate::clock::now_utc(),
        ..reg
    };
    let saved = updated.clone();
    state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                register::update_registration(conn, &saved, expected)?;
                register::replace_board(conn, &id, &stored)?;
                register::insert_event(conn, &history)?;
                audit_log::record(conn, &trail)
            })
        })
        .await?;
    represent(
        StatusCode::OK,
        &board_of(&updated, rows, !sees_personal_data(&principal)),
    )
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_board).service(replace_board);
}
