//! The sanction ladder of UU 16/2017 over HTTP: the warning's 7 working days across Nyepi and Idul
//! Fitri 2026, one warning per case, the ladder's rules, what a suspension and a revocation do to
//! the rest of the product, the Ps 80A dissolution, and who may do what.

use ormas_tests::fixtures::day;
use ormas_tests::{TestApp, expect_json, expect_problem, json};
use serde_json::Value;

use crate::register::{Office, app, complete, create, draft, office, transition};
use crate::reports::representative;

/// A registered ormas of `region` from `body`, through the whole lifecycle.
async fn register(app: &TestApp, office: &Office, body: &Value) -> String {
    let created = create(app, &office.officer.access_token, body).await;
    let id = created["id"].as_str().unwrap().to_owned();
    complete(app, &office.officer.access_token, &id).await;
    expect_json(
        transition(app, &office.officer.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    let approved = expect_json(
        transition(app, &office.head.access_token, &id, "approve", json!({})).await,
        200,
    )
    .await;
    assert_eq!(approved["state"], "registered");
    id
}

/// An oversight case about `ormas`, opened by the region's oversight team; its id.
async fn open_case(app: &TestApp, region: &str, ormas: &str) -> String {
    let team = app
        .signed_in(
            &format!("tim.kasus.{region}.{}", &ormas[ormas.len() - 6..]),
            "oversight",
            Some(region),
        )
        .await;
    let case = expect_json(
        app.post_as(
            "/v1/oversight/cases",
            &team.access_token,
            &json!({"region_code": region, "ormas_id": ormas, "title": "Pawai beratribut"}),
        )
        .await,
        201,
    )
    .await;
    case["id"].as_str().unwrap().to_owned()
}

fn warning(case_id: &str, dated: &str) -> Value {
    json!({
        "kind": "written_warning", "case_id": case_id,
        "violation": "Atribut menyerupai lambang Polri dipakai dalam pawai.",
        "demanded_remedy": "Hentikan penggunaan atribut.",
        "letter_number": "300/112/KESBANG/III/2026", "letter_date": dated
    })
}

fn suspension() -> Value {
    json!({
        "kind": "activity_suspension", "violation": "Peringatan tidak dipatuhi.",
        "decree_number": "220-77 Tahun 2026", "decree_date": "2026-04-02",
        "issuing_authority": "kemendagri", "period_start": "2026-04-02", "period_end": "2026-06-30"
    })
}

async fn sanction(
    app: &TestApp,
    token: &str,
    ormas: &str,
    body: &Value,
) -> ormas_tests::reqwest::Response {
    app.post_as(&format!("/v1/ormas/{ormas}/sanctions"), token, body)
        .await
}

/// A step on a sanction with the `ETag` of its current representation in `If-Match`.
async fn step(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    body: &Value,
) -> ormas_tests::reqwest::Response {
    let current = app.get_as(&format!("/v1/sanctions/{id}"), token).await;
    let tag = current.headers().get("etag").unwrap().clone();
    app.client
        .post(app.url(&format!("/v1/sanctions/{id}/{name}")))
        .bearer_auth(token)
        .header("if-match", tag)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn status(app: &TestApp, token: &str, ormas: &str) -> Value {
    expect_json(
        app.get_as(&format!("/v1/ormas/{ormas}/status"), token)
            .await,
        200,
    )
    .await
}

async fn listed_ids(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page = expect_json(app.get_as(&format!("/v1/ormas?{query}"), token).await, 200).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The province 64's sanctions in force, and those of its row for Kota Balikpapan.
async fn sanctions_in_force(app: &TestApp, token: &str) -> (Value, Option<Value>) {
    let stats = expect_json(app.get_as("/v1/stats/overview?region=64", token).await, 200).await;
    let row = stats["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "64.71")
        .map(|r| r["sanctions"].clone());
    (stats["totals"]["sanctions"].clone(), row)
}

/// A service client's token over `region`.
async fn integrator(app: &TestApp, region: &str) -> String {
    let admin = app.signed_in("admin.client", "admin", Some(region)).await;
    let client = expect_json(
        app.post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "sync.sanctions", "name": "Sync"}),
        )
        .await,
        201,
    )
    .await;
    let token = expect_json(
        app.post_json(
            "/v1/auth/token",
            &json!({"grant_type": "client_credentials", "client_id": "sync.sanctions",
                "client_secret": client["client_secret"]}),
        )
        .await,
        200,
    )
    .await;
    token["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_ladder_from_warning_to_suspension_and_back() {
    let app = app().await;
    app.clock.pin(Some(day("2026-03-13")));
    let kota = office(&app, "64.71").await;
    let ormas = register(&app, &kota, &draft("Laskar Uji", "SKT-LASKAR-1", "64.71")).await;
    let head = &kota.head.access_token;
    let case_1 = open_case(&app, "64.71", &ormas).await;

    // The province's statistics, read once so that a snapshot exists and must be invalidated.
    let province = app.signed_in("head.64", "head", Some("64")).await;
    let before = sanctions_in_force(&app, &province.access_token).await;
    let none =
        json!({"warnings_running": 0, "suspensions_in_force": 0, "revocations_this_year": 0});
    assert_eq!(before, (none.clone(), Some(none)));

    // A warning dated Friday 13 March 2026 runs 7 working days, skipping 18–24 March.
    let warned = expect_json(
        sanction(&app, head, &ormas, &warning(&case_1, "2026-03-13")).await,
        201,
    )
    .await;
    assert_eq!(warned["deadline"], "2026-03-31");
    assert_eq!(warned["state"], "in_force");
    let warning_id = warned["id"].as_str().unwrap().to_owned();
    let running =
        json!({"warnings_running": 1, "suspensions_in_force": 0, "revocations_this_year": 0});
    assert_eq!(
        sanctions_in_force(&app, &province.access_token).await,
        (running.clone(), Some(running))
    );

    // One warning per case; an officer issues none; fields the kind needs are required.
    let again = expect_problem(
        sanction(&app, head, &ormas, &warning(&case_1, "2026-03-16")).await,
        409,
        "conflict",
    )
    .await;
    assert!(
        again["detail"]
            .as_str()
            .unwrap()
            .contains("one warning per violation case")
    );
    expect_problem(
        sanction(
            &app,
            &kota.officer.access_token,
            &ormas,
            &warning("case-2", "2026-03-16"),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let mut incomplete = warning("case-3", "2026-03-16");
    incomplete.as_object_mut().unwrap().remove("letter_number");
    expect_problem(
        sanction(&app, head, &ormas, &incomplete).await,
        422,
        "validation_failed",
    )
    .await;

    // No suspension before the warning was not complied with, unless serious and justified.
    let refused = expect_problem(
        sanction(&app, head, &ormas, &suspension()).await,
        409,
        "conflict",
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("not complied with")
    );
    let mut serious = suspension();
    serious["serious"] = json!(true);
    expect_problem(
        sanction(&app, head, &ormas, &serious).await,
        422,
        "validation_failed",
    )
    .await;

    // not_complied only after the deadline; If-Match is required.
    app.clock.pin(Some(day("2026-03-31")));
    let early = json!({"compliance": "not_complied"});
    expect_problem(
        step(&app, head, &warning_id, "compliance", &early).await,
        409,
        "conflict",
    )
    .await;
    let bare = app
        .post_as(
            &format!("/v1/sanctions/{warning_id}/compliance"),
            head,
            &early,
        )
        .await;
    assert_eq!(bare.status(), 428);
    app.clock.pin(Some(day("2026-04-01")));
    let recorded = expect_json(
        step(&app, head, &warning_id, "compliance", &early).await,
        200,
    )
    .await;
    assert_eq!(recorded["state"], "not_complied");

    // The suspension: inactive with reason suspended, listed as suspended, public, not eligible.
    app.clock.pin(Some(day("2026-04-02")));
    let suspended = expect_json(sanction(&app, head, &ormas, &suspension()).await, 201).await;
    let suspension_id = suspended["id"].as_str().unwrap().to_owned();
    let officer = &kota.officer.access_token;
    let suspended_now =
        json!({"warnings_running": 0, "suspensions_in_force": 1, "revocations_this_year": 0});
    assert_eq!(
        sanctions_in_force(&app, &province.access_token).await,
        (suspended_now.clone(), Some(suspended_now))
    );
    let seen = status(&app, officer, &ormas).await;
    assert_eq!(seen["state"], "suspended");
    assert_eq!(seen["activity"], "inactive");
    assert!(
        seen["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("suspended"))
    );
    assert_eq!(seen["eligible_for_services"]["eligible"], false);
    assert_eq!(seen["eligible_for_services"]["unmet"], json!(["suspended"]));
    assert_eq!(
        listed_ids(&app, officer, "state=suspended").await,
        std::slice::from_ref(&ormas)
    );
    assert!(
        listed_ids(&app, officer, "state=registered")
            .await
            .is_empty()
    );
    assert_eq!(
        listed_ids(&app, officer, "activity=inactive").await,
        std::slice::from_ref(&ormas)
    );
    let public = expect_json(app.get(&format!("/v1/public/ormas/{ormas}")).await, 200).await;
    assert_eq!(public["state"], "suspended");
    assert_eq!(public["sanction_decree_number"], "220-77 Tahun 2026");
    let text = public.to_string();
    assert!(!text.contains("case-1") && !text.contains("Peringatan tidak dipatuhi"));

    // The generic transitions endpoint knows no sanction moves.
    let generic = transition(&app, head, &ormas, "lift", json!({})).await;
    assert_eq!(generic.status(), 404);

    // Lifting restores registered and eligibility.
    let lift = json!({"decree_number": "220-99 Tahun 2026", "decree_date": "2026-05-04"});
    expect_problem(
        step(&app, officer, &suspension_id, "lift", &lift).await,
        403,
        "forbidden",
    )
    .await;
    let lifted = expect_json(step(&app, head, &suspension_id, "lift", &lift).await, 200).await;
    assert_eq!(lifted["state"], "lifted");
    let seen = status(&app, officer, &ormas).await;
    assert_eq!(seen["state"], "registered");
    assert_eq!(seen["eligible_for_services"]["eligible"], true);
    expect_problem(
        step(&app, head, &suspension_id, "lift", &lift).await,
        409,
        "conflict",
    )
    .await;
    let history = expect_json(
        app.get_as(&format!("/v1/ormas/{ormas}/history"), officer)
            .await,
        200,
    )
    .await;
    let text = history.to_string();
    assert!(
        text.contains("sanction.suspend") && text.contains("sanction.lift"),
        "{text}"
    );
}

#[tokio::test]
async fn a_suspension_ends_by_its_date_without_a_job() {
    let app = app().await;
    app.clock.pin(Some(day("2026-04-02")));
    let kota = office(&app, "64.71").await;
    let ormas = register(&app, &kota, &draft("Laskar Uji", "SKT-LASKAR-1", "64.71")).await;
    let mut serious = suspension();
    serious["serious"] = json!(true);
    serious["justification"] = json!("Kekerasan dalam unjuk rasa; laporan polisi terlampir.");
    let created = expect_json(
        sanction(&app, &kota.head.access_token, &ormas, &serious).await,
        201,
    )
    .await;
    assert_eq!(created["serious"], true);
    let officer = &kota.officer.access_token;
    assert_eq!(status(&app, officer, &ormas).await["state"], "suspended");
    app.clock.pin(Some(day("2026-07-01")));
    assert_eq!(status(&app, officer, &ormas).await["state"], "registered");
    assert_eq!(
        listed_ids(&app, officer, "state=registered").await,
        std::slice::from_ref(&ormas)
    );
    assert!(
        listed_ids(&app, officer, "state=suspended")
            .await
            .is_empty()
    );
    let id = created["id"].as_str().unwrap();
    let seen = expect_json(
        app.get_as(&format!("/v1/sanctions/{id}"), officer).await,
        200,
    )
    .await;
    assert_eq!(seen["state"], "ended");
}

#[tokio::test]
async fn revoking_a_yayasans_badan_hukum_dissolves_it_in_every_region() {
    let app = app().await;
    app.clock.pin(Some(day("2026-04-02")));
    let kota = office(&app, "64.71").await;
    let kab = office(&app, "64.01").await;
    let yayasan = |region: &str| {
        let mut body = draft("Yayasan Uji", "unused", region);
        let fields = body.as_object_mut().unwrap();
        for key in ["skt_number", "skt_issued_on", "skt_issuer"] {
            fields.remove(key);
        }
        fields.insert("kind".into(), json!("yayasan"));
        fields.insert("ahu_number".into(), json!("AHU-0012345.AH.01.04.2020"));
        fields.insert("ahu_date".into(), json!("2020-02-03"));
        body
    };
    let in_kota = register(&app, &kota, &yayasan("64.71")).await;
    let in_kab = register(&app, &kab, &yayasan("64.01")).await;
    let revocation = json!({
        "kind": "revocation", "revocation_of": "badan_hukum", "serious": true,
        "justification": "Putusan pengadilan berkekuatan hukum tetap.",
        "violation": "Penyebaran ajaran terlarang.",
        "decree_number": "AHU-0099.AH.01.08.2026", "decree_date": "2026-04-01"
    });
    let mut wrong = revocation.clone();
    wrong["revocation_of"] = json!("skt");
    expect_problem(
        sanction(&app, &kota.head.access_token, &in_kota, &wrong).await,
        422,
        "validation_failed",
    )
    .await;
    let revoked = expect_json(
        sanction(&app, &kota.head.access_token, &in_kota, &revocation).await,
        201,
    )
    .await;
    assert_eq!(revoked["issuing_authority"], "kemenkumham");
    for (id, office) in [(&in_kota, &kota), (&in_kab, &kab)] {
        let seen = status(&app, &office.officer.access_token, id).await;
        assert_eq!(seen["state"], "revoked", "{id}");
        assert!(
            seen["reasons"]
                .as_array()
                .unwrap()
                .contains(&json!("revoked"))
        );
        assert_eq!(
            seen["eligible_for_services"]["unmet"],
            json!(["revoked", "dissolved"])
        );
        let list = expect_json(
            app.get_as(
                &format!("/v1/ormas/{id}/sanctions"),
                &office.officer.access_token,
            )
            .await,
            200,
        )
        .await;
        assert_eq!(list["items"][0]["kind"], "revocation");
        assert_eq!(list["items"][0]["decree_number"], "AHU-0099.AH.01.08.2026");
        let public = expect_json(app.get(&format!("/v1/public/ormas/{id}")).await, 200).await;
        assert_eq!(public["state"], "revoked");
        assert_eq!(public["sanction_decree_number"], "AHU-0099.AH.01.08.2026");
    }
    // Each office's audit log holds its own entry.
    let admin = app.signed_in("admin.6401", "admin", Some("64.01")).await;
    let audit = expect_json(app.get_as("/v1/audit", &admin.access_token).await, 200).await;
    assert!(
        audit.to_string().contains("sanction.dissolution"),
        "{audit}"
    );
}

#[tokio::test]
async fn who_reads_and_answers_sanctions() {
    let app = app().await;
    app.clock.pin(Some(day("2026-03-13")));
    let kota = office(&app, "64.71").await;
    let ormas = register(&app, &kota, &draft("Laskar Uji", "SKT-LASKAR-1", "64.71")).await;
    let other = register(&app, &kota, &draft("Ormas Lain", "SKT-LAIN-1", "64.71")).await;
    let case_1 = open_case(&app, "64.71", &ormas).await;
    let warned = expect_json(
        sanction(
            &app,
            &kota.head.access_token,
            &ormas,
            &warning(&case_1, "2026-03-13"),
        )
        .await,
        201,
    )
    .await;
    let id = warned["id"].as_str().unwrap().to_owned();
    let list = format!("/v1/ormas/{ormas}/sanctions");
    let one = format!("/v1/sanctions/{id}");

    let own = representative(&app, &kota.officer, "ketua.laskar", &ormas).await;
    let stranger = representative(&app, &kota.officer, "ketua.lain", &other).await;
    let oversight = app.signed_in("tim.6471", "oversight", Some("64.71")).await;
    let elsewhere = office(&app, "62.71").await;
    let integrator = integrator(&app, "64.71").await;
    // An integrator reads but does not issue.
    expect_problem(
        sanction(&app, &integrator, &ormas, &warning("case-9", "2026-03-13")).await,
        403,
        "forbidden",
    )
    .await;
    for (who, token, status) in [
        ("integrator", &integrator, 200),
        ("own representative", &own.access_token, 200),
        ("oversight", &oversight.access_token, 200),
        ("officer", &kota.officer.access_token, 200),
        (
            "another ormas's representative",
            &stranger.access_token,
            404,
        ),
        ("another region's head", &elsewhere.head.access_token, 404),
    ] {
        assert_eq!(
            app.get_as(&list, token).await.status(),
            status,
            "{who} list"
        );
        assert_eq!(app.get_as(&one, token).await.status(), status, "{who} one");
    }
    assert_eq!(app.get(&list).await.status(), 401);
    assert_eq!(app.get(&one).await.status(), 401);

    // The region list: scoped, filtered, a representative's own only.
    let listed = |token: &str, query: &str| {
        let path = format!("/v1/sanctions?{query}");
        let token = token.to_owned();
        let app = &app;
        async move {
            let page = expect_json(app.get_as(&path, &token).await, 200).await;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let officer = &kota.officer.access_token;
    assert_eq!(
        listed(officer, "region=64.71&kind=written_warning&state=in_force").await,
        std::slice::from_ref(&id)
    );
    assert!(listed(officer, "kind=revocation").await.is_empty());
    assert_eq!(listed(&integrator, "").await, std::slice::from_ref(&id));
    assert_eq!(
        listed(&own.access_token, "").await,
        std::slice::from_ref(&id)
    );
    assert!(listed(&stranger.access_token, "").await.is_empty());
    assert!(listed(&elsewhere.head.access_token, "").await.is_empty());
    expect_problem(
        app.get_as("/v1/sanctions?region=62", officer).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(app.get("/v1/sanctions").await.status(), 401);

    // The representative answers; others cannot.
    let answer = json!({"statement": "Atribut telah ditarik.", "document_ids": []});
    let path = format!("/v1/sanctions/{id}/answer");
    let answered = expect_json(app.post_as(&path, &own.access_token, &answer).await, 201).await;
    assert_eq!(
        answered["answers"][0]["statement"],
        "Atribut telah ditarik."
    );
    expect_problem(
        app.post_as(&path, &stranger.access_token, &answer).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.post_as(&path, &kota.officer.access_token, &answer)
            .await,
        403,
        "forbidden",
    )
    .await;
    let foreign = json!({"statement": "Lihat lampiran.", "document_ids": ["not-a-document"]});
    expect_problem(
        app.post_as(&path, &own.access_token, &foreign).await,
        422,
        "validation_failed",
    )
    .await;
    expect_problem(
        app.post_as(&path, &own.access_token, &json!({"statement": " "}))
            .await,
        422,
        "validation_failed",
    )
    .await;

    // Oversight records compliance (complied may come early); representatives cannot.
    let complied = json!({"compliance": "complied", "note": "Atribut diserahkan."});
    expect_problem(
        step(&app, &own.access_token, &id, "compliance", &complied).await,
        403,
        "forbidden",
    )
    .await;
    let done = expect_json(
        step(&app, &oversight.access_token, &id, "compliance", &complied).await,
        200,
    )
    .await;
    assert_eq!(done["state"], "complied");
    expect_problem(
        step(&app, &oversight.access_token, &id, "compliance", &complied).await,
        409,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn a_warning_follows_a_case_of_its_own_ormas_and_lands_in_its_timeline() {
    let app = app().await;
    app.clock.pin(Some(day("2026-03-13")));
    let kota = office(&app, "64.71").await;
    let ormas = register(&app, &kota, &draft("Laskar Uji", "SKT-LASKAR-1", "64.71")).await;
    let other = register(&app, &kota, &draft("Ormas Lain", "SKT-LAIN-1", "64.71")).await;
    let head = &kota.head.access_token;
    let others_case = open_case(&app, "64.71", &other).await;
    for case_id in ["no-such-case", others_case.as_str()] {
        let problem = expect_problem(
            sanction(&app, head, &ormas, &warning(case_id, "2026-03-13")).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "case_id", "{problem}");
        assert_eq!(problem["errors"][0]["code"], "unknown_case");
    }
    let case_id = open_case(&app, "64.71", &ormas).await;
    expect_json(
        sanction(&app, head, &ormas, &warning(&case_id, "2026-03-13")).await,
        201,
    )
    .await;
    let team = app.signed_in("tim.6471", "oversight", Some("64.71")).await;
    let history = expect_json(
        app.get_as(
            &format!("/v1/oversight/cases/{case_id}/history"),
            &team.access_token,
        )
        .await,
        200,
    )
    .await;
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "sanction"),
        "{history}"
    );
}
