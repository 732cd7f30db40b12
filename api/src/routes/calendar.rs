//! The holiday calendar and working-day arithmetic.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{Datelike, FixedOffset, NaiveDate, Offset, Utc};
use ormas_domain::{Holiday as DomainHoliday, HolidayKind, add_working_days};
use ormas_persistence::reference::{self, HolidayRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::state::AppState;
use ormas_domain::Action;
use ormas_persistence::audit as audit_log;
use utoipa_actix_web::service_config::ServiceConfig;

/// A day off that is not a weekend.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"date": "2026-03-19", "kind": "libur_nasional", "name_id": "Hari Suci Nyepi", "name_en": "Day of Silence", "estimated": false}))]
pub struct Holiday {
    pub date: NaiveDate,
    pub kind: HolidayKind,
    /// Name in Indonesian.
    pub name_id: String,
    /// Name in English.
    pub name_en: String,
    /// The date is an estimate until the year's joint ministerial decree fixes it.
    pub estimated: bool,
}

impl From<DomainHoliday> for Holiday {
    fn from(h: DomainHoliday) -> Self {
        Holiday {
            estimated: h.is_estimated(),
            date: h.date,
            kind: h.kind,
            name_id: h.name_id,
            name_en: h.name_en,
        }
    }
}

/// The holidays of one year.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayList {
    pub year: i32,
    /// In date order.
    pub items: Vec<Holiday>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HolidayQuery {
    /// The calendar year (default: the current year in Western Indonesia Time).
    #[validate(range(min = 0, max = 9999))]
    #[param(minimum = 0, maximum = 9999, example = 2026)]
    pub year: Option<i32>,
}

fn rows_to_holidays(rows: Vec<HolidayRow>) -> Result<Vec<Holiday>, ApiError> {
    rows.into_iter()
        .map(|row| row.into_domain().map(Holiday::from).map_err(ApiError::from))
        .collect()
}

/// Today in Western Indonesia Time (UTC+7), where the calendar's offices mostly are.
fn today_in_indonesia() -> NaiveDate {
    let wib = FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix());
    Utc::now().with_timezone(&wib).date_naive()
}

/// List the holidays of a year.
#[utoipa::path(
    tag = "reference",
    operation_id = "listHolidays",
    security(()),
    summary = "List holidays",
    description = "National holidays (libur nasional) and joint leave days (cuti bersama) of one \
year: the days, besides weekends, that working-day deadlines skip. Dates after 2027 are estimates \
until decreed. Public reference data: needs no authentication.",
    params(HolidayQuery),
    responses(
        (status = 200, description = "The year's holidays.", body = HolidayList),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/calendar/holidays")]
pub async fn list_holidays(
    state: web::Data<AppState>,
    query: ValidQuery<HolidayQuery>,
) -> Result<HttpResponse, ApiError> {
    let year = query.0.year.unwrap_or_else(|| today_in_indonesia().year());
    let (from, until) = match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(from), Some(until)) => (from, until),
        _ => return Err(ApiError::internal(format!("year {year} out of range"))),
    };
    let rows = state
        .db(move |conn| reference::holidays_between(conn, from, until))
        .await?;
    Ok(HttpResponse::Ok().json(HolidayList {
        year,
        items: rows_to_holidays(rows)?,
    }))
}

/// A deadline to compute.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from": "2026-03-16", "working_days": 15}))]
pub struct DueDateRequest {
    /// The day the period starts after (e.g. the day an application was received); not counted.
    pub from: NaiveDate,
    /// How many working days the period lasts, 0 to 1000.
    #[serde(deserialize_with = "crate::routes::dto::integral_i32")]
    #[validate(range(min = 0, max = 1000))]
    #[schema(minimum = 0, maximum = 1000)]
    pub working_days: i32,
}

/// A computed deadline.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "from": "2026-03-16", "working_days": 15, "due_on": "2026-04-14",
    "holidays_skipped": [{"date": "2026-03-19", "kind": "libur_nasional", "name_id": "Hari Suci Nyepi", "name_en": "Day of Silence", "estimated": false}]
}))]
pub struct DueDate {
    pub from: NaiveDate,
    pub working_days: i32,
    /// The last day of the period: the `working_days`-th working day after `from`.
    pub due_on: NaiveDate,
    /// The holidays on weekdays between `from` and `due_on` that pushed the date out.
    pub holidays_skipped: Vec<Holiday>,
}

/// Compute a working-day deadline.
#[utoipa::path(
    tag = "reference",
    operation_id = "computeDueDate",
    security(()),
    summary = "Compute a working-day deadline",
    description = "The date `working_days` working days after `from`, skipping Saturdays, Sundays, \
national holidays and cuti bersama, as the deadlines of UU 17/2013 count them (15 working days to \
verify a registration, 15 to complete it). Beyond the calendar's last year (2030) only weekends are \
skipped. Needs no authentication.",
    request_body(content = DueDateRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The deadline.", body = DueDate),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/calendar/due-date")]
