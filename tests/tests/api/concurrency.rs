//! Many writers at once. On SQLite every write transaction takes the write lock at its start
//! (`BEGIN IMMEDIATE`), so concurrent writers queue under `busy_timeout` instead of failing with
//! `database is locked`; on PostgreSQL row locks serialise what must be serialised. Each test runs
//! sixteen writers of one kind at the same moment and expects no 5xx.

use futures_util::future::join_all;
use ormas_tests::fixtures::{OrmasFixture, day, insert_all};
use ormas_tests::{TestApp, expect_json, expect_problem, json};

const WRITERS: usize = 16;

/// The server lets more requests wait on the database than the test pool holds connections.
async fn app() -> TestApp {
    TestApp::spawn_with(|c| c.workers = Some(2)).await
}

#[tokio::test]
async fn sixteen_refreshes_of_one_token_rotate_it_once_and_never_fail() {
    let app = app().await;
    let session = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let body = json!({"refresh_token": session.refresh_token});
    let responses = join_all((0..WRITERS).map(|_| app.post_json("/v1/auth/refresh", &body))).await;
    let mut rotated = 0;
    for response in responses {
        match response.status().as_u16() {
            200 => {
                expect_json(response, 200).await;
                rotated += 1;
            }
            _ => {
                // A used token presented again: refused (and the session revoked), never a 500.
                expect_problem(response, 401, "unauthorized").await;
            }
        }
    }
    assert_eq!(rotated, 1, "exactly one refresh rotates the token");
}

#[tokio::test]
async fn sixteen_creates_at_once_all_succeed() {
    let app = app().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let creates = (0..WRITERS).map(|i| {
        let body = json!({
            "name": format!("Ormas Serentak {i}"), "kind": "tidak_berbadan_hukum",
            "skt_number": format!("SKT-P-{i}"), "skt_issued_on": "2023-05-10",
            "skt_issuer": "Kementerian Dalam Negeri", "region_code": "64.71",
            "address": "Jl. Jenderal Sudirman No. 1"
        });
        let (app, token) = (&app, officer.access_token.clone());
        async move { app.post_as("/v1/ormas", &token, &body).await }
    });
    for response in join_all(creates).await {
        expect_json(response, 201).await;
    }
    let list = expect_json(
        app.get_as("/v1/ormas?page_size=50", &officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), WRITERS);
}

#[tokio::test]
async fn sixteen_approvals_at_once_issue_sixteen_consecutive_numbers() {
    let app = app().await;
    let head = app.signed_in("head.6471", "head", Some("64.71")).await;
    let ids = insert_all(
        &app,
        (0..WRITERS)
            .map(|_| OrmasFixture::registered("64.71").in_state("submitted"))
            .collect(),
    )
    .await;
    app.clock.pin(Some(day("2026-11-22")));
    let approvals = ids.iter().map(|id| {
        let (app, token) = (&app, head.access_token.clone());
        async move {
            let response = app
                .post_as(&format!("/v1/ormas/{id}/approve"), &token, &json!({}))
                .await;
            expect_json(response, 200).await
        }
    });
    let mut numbers: Vec<String> = join_all(approvals)
        .await
        .iter()
        .map(|ormas| ormas["registration_number"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=WRITERS)
        .map(|n| format!("{n:03}/SKM/64.71/XI/2026"))
        .collect();
    assert_eq!(numbers, expected, "gap-free and unique");
}

#[tokio::test]
async fn sixteen_acceptances_at_once_issue_sixteen_consecutive_receipts() {
    let app = app().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ids = insert_all(
        &app,
        (0..WRITERS)
            .map(|_| OrmasFixture::registered("64.71").submitted("2026-S1", "2026-07-20"))
            .collect(),
    )
    .await;
    app.clock.pin(Some(day("2026-08-03")));
    let mut reports = Vec::new();
    for id in &ids {
        let page = expect_json(
            app.get_as(&format!("/v1/ormas/{id}/reports"), &officer.access_token)
                .await,
            200,
        )
        .await;
        reports.push(page["items"][0]["id"].as_str().unwrap().to_owned());
    }
    let acceptances = reports.iter().map(|id| {
        let (app, token) = (&app, officer.access_token.clone());
        async move {
            let response = app
                .post_as(&format!("/v1/reports/{id}/accept"), &token, &json!({}))
                .await;
            expect_json(response, 200).await
        }
    });
    let mut receipts: Vec<String> = join_all(acceptances)
        .await
        .iter()
        .map(|report| report["receipt_number"].as_str().unwrap().to_owned())
        .collect();
    receipts.sort();
    let expected: Vec<String> = (1..=WRITERS)
        .map(|n| format!("{n:04}/STTL/64.71/VIII/2026"))
        .collect();
    assert_eq!(receipts, expected, "gap-free and unique");
}

#[tokio::test]
async fn a_lost_race_is_412_with_if_match_and_409_without() {
    let app = app().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let head = app.signed_in("head.6471", "head", Some("64.71")).await;
    let ids = insert_all(
        &app,
        vec![
            OrmasFixture::registered("64.71").in_state("draft"),
            OrmasFixture::registered("64.71").in_state("submitted"),
        ],
    )
    .await;
    // Sixteen edits that all name version 1: one wins, the others hear their version is stale.
    let edits = (0..WRITERS).map(|i| {
        let (app, token, id) = (&app, officer.access_token.clone(), &ids[0]);
        async move {
            app.client
                .patch(app.url(&format!("/v1/ormas/{id}")))
                .bearer_auth(token)
                .header("If-Match", "\"1\"")
                .json(&json!({"address": format!("Jl. Serentak No. {i}")}))
                .send()
                .await
                .unwrap()
        }
    });
    let mut statuses = Vec::new();
    for response in join_all(edits).await {
        let status = response.status().as_u16();
        if status == 412 {
            expect_problem(response, 412, "precondition_failed").await;
        } else {
            expect_json(response, 200).await;
        }
        statuses.push(status);
    }
    statuses.sort_unstable();
    let mut expected = vec![412; WRITERS - 1];
    expected.insert(0, 200);
    assert_eq!(statuses, expected);
    // Sixteen approvals without If-Match: one wins, the others lose the race (409), never 412.
    let approvals = (0..WRITERS).map(|_| {
        let (app, token, id) = (&app, head.access_token.clone(), &ids[1]);
        async move {
            app.post_as(&format!("/v1/ormas/{id}/approve"), &token, &json!({}))
                .await
        }
    });
    let mut statuses = Vec::new();
    for response in join_all(approvals).await {
        let status = response.status().as_u16();
        if status == 409 {
            expect_problem(response, 409, "conflict").await;
        } else {
            expect_json(response, 200).await;
        }
        statuses.push(status);
    }
    statuses.sort_unstable();
    let mut expected = vec![409; WRITERS - 1];
    expected.insert(0, 200);
    assert_eq!(statuses, expected);
}
