//! Documents of a registration: PDF, JPEG or PNG (checked by their bytes), stored under the data
//! directory by SHA-256, written atomically (temporary file, then rename).

use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use futures_util::StreamExt;
use ormas_domain::Action;
use ormas_domain::reference_lists::{self, DOCUMENT_TYPES};
use ormas_domain::registration::RegistrationState;
use ormas_persistence::audit as audit_log;
use ormas_persistence::register::{self, DocumentRow, RegistrationRow};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{current_state, event, load_visible, require_editable, sees_personal_data, visible};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::routes::dto::utc;
use crate::routes::representation::{file_etag, none_match};
use crate::routes::{IfNoneMatch, Resource, represent, represent_get};
use crate::state::AppState;

/// A stored document's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct Document {
    pub id: String,
    pub ormas_id: String,
    /// A code from `GET /v1/reference/document_types`.
    #[serde(rename = "type")]
    pub doc_type: String,
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, from the file's bytes.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
}

impl Resource for Document {
    fn location(&self) -> String {
        format!("/v1/documents/{}", self.id)
    }

    /// A document never changes once stored (it is deleted and uploaded anew).
    fn version(&self) -> Option<i32> {
        None
    }
}

impl From<DocumentRow> for Document {
    fn from(row: DocumentRow) -> Self {
        Document {
            id: row.id,
            ormas_id: row.registration_id,
            doc_type: row.doc_type,
            filename: row.filename,
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            sha256: row.sha256,
            uploaded_at: utc(row.uploaded_at),
        }
    }
}

/// A registration's documents and what is still missing.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    pub items: Vec<Document>,
    /// Required document types not uploaded yet.
    pub missing: Vec<String>,
}

/// The multipart form of an upload (for the contract; the handler reads the stream).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// A code from `GET /v1/reference/document_types`.
    #[schema(min_length = 1, max_length = 50)]
    r#type: String,
    /// PDF, JPEG or PNG.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// What a file's first bytes say it is.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

fn documents_dir(state: &AppState) -> PathBuf {
    state.config.data_dir.join("documents")
}

/// Where a file with this hash lives.
pub fn stored_path(root: &Path, sha256: &str) -> PathBuf {
    root.join(&sha256[..2]).join(sha256)
}

fn safe_filename(name: &str) -> String {
    let cleaned: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    if cleaned.trim().is_empty() {
        "document".into()
    } else {
        cleaned
    }
}

/// A file streamed to a temporary file while hashed and measured.
struct Received {
    temp: PathBuf,
    sha256: String,
    size: u64,
    content_type: Option<&'static str>,
    filename: String,
}

async fn receive_file(
    field: &mut actix_multipart::Field,
    temp_dir: &Path,
    limit: u64,
) -> Result<Received, ApiError> {
    let filename = safe_filename(
        field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or("document"),
    );
    // File IO goes through tokio::fs (the blocking pool), never on the actix worker.
    let dir = temp_dir.to_path_buf();
    tokio::task::spawn_blocking(move || ormas_persistence::create_private_dir(&dir))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let temp = temp_dir.join(uuid::Uuid::now_v7().to_string());
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(&temp).await.map_err(ApiError::internal)?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut head: Vec<u8> = Vec::with_capacity(16);
    let outcome: Result<(), ApiError> = async {
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| ApiError::new(ErrorKind::BadRequest).with_cause(e))?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(
                    ApiError::new(ErrorKind::PayloadTooLarge).with_detail(Text::new(
                        format!("Dokumen melebihi batas {limit} bita."),
                        format!("The document exceeds the limit of {limit} bytes."),
                    )),
                );
            }
            if head.len() < 16 {
                head.extend_from_slice(&chunk[..chunk.len().min(16 - head.len())]);
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(ApiError::internal)?;
        }
        file.sync_all().await.map_err(ApiError::internal)
    }
    .await;
    drop(file);
    if let Err(error) = outcome {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(error);
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Received {
        temp,
        sha256,
        size,
        content_type: sniff(&head),
        filename,
    })
}

/// Moves the temporary file to its place (or drops it when identical content is stored already).
fn store(received: &Received, root: &Path) -> Result<(), ApiError> {
    let target = stored_path(root, &received.sha256);
    if target.exists() {
        let _ = std::fs::remove_file(&received.temp);
        return Ok(());
    }
    if let Some(dir) = target.parent() {
        ormas_persistence::create_private_dir(dir).map_err(ApiError::internal)?;
    }
    std::fs::rename(&received.temp, &target).map_err(ApiError::internal)
}

