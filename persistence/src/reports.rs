//! Repositories for semester reports and their receipt (STTL) sequences.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::reports;

/// A report as stored. `content` is JSON (activities, finances, changes, signatories).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = reports, treat_none_as_null = true)]
pub struct ReportRow {
    pub id: String,
    pub registration_id: String,
    pub region_code: String,
    pub period: String,
    pub due_on: NaiveDate,
    pub state: String,
    pub content: String,
    pub first_submitted_on: Option<NaiveDate>,
    pub submitted_on: Option<NaiveDate>,
    pub late: bool,
    pub accepted_on: Option<NaiveDate>,
    pub accepted_by: Option<String>,
    pub receipt_number: Option<String>,
    pub return_reason: Option<String>,
    pub created_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
