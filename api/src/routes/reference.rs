//! Coded reference lists with Indonesian and English labels.

use actix_web::{HttpRequest, HttpResponse, get, web};
use ormas_domain::reference_lists::{self, Label};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, Text};
use crate::routes::IfNoneMatch;
use crate::routes::representation::represent_view_get;

/// A code with its labels.
#[derive(Debug, Serialize, ToSchema)]
pub struct Code {
    #[schema(example = "lingkungan_hidup")]
    pub code: String,
    /// Indonesian label.
    pub label_id: String,
    /// English label.
    pub label_en: String,
}

/// One reference list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeList {
    pub list: String,
    pub items: Vec<Code>,
}

fn codes(list: &[Label]) -> Vec<Code> {
    list.iter()
        .map(|l| Code {
            code: l.code.into(),
            label_id: l.id.into(),
            label_en: l.en.into(),
        })
        .collect()
}

/// Get a reference list.
#[utoipa::path(
    tag = "reference",
    operation_id = "getReferenceList",
    summary = "Get a reference list",
    description = "`fields` (bidang), `special_characters` (ciri khusus), `document_types`, \
`board_positions`, `kinds`, `states`, and for oversight `complaint_categories`, \
`complaint_sources`, `complaint_states`, `agencies`, `case_states`, `case_outcomes`, and for the \
services `consultation_topics`. Needs no authentication.",
    params(("list" = String, Path, description = "The list's name.", pattern = "^(fields|special_characters|document_types|board_positions|kinds|states|complaint_categories|complaint_sources|complaint_states|agencies|case_states|case_outcomes|consultation_topics)$"), IfNoneMatch),
    security(()),
    responses(
        (status = 200, description = "The list.", body = CodeList, headers(("ETag" = String, description = "A digest of this representation."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 404, description = "No such list.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/reference/{list}")]
pub async fn get_list(path: web::Path<String>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner();
    let (kinds, states) = (
        reference_lists::kind_labels(),
        reference_lists::state_labels(),
    );
    use ormas_domain::oversight::{
        Agency, CaseOutcome, CaseState, ComplaintCategory, ComplaintSource, ComplaintState,
    };
    let oversight = match name.as_str() {
        "complaint_categories" => Some(ComplaintCategory::labels()),
        "complaint_sources" => Some(ComplaintSource::labels()),
        "complaint_states" => Some(ComplaintState::labels()),
        "agencies" => Some(Agency::labels()),
        "case_states" => Some(CaseState::labels()),
        "case_outcomes" => Some(CaseOutcome::labels()),
        "consultation_topics" => Some(
            ormas_domain::consultations::ConsultationTopic::ALL
                .iter()
                .map(|t| t.label())
                .collect(),
        ),
        _ => None,
    };
    let list = match name.as_str() {
        _ if oversight.is_some() => oversight.as_deref().unwrap_or_default(),
        "fields" => reference_lists::FIELDS,
        "special_characters" => reference_lists::SPECIAL_CHARACTERS,
        "document_types" => reference_lists::DOCUMENT_TYPES,
        "board_positions" => reference_lists::BOARD_POSITIONS,
        "kinds" => &kinds,
        "states" => &states,
        _ => {
            return Err(ApiError::not_found(Text::new(
                format!("Daftar {name} tidak ada."),
                format!("There is no list {name}."),
            )));
        }
    };
    represent_view_get(
        &req,
        format!("/v1/reference/{name}"),
        &CodeList {
            items: codes(list),
            list: name,
        },
    )
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_list);
}
