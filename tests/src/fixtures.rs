//! Fixtures written straight into the test database (no HTTP), for scenarios with hundreds of
//! ormas: `OrmasFixture::registered("64.71").reported("2026-S1", "2026-08-10").insert(&app)`.
//! Everything else goes through the API.

use chrono::{NaiveDate, NaiveDateTime};
use ormas_domain::ReportingPolicy;
use ormas_domain::reporting::Period;
use ormas_persistence::register::{self, OrganisationRow, RegistrationRow};
use ormas_persistence::reports::{self, ReportRow};

use crate::TestApp;

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(0, 0, 0).expect("midnight")
}

/// A report of a fixture: submitted (and maybe accepted) on the given days.
#[derive(Debug, Clone)]
pub struct ReportFixture {
    pub period: String,
    pub submitted_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
}

/// One ormas with its registration and reports.
#[derive(Debug, Clone)]
pub struct OrmasFixture {
    pub name: String,
    pub kind: String,
    pub region: String,
    pub district: Option<String>,
    pub state: String,
    pub registration_date: Option<NaiveDate>,
    pub skt_expires_on: Option<NaiveDate>,
    pub board_term_ends_on: Option<NaiveDate>,
    pub fields: Vec<String>,
    pub reports: Vec<ReportFixture>,
    /// A registration number (`{i}/SKM/{region}/FIXTURE`, `i` its index in the insert), as the
    /// public register needs.
    pub numbered: bool,
}

impl OrmasFixture {
    /// A perkumpulan registered in `region` on 2020-03-02, board in office until 2030.
    pub fn registered(region: &str) -> OrmasFixture {
        OrmasFixture {
            name: format!("Perkumpulan Uji {region}"),
            kind: "perkumpulan".into(),
            region: region.into(),
            district: None,
            state: "registered".into(),
            registration_date: Some(day("2020-03-02")),
            skt_expires_on: None,
            board_term_ends_on: Some(day("2030-12-31")),
            fields: vec!["sosial".into()],
            reports: Vec::new(),
            numbered: false,
        }
    }

    pub fn in_state(mut self, state: &str) -> Self {
        self.state = state.into();
        if state != "registered" && state != "dissolved" {
            self.registration_date = None;
        }
        self
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    pub fn district(mut self, code: &str) -> Self {
        self.district = Some(code.into());
        self
    }

    /// Without legal personality, with an SKT valid until `expires`.
    pub fn skt_until(mut self, expires: &str) -> Self {
        self.kind = "tidak_berbadan_hukum".into();
        self.skt_expires_on = Some(day(expires));
        self
    }

    pub fn board_until(mut self, ends: &str) -> Self {
        self.board_term_ends_on = Some(day(ends));
        self
    }

    pub fn registered_on(mut self, date: &str) -> Self {
        self.registration_date = Some(day(date));
        self
    }

    /// A report for `period`, submitted and accepted on `accepted_on`.
    pub fn reported(mut self, period: &str, accepted_on: &str) -> Self {
        self.reports.push(ReportFixture {
            period: period.into(),
            submitted_on: Some(day(accepted_on)),
            accepted_on: Some(day(accepted_on)),
        });
        self
    }

    /// A report for `period` submitted on `submitted_on`, not (yet) accepted.
    pub fn submitted(mut self, period: &str, submitted_on: &str) -> Self {
        self.reports.push(ReportFixture {
            period: period.into(),
            submitted_on: Some(day(submitted_on)),
            accepted_on: None,
        });
        self
    }

    /// With a registration number, as registered ormas have (the public register shows only those).
    pub fn numbered(mut self) -> Self {
        self.numbered = true;
        self
    }

    /// Writes the ormas and returns its registration id.
    pub async fn insert(self, app: &TestApp) -> String {
        insert_all(app, vec![self]).await.remove(0)
    }
}

/// Writes many fixtures in one transaction; returns their registration ids in order.
pub async fn insert_all(app: &TestApp, fixtures: Vec<OrmasFixture>) -> Vec<String> {
    let target = app.database.target();
    tokio::task::spawn_blocking(move || {
        let mut conn = target.connect().expect("connect");
        let policy = ReportingPolicy::default();
        ormas_persistence::in_write_transaction(&mut conn, |conn| {
            let mut ids = Vec::new();
            for (i, f) in fixtures.into_iter().enumerate() {
                let at = midnight(day("2020-01-01"));
                let org = OrganisationRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    identity_key: None,
                    name: format!("{} {i}", f.name),
                    abbreviation: None,
                    kind: f.kind.clone(),
                    ahu_number: None,
                    ahu_date: None,
                    skt_number: None,
                    skt_issued_on: None,
                    skt_issuer: None,
                    skt_expires_on: f.skt_expires_on,
                    npwp: None,
                    founded_on: None,
                    fields: serde_json::to_string(&f.fields).expect("fields"),
                    special_character: None,
                    tiered: false,
                    created_at: at,
                    updated_at: at,
                    version: 1,
                    dissolved_on: None,
                    dissolution_decree: None,
                };
                register::insert_organisation(conn, &org)?;
                let reg = RegistrationRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    organisation_id: org.id.clone(),
                    region_code: f.region.clone(),
                    district_code: f.district.clone(),
                    address: "Jl. Uji No. 1".into(),
                    phone: None,
                    email: None,
                    board_term_ends_on: f.board_term_ends_on,
                    state: f.state.clone(),
                    registration_number: f
                        .numbered
                        .then(|| format!("{i:03}/SKM/{}/FIXTURE", f.region)),
                    registration_date: f.registration_date,
                    submitted_on: None,
                    verification_due: None,
                    revision_due: None,
                    created_by: None,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                    branch_name: None,
                    suspended_until: None,
                    secretariat_missing_since: None,
                    address_changed_on: None,
                };
                register::insert_registration(conn, &reg)?;
                for r in &f.reports {
                    let period = Period::parse(&r.period).expect("a period");
                    let due_on = policy.due_on(&period);
                    let state = match (r.submitted_on, r.accepted_on) {
                        (_, Some(_)) => "accepted",
                        (Some(_), None) => "submitted",
                        (None, None) => "draft",
                    };
                    reports::insert_report(
                        conn,
                        &ReportRow {
                            id: uuid::Uuid::now_v7().to_string(),
                            registration_id: reg.id.clone(),
                            region_code: reg.region_code.clone(),
                            period: r.period.clone(),
                            due_on,
                            state: state.into(),
                            content: "{}".into(),
                            first_submitted_on: r.submitted_on,
                            submitted_on: r.submitted_on,
                            late: r.submitted_on.is_some_and(|on| on > due_on),
                            accepted_on: r.accepted_on,
                            accepted_by: None,
                            receipt_number: None,
                            return_reason: None,
                            created_by: None,
                            version: 1,
                            created_at: at,
                            updated_at: at,
                        },
                    )?;
                }
                ids.push(reg.id);
            }
            Ok(ids)
        })
        .expect("insert fixtures")
    })
    .await
    .expect("fixture task")
}
