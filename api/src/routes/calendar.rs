//! The holiday calendar and working-day arithmetic.

use actix_web::{HttpResponse, get, post, web};
use chrono::{Datelike, FixedOffset, NaiveDate, Offset, Utc};
use ormas_domain::{Holiday as DomainHoliday, HolidayKind, add_working_days};
use ormas_persistence::reference::{self, HolidayRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::state::AppState;

/// The kind of day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// National holiday.
    LiburNasional,
    /// Joint leave day (cuti bersama), set by decree each year.
    CutiBersama,
}

impl From<HolidayKind> for Kind {
    fn from(kind: HolidayKind) -> Self {
        match kind {
            HolidayKind::LiburNasional => Kind::LiburNasional,
            HolidayKind::CutiBersama => Kind::CutiBersama,
        }
    }
}

/// A day off that is not a weekend.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"date": "2026-03-19", "kind": "libur_nasional", "name_id": "Hari Suci Nyepi", "name_en": "Day of Silence", "estimated": false}))]
pub struct Holiday {
    pub date: NaiveDate,
    pub kind: Kind,
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
            kind: h.kind.into(),
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
    #[validate(range(min = 1900, max = 2200))]
    #[param(minimum = 1900, maximum = 2200, example = 2026)]
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
    summary = "List holidays",
    description = "National holidays (libur nasional) and joint leave days (cuti bersama) of one \
year: the days, besides weekends, that working-day deadlines skip. Dates after 2027 are estimates \
until decreed. Public reference data: needs no authentication.",
    params(HolidayQuery),
    responses(
        (status = 200, description = "The year's holidays.", body = HolidayList),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = ormas_openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying."))),
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
    summary = "Compute a working-day deadline",
    description = "The date `working_days` working days after `from`, skipping Saturdays, Sundays, \
national holidays and cuti bersama, as the deadlines of UU 17/2013 count them (15 working days to \
verify a registration, 15 to complete it). Beyond the calendar's last year (2030) only weekends are \
skipped. Needs no authentication.",
    request_body(content = DueDateRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The deadline.", body = DueDate),
        (status = 400, description = "The body is not valid JSON.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over the size limit.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = ormas_openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying."))),
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
