//! Turning audited changes into events of the changes feed ([`ormas_persistence::changes`]).
//!
//! [`sink`] is installed for every blocking call of [`crate::state::AppState::db`]. When the
//! outermost transaction of a call is about to commit, it gets the call's successful audit rows and
//! answers their events: the type ([`ormas_domain::changes::event_type`]), the resource's path, and
//! its representation *after* the change, read through the same transaction and built by the same
//! code as its `GET`, as an integrator would see it (board members' NIK masked, complainants'
//! identity hidden).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use ormas_domain::changes::{event_type, feed_resource};
use ormas_domain::registration::effective_state;
use ormas_persistence::audit::AuditRow;
use ormas_persistence::changes::{NewChange, Sink, actor_roles};
use ormas_persistence::{
    AnyConnection, PersistenceError, PersistenceResult, consultations, grants, oversight, permits,
    register, reports, sanctions,
};
use serde::Serialize;
use serde_json::Value;

use crate::config::Config;
use crate::error::ApiError;
use crate::routes::consultations::dto::Consultation;
use crate::routes::grants::dto::GrantProposal;
use crate::routes::ormas::documents::Document;
use crate::routes::ormas::dto::Ormas;
use crate::routes::oversight::dto::Complaint;
use crate::routes::permits::dto::AttributePermit;
use crate::routes::reports::dto::Report;
use crate::routes::sanctions::dto::Sanction;

/// The check the HTTP test suite runs with (`Config::require_events`): a successful write to the
/// register ([`ormas_domain::changes::changes_register`]) that did not move the feed is answered
/// 500 instead, naming the request, so that a write path that forgets its events fails the test
/// that takes it. (Concurrent writes can only hide a miss, never invent one.)
pub async fn require_events(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::ResponseError;
    let state = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .cloned();
    let checked = req.method() != actix_web::http::Method::GET
        && req.method() != actix_web::http::Method::HEAD
        && ormas_domain::changes::changes_register(req.path());
    let (Some(state), true) = (state.filter(|s| s.config.require_events), checked) else {
        return next
            .call(req)
            .await
            .map(actix_web::dev::ServiceResponse::map_into_boxed_body);
    };
    let what = format!("{} {}", req.method(), req.path());
    let before = state
        .db(ormas_persistence::changes::position)
        .await
        .map(|p| p.head);
    let response = next.call(req).await?.map_into_boxed_body();
    if !response.status().is_success() {
        return Ok(response);
    }
    let after = state
        .db(ormas_persistence::changes::position)
        .await
        .map(|p| p.head);
    match (before, after) {
        (Ok(before), Ok(after)) if after > before => Ok(response),
        _ => {
            log::error!("{what} changed the register but wrote no event to the changes feed");
            let error = ApiError::internal(format!("{what} wrote no event to the changes feed"));
            let (req, _) = response.into_parts();
            Ok(actix_web::dev::ServiceResponse::new(
                req,
                error.error_response(),
            ))
        }
    }
}

/// The sink of an application with this configuration.
pub fn sink(config: Arc<Config>) -> Sink {
    Arc::new(move |conn: &mut AnyConnection, rows: &[AuditRow]| events(conn, &config, rows))
}

fn events(
    conn: &mut AnyConnection,
    config: &Config,
    rows: &[AuditRow],
) -> PersistenceResult<Vec<NewChange>> {
    let today = config.today();
    let actors: Vec<String> = rows.iter().filter_map(|r| r.actor_id.clone()).collect();
    let roles = if actors.is_empty() {
        HashMap::new()
    } else {
        actor_roles(conn, &actors)?
    };
    let mut out = Vec::new();
    for row in rows {
        let (Some(target_type), Some(target_id)) = (&row.target_type, &row.target_id) else {
            continue;
        };
        let Some(kind) = event_type(target_type, &row.action) else {
            continue;
        };
        let Some(resource) = feed_resource(target_type) else {
            continue;
        };
        let board = kind == "board.replaced";
        let subject = if board {
            format!("{}{target_id}/board", resource.path)
        } else {
            format!("{}{target_id}", resource.path)
        };
        let data = if board {
            board_view(conn, target_id)?
        } else {
            represent(conn, config, today, target_type, target_id)?
        }
        .unwrap_or_else(|| serde_json::json!({ "id": target_id, "deleted": true }));
        out.push(NewChange {
            id: uuid::Uuid::now_v7().to_string(),
            event_type: kind.to_owned(),
            subject,
            region_code: row.region_code.clone(),
            occurred_at: row.occurred_at,
            actor_role: row.actor_id.as_ref().and_then(|id| roles.get(id).cloned()),
            data: data.to_string(),
        });
    }
    Ok(out)
}