/// 415 unless the request is `multipart/form-data`; the message names the fields expected.
pub fn require_multipart(
    req: &HttpRequest,
    fields_id: &str,
    fields_en: &str,
) -> Result<(), ApiError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
    if is_multipart {
        Ok(())
    } else {
        Err(
            ApiError::new(ErrorKind::UnsupportedMediaType).with_detail(Text::new(
                format!("Gunakan multipart/form-data dengan isian {fields_id}."),
                format!("Use multipart/form-data with {fields_en}."),
            )),
        )
    }
}

/// 415: the bytes are no PDF, JPEG or PNG.
fn not_a_document() -> ApiError {
    ApiError::new(ErrorKind::UnsupportedMediaType).with_detail(Text::new(
        "Berkas harus PDF, JPEG, atau PNG (diperiksa dari isinya, bukan namanya).",
        "The file must be a PDF, JPEG or PNG (judged by its content, not its name).",
    ))
}

/// A file stored from an upload whose only field is `file`.
pub struct StoredFile {
    pub filename: String,
    pub content_type: &'static str,
    pub size: u64,
    pub sha256: String,
}

/// Receives the `file` of a `multipart/form-data` body (other fields are skipped), checks its bytes
/// (PDF, JPEG or PNG: 415 otherwise) and size (`ORMAS_DOCUMENT_LIMIT`: 413), and stores it under
/// `root` by its SHA-256, like documents.
pub async fn receive_only_file(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    root: PathBuf,
) -> Result<StoredFile, ApiError> {
    require_multipart(req, "file", "the field file")?;
    let mut form = Multipart::new(req.headers(), payload);
    let mut received: Option<Received> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| ApiError::new(ErrorKind::BadRequest).with_cause(e))?;
        if field.name() == Some("file") && received.is_none() {
            received = Some(
                receive_file(&mut field, &root.join("tmp"), state.config.document_limit).await?,
            );
        } else {
            while field.next().await.is_some() {}
        }
    }
    let Some(received) = received else {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "file",
            "required",
            Text::new("berkas wajib diunggah", "a file is required"),
        )]));
    };
    let Some(content_type) = received.content_type else {
        let _ = tokio::fs::remove_file(&received.temp).await;
        return Err(not_a_document());
    };
    let stored = StoredFile {
        filename: received.filename.clone(),
        content_type,
        size: received.size,
        sha256: received.sha256.clone(),
    };
    web::block(move || store(&received, &root)).await??;
    Ok(stored)
}

/// Answers a stored file (`sha256` its bytes' digest, stored at `path`) as an attachment with its
/// checked type and an `ETag`; 304 with no body, without reading the file, when `If-None-Match`
/// names that `ETag`.
pub async fn file_response(
    req: &HttpRequest,
    path: PathBuf,
    sha256: &str,
    content_type: &str,
    filename: &str,
) -> Result<HttpResponse, ApiError> {
    let tag = file_etag(sha256, content_type, filename);
    if !none_match(req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    let bytes = web::block(move || std::fs::read(path))
        .await?
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"",
                filename.replace(|c: char| !c.is_ascii() || c == '"', "_")
            ),
        ))
        .body(bytes))
}

fn missing_type() -> ApiError {
    ApiError::validation(vec![FieldIssue::new(
        "type",
        "required",
        Text::new("jenis dokumen wajib diisi", "the document type is required"),
    )])
}

