//! The oversight dashboard: open complaints by category and age, cases by state, warnings ending
//! or ended, suspensions, secretariats not found; the province's row is the sum of its
//! kabupaten/kota rows; staff only, within their scope.

use ormas_tests::fixtures::{OrmasFixture, day};
use ormas_tests::{Session, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

const TODAY: &str = "2026-03-26";

async fn complaint(app: &TestApp, staff: &Session, region: &str, ormas: &str, category: &str) {
    expect_json(
        app.post_as(
            "/v1/complaints",
            &staff.access_token,
            &json!({"region_code": region, "ormas_id": ormas, "category": category,
                "source": "monitoring", "description": "Temuan pemantauan."}),
        )
        .await,
        201,
    )
    .await;
}

async fn sanction(app: &TestApp, head: &Session, ormas: &str, body: Value) {
    expect_json(
        app.post_as(
            &format!("/v1/ormas/{ormas}/sanctions"),
            &head.access_token,
            &body,
        )
        .await,
        201,
    )
    .await;
}

fn warning(dated: &str, number: &str) -> Value {
    json!({"kind": "written_warning", "violation": "Pawai dengan atribut menyerupai Polri.",
        "demanded_remedy": "Hentikan.", "letter_number": number, "letter_date": dated})
}

async fn dashboard(app: &TestApp, token: &str, query: &str) -> Value {
    expect_json(
        app.get_as(&format!("/v1/oversight/dashboard{query}"), token)
            .await,
        200,
    )
    .await
}

fn row<'a>(dashboard: &'a Value, code: &str) -> &'a Value {
    dashboard["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no row {code}: {dashboard}"))
}

fn case_count(row: &Value, state: &str) -> u64 {
    row["cases_by_state"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == state)
        .unwrap()["count"]
        .as_u64()
        .unwrap()
}

/// The numeric fields of a row, for adding rows up.
const COUNTS: [&str; 6] = [
    "complaints_open",
    "warnings_ending_soon",
    "warnings_ended_without_compliance",
    "suspensions_in_force",
    "suspensions_ending_soon",
    "secretariat_not_found",
];