pub async fn due_date(
    state: web::Data<AppState>,
    body: ValidJson<DueDateRequest>,
) -> Result<HttpResponse, ApiError> {
    let DueDateRequest { from, working_days } = body.0;
    let (due_on, skipped) = state
        .db(move |conn| {
            let calendar = reference::holiday_calendar_from(conn, from)?;
            let due_on = add_working_days(from, working_days, &calendar).ok();
            let skipped = match due_on {
                Some(due_on) => reference::holidays_between(conn, from, due_on)?,
                None => Vec::new(),
            };
            Ok((due_on, skipped))
        })
        .await?;
    let due_on = due_on.ok_or_else(|| {
        ApiError::validation(vec![FieldIssue::new(
            "from",
            "range",
            Text::new(
                "tenggat jatuh di luar rentang tanggal yang didukung",
                "the deadline falls outside the supported date range",
            ),
        )])
    })?;
    let holidays_skipped = rows_to_holidays(skipped)?
        .into_iter()
        .filter(|h| h.date > from && !ormas_domain::HolidayCalendar::is_weekend(h.date))
        .collect();
    Ok(HttpResponse::Ok().json(DueDate {
        from,
        working_days,
        due_on,
        holidays_skipped,
    }))
}

/// A day off to add.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-12-31", "kind": "cuti_bersama", "name_id": "Cuti Bersama Tahun Baru", "name_en": "New Year Joint Holiday"}))]
pub struct NewHoliday {
    pub date: NaiveDate,
    pub kind: HolidayKind,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name_id: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name_en: String,
}

/// Add a holiday.
#[utoipa::path(
    tag = "reference",
    operation_id = "addHoliday",
    summary = "Add a holiday",
    description = "Adds a national holiday or cuti bersama (set each year by joint ministerial \
decree). Working-day deadlines computed afterwards skip it, in every region: the calendar is \
national, so only the national `super_admin` edits it (a regional admin answers 403). Roles: \
`super_admin`.",
    request_body(content = NewHoliday, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The holiday.", body = Holiday,
            headers(("Location" = String, description = "The holiday's year list."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not edit the calendar (checked before the body).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The date already has a holiday.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/calendar/holidays")]
pub async fn add_holiday(
    state: web::Data<AppState>,
    principal: Principal,
    body: Result<ValidJson<NewHoliday>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    // The role first: someone who may not edit the calendar hears 403, whatever the body.
    principal.require(Action::EditCalendar)?;
    let request = body?.0;
    let holiday = DomainHoliday {
        date: request.date,
        kind: request.kind,
        name_id: request.name_id,
        name_en: request.name_en,
    };
    let row = HolidayRow::from_domain(&holiday);
    let event = audit::detail(
        audit::on(
            audit::event(Some(&principal), "calendar.holiday.add", Outcome::Success),
            "holiday",
            &holiday.date.to_string(),
            None,
        ),
        format!("{} {}", holiday.kind, holiday.name_en),
    );
    state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                reference::insert_holiday(conn, &row)?;
                audit_log::record(conn, &event)
            })
        })
        .await
        .map_err(|e| {
            if e.kind == ErrorKind::Conflict {
                ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
                    "Tanggal itu sudah tercatat sebagai hari libur.",
                    "That date already has a holiday.",
                ))
            } else {
                e
            }
        })?;
    let location = format!("/v1/calendar/holidays?year={}", holiday.date.year());
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(Holiday::from(holiday)))
}

/// Remove a holiday.
#[utoipa::path(
    tag = "reference",
    operation_id = "deleteHoliday",
    summary = "Remove a holiday",
    description = "Removes the holiday on a date (for a cuti bersama that was moved or cancelled). \
The calendar is national: only the `super_admin` edits it. Roles: `super_admin`.",
    params(("date" = NaiveDate, Path, description = "The holiday's date, `YYYY-MM-DD`.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 204, description = "Removed."),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not edit the calendar.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No holiday on that date.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[delete("/v1/calendar/holidays/{date}")]
pub async fn delete_holiday(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::EditCalendar)?;
    let text = path.into_inner();
    let not_found = || {
        ApiError::not_found(Text::new(
            format!("Tidak ada hari libur pada {text}."),
            format!("No holiday on {text}."),
        ))
    };
    let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| not_found())?;
    let event = audit::on(
        audit::event(
            Some(&principal),
            "calendar.holiday.delete",
            Outcome::Success,
        ),
        "holiday",
        &date.to_string(),
        None,
    );
    let deleted = state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                let deleted = reference::delete_holiday(conn, date)?;
                if deleted {
                    audit_log::record(conn, &event)?;
                }
                Ok(deleted)
            })
        })
        .await?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(not_found())
    }
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_holidays)
        .service(add_holiday)
        .service(delete_holiday)
        .service(due_date);
}