/// Upload a document.
#[utoipa::path(
    tag = "ormas",
    operation_id = "uploadDocument",
    summary = "Upload a document",
    description = "`multipart/form-data` with `type` (a document type) and `file`. PDF, JPEG and PNG \
only, recognised by their bytes, not their names (anything else: 415); at most 10 MB by default \
(`ORMAS_DOCUMENT_LIMIT`; 413 above). Only while the registration is a draft or returned, except \
`report_attachment` (also once registered) and `visit_photo` (photos of a field visit, in any \
state). Roles: `ormas_rep` (its own), `officer` (within its region); `visit_photo` also \
`oversight`, and only staff who record visits.",
    params(("id" = String, Path, description = "The registration's id.")),
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The stored document.", body = Document,
            headers(("ETag" = String, description = "A digest of this representation (a document never changes once stored)."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The form cannot be read.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not edit registrations.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registration is no longer a draft or returned.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is over the size limit.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or the file is not a PDF, JPEG or PNG.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The type is missing or unknown, or no file was sent.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/ormas/{id}/documents")]
pub async fn upload_document(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // Staff who record field visits upload their photos (`visit_photo`) in any state; everything
    // else needs the right to edit the registration.
    let may_edit = ormas_domain::allows(principal.role, Action::EditRegistration);
    let may_visit = ormas_domain::allows(principal.role, Action::RecordVisit);
    if !may_edit && !may_visit {
        principal.require(Action::EditRegistration)?;
    }
    let (reg, _) = load_visible(&state, &principal, path.into_inner()).await?;
    let current = current_state(&state, &reg)?;
    // A registered ormas still uploads the attachments of its reports; the registration's own
    // documents only while it is a draft or returned.
    let registered = current == RegistrationState::Registered;
    if !registered && !may_visit {
        require_editable(current)?;
    }
    require_multipart(&req, "type dan file", "the fields type and file")?;
    let mut form = Multipart::new(req.headers(), payload);
    let root = documents_dir(&state);
    let limit = state.config.document_limit;
    let mut doc_type: Option<String> = None;
    let mut received: Option<Received> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| ApiError::new(ErrorKind::BadRequest).with_cause(e))?;
        match field.name() {
            Some("type") => {
                let mut text = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk =
                        chunk.map_err(|e| ApiError::new(ErrorKind::BadRequest).with_cause(e))?;
                    if text.len() + chunk.len() > 100 {
                        return Err(ApiError::validation(vec![FieldIssue::new(
                            "type",
                            "length",
                            Text::new("terlalu panjang", "is too long"),
                        )]));
                    }
                    text.extend_from_slice(&chunk);
                }
                doc_type = Some(String::from_utf8_lossy(&text).trim().to_owned());
            }
            Some("file") if received.is_none() => {
                received = Some(receive_file(&mut field, &root.join("tmp"), limit).await?);
            }
            _ => while field.next().await.is_some() {},
        }
    }
    let discard = |r: &Option<Received>| {
        if let Some(r) = r {
            let temp = r.temp.clone();
            // Fire and forget, on the blocking pool.
            actix_web::rt::spawn(async move {
                let _ = tokio::fs::remove_file(temp).await;
            });
        }
    };
    let doc_type = match doc_type.filter(|t| !t.is_empty()) {
        Some(t) if reference_lists::find(DOCUMENT_TYPES, &t).is_some() => t,
        Some(_) => {
            discard(&received);
            return Err(ApiError::validation(vec![FieldIssue::new(
                "type",
                "unknown_document_type",
                Text::new("jenis dokumen tidak dikenal", "is not a document type"),
            )]));
        }
        None => {
            discard(&received);
            return Err(missing_type());
        }
    };
    if doc_type == reference_lists::VISIT_PHOTO {
        if !may_visit {
            discard(&received);
            principal.require(Action::RecordVisit)?;
        }
    } else {
        if !may_edit {
            discard(&received);
            principal.require(Action::EditRegistration)?;
        }
        // So do the documents of its grant proposals.
        let service_document = doc_type == reference_lists::REPORT_ATTACHMENT
            || ormas_domain::grants::is_grant_document(&doc_type);
        if !(registered && service_document)
            && let Err(refused) = require_editable(current)
        {
            discard(&received);
            return Err(refused);
        }
    }
    let Some(received) = received else {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "file",
            "required",
            Text::new("berkas wajib diunggah", "a file is required"),
        )]));
    };
    let Some(content_type) = received.content_type else {
        discard(&Some(received));
        return Err(not_a_document());
    };
    let row = DocumentRow {
        id: uuid::Uuid::now_v7().to_string(),
        registration_id: reg.id.clone(),
        doc_type,
        filename: received.filename.clone(),
        content_type: content_type.to_owned(),
        size_bytes: received.size as i64,
        sha256: received.sha256.clone(),
        uploaded_by: Some(principal.id.clone()),
        uploaded_at: now_utc(),
    };
    // The file is in place before its row exists: a crash leaves at worst an unreferenced file,
    // never a row pointing at a half-written one.
    web::block({
        let root = root.clone();
        move || store(&received, &root)
    })
    .await??;
    let mut history = event(&principal, &reg.id, "document_add");
    history.notes =
        Some(serde_json::json!({ "document": row.id, "type": row.doc_type }).to_string());
    let trail = audit::on(
        audit::event(Some(&principal), "document.add", Outcome::Success),
        "document",
        &row.id,
        Some(&reg.region_code),
    );
    let stored = row.clone();
    state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                register::insert_document(conn, &stored)?;
                register::insert_event(conn, &history)?;
                audit_log::record(conn, &trail)
            })
        })
        .await?;
    represent(StatusCode::CREATED, &Document::from(row))
}

/// List a registration's documents.
#[utoipa::path(
    tag = "ormas",
    operation_id = "listDocuments",
    summary = "List documents",
    description = "The uploaded documents and the required types still missing. Roles: staff within \
their region; a representative, its own ormas (documents carry personal data: not integrators).",
    params(("id" = String, Path, description = "The registration's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The documents.", body = DocumentList),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read documents.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas/{id}/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadPersonalData)?;
    let (reg, _) = load_visible(&state, &principal, path.into_inner()).await?;
    let rows = state
        .db(move |conn| register::list_documents(conn, &reg.id))
        .await?;
    let present: Vec<String> = rows.iter().map(|r| r.doc_type.clone()).collect();
    let missing = reference_lists::missing_documents(&state.config.required_documents, &present);
    Ok(HttpResponse::Ok().json(DocumentList {
        items: rows.into_iter().map(Document::from).collect(),
        missing,
    }))
}