#[tokio::test]
async fn the_dashboard_counts_what_the_team_must_act_on_and_its_rows_add_up() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day(TODAY)));
    let province = app.signed_in("oversight.64", "oversight", Some("64")).await;
    let head_kota = app.signed_in("head.6471", "head", Some("64.71")).await;
    let head_kab = app.signed_in("head.6401", "head", Some("64.01")).await;
    let kota = OrmasFixture::registered("64.71").insert(&app).await;
    let kota_2 = OrmasFixture::registered("64.71").insert(&app).await;
    let kab = OrmasFixture::registered("64.01").insert(&app).await;
    let elsewhere = OrmasFixture::registered("62.71").insert(&app).await;
    let national = app.signed_in("oversight.62", "oversight", Some("62")).await;

    complaint(&app, &province, "64.71", &kota, "public_order").await;
    complaint(&app, &province, "64.71", &kota_2, "public_order").await;
    complaint(&app, &province, "64.01", &kab, "sara").await;
    complaint(&app, &national, "62.71", &elsewhere, "sara").await;
    // A dismissed complaint is no longer open.
    let listed = expect_json(
        app.get_as("/v1/complaints?region=64.01", &province.access_token)
            .await,
        200,
    )
    .await;
    let kab_complaint = listed["items"][0]["id"].as_str().unwrap().to_owned();
    expect_json(
        app.post_as(
            &format!("/v1/complaints/{kab_complaint}/dismiss"),
            &province.access_token,
            &json!({"reason": "Bukan pelanggaran."}),
        )
        .await,
        200,
    )
    .await;
    complaint(&app, &province, "64.01", &kab, "unlawful_funds").await;
    expect_json(
        app.post_as(
            "/v1/oversight/cases",
            &province.access_token,
            &json!({"region_code": "64.71", "ormas_id": kota, "title": "Pawai beratribut"}),
        )
        .await,
        201,
    )
    .await;

    // Dated 13 March: its 7 working days end on 31 March, within 3 working days of 26 March.
    sanction(
        &app,
        &head_kota,
        &kota,
        warning("2026-03-13", "300/1/III/2026"),
    )
    .await;
    // Dated 2 March: ended on 11 March without a compliance record.
    sanction(
        &app,
        &head_kab,
        &kab,
        warning("2026-03-02", "300/2/III/2026"),
    )
    .await;
    // A suspension for a serious breach, ending within 30 days.
    sanction(
        &app,
        &head_kota,
        &kota_2,
        json!({"kind": "activity_suspension", "violation": "Kekerasan dalam pawai.",
            "decree_number": "220-77 Tahun 2026", "decree_date": "2026-03-20",
            "issuing_authority": "kemendagri", "period_start": "2026-03-20",
            "period_end": "2026-04-10", "serious": true,
            "justification": "Kekerasan terhadap warga; langkah dilewati."}),
    )
    .await;
    // The team found nothing at the kabupaten ormas's address.
    expect_json(
        app.post_as(
            &format!("/v1/ormas/{kab}/visits"),
            &province.access_token,
            &json!({"visited_on": "2026-03-25", "finding": "secretariat_not_found",
                "team": [{"agency": "kesbangpol", "name": "Dewi Lestari"}]}),
        )
        .await,
        201,
    )
    .await;

    let board = dashboard(&app, &province.access_token, "?region=64").await;
    let totals = &board["totals"];
    assert_eq!(board["region"]["code"], "64");
    assert_eq!(board["as_of"], TODAY);
    assert_eq!(totals["complaints_open"], 3, "{board}");
    assert_eq!(
        totals["complaints_by_category"],
        json!([{"category": "public_order", "count": 2}, {"category": "unlawful_funds", "count": 1}])
    );
    assert_eq!(totals["complaints_by_age"]["within_7_days"], 3);
    assert_eq!(case_count(totals, "open"), 1);
    assert_eq!(case_count(totals, "closed"), 0);
    assert_eq!(totals["warnings_ending_soon"], 1);
    assert_eq!(totals["warnings_ended_without_compliance"], 1);
    assert_eq!(totals["suspensions_in_force"], 1);
    assert_eq!(totals["suspensions_ending_soon"], 1);
    assert_eq!(totals["secretariat_not_found"], 1);

    // One row per kabupaten/kota of the province; they add up to the province's totals.
    let rows = board["regions"].as_array().unwrap();
    assert!(rows.len() >= 10, "{}", rows.len());
    for field in COUNTS {
        let sum: u64 = rows.iter().map(|r| r[field].as_u64().unwrap()).sum();
        assert_eq!(sum, totals[field].as_u64().unwrap(), "{field}");
    }
    for state in ["open", "investigating", "recommendation", "closed"] {
        let sum: u64 = rows.iter().map(|r| case_count(r, state)).sum();
        assert_eq!(sum, case_count(totals, state), "{state}");
    }
    let kota_row = row(&board, "64.71");
    assert_eq!(kota_row["complaints_open"], 2);
    assert_eq!(kota_row["warnings_ending_soon"], 1);
    assert_eq!(kota_row["suspensions_in_force"], 1);
    let kab_row = row(&board, "64.01");
    assert_eq!(kab_row["complaints_open"], 1);
    assert_eq!(kab_row["warnings_ended_without_compliance"], 1);
    assert_eq!(kab_row["secretariat_not_found"], 1);
    assert_eq!(row(&board, "64.72")["complaints_open"], 0);

    // A kabupaten/kota's own dashboard has no child rows; the nation's has one per province.
    let own = dashboard(&app, &head_kota.access_token, "").await;
    assert_eq!(own["region"]["code"], "64.71");
    assert_eq!(own["totals"]["complaints_open"], 2);
    assert_eq!(own["regions"], json!([]));
    let root = app.signed_in("root", "super_admin", None).await;
    let nation = dashboard(&app, &root.access_token, "").await;
    assert_eq!(nation["region"], Value::Null);
    assert_eq!(nation["totals"]["complaints_open"], 4);
    assert_eq!(row(&nation, "64")["complaints_open"], 3);
    assert_eq!(row(&nation, "62")["complaints_open"], 1);
    // Counts only: no names of ormas or complainants.
    assert!(!nation.to_string().contains("Temuan"), "{nation}");
}

#[tokio::test]
async fn the_dashboard_is_for_staff_within_their_scope() {
    let app = TestApp::spawn().await;
    let kab = app
        .signed_in("oversight.6401", "oversight", Some("64.01"))
        .await;
    expect_problem(
        app.get_as("/v1/oversight/dashboard?region=64.71", &kab.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.get_as("/v1/oversight/dashboard?region=64", &kab.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    dashboard(&app, &officer.access_token, "?region=64.71").await;
    let rep = app.signed_in("rep", "ormas_rep", None).await;
    expect_problem(
        app.get_as("/v1/oversight/dashboard", &rep.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    let root = app.signed_in("root", "super_admin", None).await;
    expect_problem(
        app.get_as(
            "/v1/oversight/dashboard?region=64.71.01",
            &root.access_token,
        )
        .await,
        400,
        "invalid_query",
    )
    .await;
    expect_problem(
        app.get_as("/v1/oversight/dashboard?region=99", &root.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    let anonymous = app.get("/v1/oversight/dashboard").await;
    assert_eq!(anonymous.status(), 401);
}