fn json<T: Serialize>(view: Result<T, ApiError>) -> PersistenceResult<Option<Value>> {
    let view = view.map_err(|e| PersistenceError::Corrupt(format!("event representation: {e}")))?;
    serde_json::to_value(view)
        .map(Some)
        .map_err(|e| PersistenceError::Corrupt(format!("event representation: {e}")))
}

/// The resource `id` of `target_type` as its `GET` shows it to an integrator; `None` when it is
/// gone (a removed document).
fn represent(
    conn: &mut AnyConnection,
    config: &Config,
    today: NaiveDate,
    target_type: &str,
    id: &str,
) -> PersistenceResult<Option<Value>> {
    match target_type {
        "ormas" => {
            let Some((reg, org)) = register::find_registration(conn, id)? else {
                return Ok(None);
            };
            let ids = std::slice::from_ref(&reg.id);
            let (complete, missing) =
                crate::routes::ormas::completeness(conn, ids, &config.required_documents)?
                    .remove(&reg.id)
                    .unwrap_or_default();
            let current =
                effective_state(reg.state()?, reg.revision_due, reg.suspended_until, today);
            json(Ormas::build(&reg, &org, current, today, complete, missing))
        }
        "organisation" => {
            let Some(org) = register::find_organisation(conn, id)? else {
                return Ok(None);
            };
            let registrations = register::registrations_of_organisation(conn, id)?;
            json(crate::routes::ormas::organisations::record_for_feed(
                &org,
                &registrations,
            ))
        }
        "document" => Ok(register::find_document(conn, id)?
            .map(|(row, _)| serde_json::to_value(Document::from(row)))
            .transpose()
            .map_err(|e| PersistenceError::Corrupt(e.to_string()))?),
        "report" => match reports::find_report(conn, id)? {
            Some((row, _, org)) => json(Report::build(&row, &org, today)),
            None => Ok(None),
        },
        "sanction" => match sanctions::find_sanction(conn, id)? {
            Some((row, _, org)) => {
                let answers = sanctions::answers_of(conn, std::slice::from_ref(&row.id))?;
                json(Sanction::build(&row, &org, &answers, today))
            }
            None => Ok(None),
        },
        "case" => match crate::routes::oversight::cases::read_detail(conn, id)? {
            Some(detail) => json(crate::routes::oversight::cases::view(detail)),
            None => Ok(None),
        },
        "complaint" => match oversight::find_complaint(conn, id)? {
            Some((row, name)) => {
                let attachments = oversight::attachments_of(conn, &row.id)?;
                json(Complaint::build(row, name, false).map(|mut complaint| {
                    complaint.attachments = attachments.into_iter().map(Into::into).collect();
                    complaint
                }))
            }
            None => Ok(None),
        },
        "grant_proposal" => match grants::find_grant(conn, id)? {
            Some((row, _, org)) => json(GrantProposal::build(&row, &org, today)),
            None => Ok(None),
        },
        "attribute_permit" => match permits::find_permit(conn, id)? {
            Some((row, _, org)) => json(AttributePermit::build(&row, &org, today)),
            None => Ok(None),
        },
        "consultation" => match consultations::find_consultation(conn, id)? {
            Some((row, name)) => {
                let thread = consultations::thread_of(conn, &row.id)?;
                json(Consultation::build(
                    &row,
                    name,
                    &thread,
                    &config.consultations,
                    today,
                ))
            }
            None => Ok(None),
        },
        other => Err(PersistenceError::Corrupt(format!(
            "the changes feed has no representation of {other}"
        ))),
    }
}

/// The board of registration `id`, personal data masked, as `GET /v1/ormas/{id}/board` shows it
/// to an integrator.
fn board_view(conn: &mut AnyConnection, id: &str) -> PersistenceResult<Option<Value>> {
    let Some((reg, _)) = register::find_registration(conn, id)? else {
        return Ok(None);
    };
    let rows = register::list_board(conn, &reg.id)?;
    serde_json::to_value(crate::routes::ormas::board::board_of(&reg, rows, true))
        .map(Some)
        .map_err(|e| PersistenceError::Corrupt(e.to_string()))
}