/// Loads a document whose registration the caller may see, with personal data rights.
async fn visible_document(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<(DocumentRow, RegistrationRow), ApiError> {
    principal.require(Action::ReadRegistrations)?;
    let lookup = id.clone();
    let found = state
        .db(move |conn| register::find_document(conn, &lookup))
        .await?;
    let found = found
        .filter(|(_, reg)| visible(principal, &reg.id, &reg.region_code))
        .ok_or_else(|| {
            ApiError::not_found(Text::new(
                format!("Dokumen {id} tidak ditemukan."),
                format!("No document {id}."),
            ))
        })?;
    if !sees_personal_data(principal) {
        return Err(ApiError::forbidden(Text::new(
            "Dokumen memuat data pribadi; peran Anda tidak dapat membacanya.",
            "Documents carry personal data; your role cannot read them.",
        )));
    }
    Ok(found)
}

/// Get a document's metadata.
#[utoipa::path(
    tag = "ormas",
    operation_id = "getDocument",
    summary = "Get a document's metadata",
    description = "Roles: staff within their region; a representative, its own ormas.",
    params(("id" = String, Path, description = "The document's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The document.", body = Document, headers(("ETag" = String, description = "A digest of this representation (a document never changes once stored)."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read documents.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/documents/{id}")]
pub async fn get_document(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (row, _) = visible_document(&state, &principal, path.into_inner()).await?;
    represent_get(&req, &Document::from(row))
}

/// Download a document.
#[utoipa::path(
    tag = "ormas",
    operation_id = "getDocumentContent",
    summary = "Download a document",
    description = "The file itself, with its content type. Roles: staff within their region; a \
representative, its own ormas.",
    params(("id" = String, Path, description = "The document's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The file, as an attachment with its checked type.", content(
            (ormas_openapi::File = "application/pdf"), (ormas_openapi::File = "image/jpeg"),
            (ormas_openapi::File = "image/png")),
            headers(("ETag" = String, description = "A digest of the file, its type and its name."))),
        (status = 304, response = ormas_openapi::responses::FileNotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read documents.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/documents/{id}/content")]
pub async fn get_document_content(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (row, _) = visible_document(&state, &principal, path.into_inner()).await?;
    let file = stored_path(&documents_dir(&state), &row.sha256);
    file_response(&req, file, &row.sha256, &row.content_type, &row.filename).await
}

/// Delete a document.
#[utoipa::path(
    tag = "ormas",
    operation_id = "deleteDocument",
    summary = "Delete a document",
    description = "Only while the registration is a draft or returned. Roles: `ormas_rep` (its own), \
`officer` (within its region).",
    params(("id" = String, Path, description = "The document's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not edit registrations.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registration is no longer a draft or returned.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[delete("/v1/documents/{id}")]
pub async fn delete_document(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (row, reg) = visible_document(&state, &principal, path.into_inner()).await?;
    principal.require(Action::EditRegistration)?;
    require_editable(current_state(&state, &reg)?)?;
    let mut history = event(&principal, &reg.id, "document_delete");
    history.notes =
        Some(serde_json::json!({ "document": row.id, "type": row.doc_type }).to_string());
    let trail = audit::on(
        audit::event(Some(&principal), "document.delete", Outcome::Success),
        "document",
        &row.id,
        Some(&reg.region_code),
    );
    let (id, sha) = (row.id.clone(), row.sha256.clone());
    let unreferenced = state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                register::delete_document(conn, &id)?;
                register::insert_event(conn, &history)?;
                audit_log::record(conn, &trail)?;
                Ok(register::documents_with_hash(conn, &sha)? == 0)
            })
        })
        .await?;
    if unreferenced {
        let file = stored_path(&documents_dir(&state), &row.sha256);
        let _ = web::block(move || std::fs::remove_file(file)).await;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload_document)
        .service(list_documents)
        .service(get_document)
        .service(get_document_content)
        .service(delete_document);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some("image/png")
        );
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"hello, I am a .pdf"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn filenames_are_cleaned() {
        assert_eq!(safe_filename("../../etc/passwd"), "passwd");
        assert_eq!(safe_filename("C:\\x\\akta.pdf"), "akta.pdf");
        assert_eq!(safe_filename("a\"b.pdf"), "ab.pdf");
        assert_eq!(safe_filename(""), "document");
    }
}
