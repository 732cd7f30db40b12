//! Institutional consultation (*konsultasi kelembagaan*): question-and-answer threads between an
//! ormas (its representative), or a person forming one, and the office, with the first answer's
//! service level. Consultations are never refused for sanctions: a sanctioned ormas may need to
//! consult about exactly that. A representative acts only for its own ormas (or, unbound, for the
//! threads it opened itself).

pub mod crud;
pub mod dto;
pub mod stats;
pub mod steps;

use std::path::PathBuf;

use base64::Engine;
use chrono::NaiveDateTime;
use ormas_domain::Role;
use ormas_persistence::consultations::{
    self, ConsultationAttachmentRow, ConsultationEventRow, ConsultationRow, ConsultationWithOrmas,
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Principal;
use crate::error::{ApiError, FieldIssue, Text};
use crate::routes::ormas::documents::{sniff, stored_path};
use crate::state::AppState;
use dto::NewAttachment;

pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Konsultasi {id} tidak ditemukan."),
        format!("No consultation {id}."),
    ))
}

/// Whether the caller sees a thread: staff within their region; a representative bound to an
/// ormas, that ormas's threads; an unbound representative, the threads it opened without one.
pub fn visible(principal: &Principal, row: &ConsultationRow) -> bool {
    match principal.role {
        Role::OrmasRep => match &row.registration_id {
            Some(registration) => principal.ormas_id.as_deref() == Some(registration.as_str()),
            None => principal.ormas_id.is_none() && row.asker_id == principal.id,
        },
        _ => principal.covers(Some(&row.region_code)),
    }
}

/// Loads a thread the caller may see (404 otherwise: its existence is not leaked).
pub async fn load_visible(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<ConsultationWithOrmas, ApiError> {
    principal.require(ormas_domain::Action::ReadConsultations)?;
    let lookup = id.clone();
    let found = state
        .db(move |conn| consultations::find_consultation(conn, &lookup))
        .await?;
    found
        .filter(|(row, _)| visible(principal, row))
        .ok_or_else(|| not_found(&id))
}

/// An event row of a thread by the caller.
pub fn event_row(
    principal: &Principal,
    consultation_id: &str,
    action: &str,
    detail: Option<String>,
    at: NaiveDateTime,
) -> ConsultationEventRow {
    ConsultationEventRow {
        id: uuid::Uuid::now_v7().to_string(),
        consultation_id: consultation_id.to_owned(),
        occurred_at: at,
        actor_id: Some(principal.id.clone()),
        actor_name: Some(principal.name.clone()),
        action: action.to_owned(),
        detail,
    }
}

fn attachment_issue(i: usize, code: &str, id: &str, en: &str) -> FieldIssue {
    FieldIssue::new(
        format!("attachments[{i}].content_base64"),
        code,
        Text::new(id, en),
    )
}

/// A decoded, checked attachment waiting to be stored.
pub struct Checked {
    pub filename: String,
    pub content_type: &'static str,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// Decodes and checks the attachments with the document store's rules: PDF, JPEG or PNG judged
/// by their bytes, at most `ORMAS_DOCUMENT_LIMIT` each. Every problem is a field issue.
pub fn check_attachments(
    attachments: &[NewAttachment],
    limit: u64,
) -> Result<Vec<Checked>, ApiError> {
    use sha2::{Digest, Sha256};
    let mut issues = Vec::new();
    let mut checked = Vec::new();
    for (i, attachment) in attachments.iter().enumerate() {
        let Ok(bytes) =
            base64::engine::general_purpose::STANDARD.decode(attachment.content_base64.trim())
        else {
            issues.push(attachment_issue(
                i,
                "invalid_base64",
                "bukan base64 yang sah",
                "is not valid base64",
            ));
            continue;
        };
        if bytes.len() as u64 > limit {
            issues.push(attachment_issue(
                i,
                "too_large",
                &format!("berkas melebihi batas {limit} bita"),
                &format!("the file exceeds the limit of {limit} bytes"),
            ));
            continue;
        }
        let Some(content_type) = sniff(&bytes) else {
            issues.push(attachment_issue(
                i,
                "unsupported_file_type",
                "berkas harus PDF, JPEG, atau PNG (diperiksa dari isinya)",
                "the file must be a PDF, JPEG or PNG (judged by its content)",
            ));
            continue;
        };
        let sha256 = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        checked.push(Checked {
            filename: attachment.filename.trim().replace(['/', '\\', '"'], "_"),
            content_type,
            sha256,
            bytes,
        });
    }
    if issues.is_empty() {
        Ok(checked)
    } else {
        Err(ApiError::validation(issues))
    }
}

/// Where the document store keeps files.
pub fn documents_root(state: &AppState) -> PathBuf {
    state.config.data_dir.join("documents")
}

/// Writes the checked files into the document store (by SHA-256, a temporary file renamed into
/// place; identical content is stored once) and returns their rows for `message_id`. The files are
/// written before the thread's transaction: an orphan is harmless content-addressed data.
pub async fn store_attachments(
    state: &AppState,
    checked: Vec<Checked>,
    consultation_id: &str,
    message_id: &str,
    at: NaiveDateTime,
) -> Result<Vec<ConsultationAttachmentRow>, ApiError> {
    let rows: Vec<ConsultationAttachmentRow> = checked
        .iter()
        .map(|c| ConsultationAttachmentRow {
            id: uuid::Uuid::now_v7().to_string(),
            consultation_id: consultation_id.to_owned(),
            message_id: message_id.to_owned(),
            filename: c.filename.clone(),
            content_type: c.content_type.to_owned(),
            size_bytes: c.bytes.len() as i64,
            sha256: c.sha256.clone(),
            created_at: at,
        })
        .collect();
    if checked.is_empty() {
        return Ok(rows);
    }
    let root = documents_root(state);
    actix_web::web::block(move || -> std::io::Result<()> {
        for file in checked {
            let target = stored_path(&root, &file.sha256);
            if target.exists() {
                continue;
            }
            if let Some(dir) = target.parent() {
                ormas_persistence::create_private_dir(dir)?;
            }
            let temp = target.with_extension(format!("tmp-{}", uuid::Uuid::now_v7().simple()));
            std::fs::write(&temp, &file.bytes)?;
            std::fs::rename(&temp, &target)?;
        }
        Ok(())
    })
    .await?
    .map_err(ApiError::internal)?;
    Ok(rows)
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(crud::list_consultations)
        .service(crud::open_consultation)
        .service(crud::get_consultation)
        .service(steps::post_message)
        .service(steps::close_consultation)
        .service(steps::assign_consultation)
        .service(crud::get_attachment_content);
}
