//! An organisation's national identity, shared by its registrations in every region: nobody can
//! rewrite it through a registration of their own (issue 10 §1), and a correction needs a scope
//! over every region where the organisation is present.

use ormas_tests::{TestApp, expect_json, expect_problem, json};
use serde_json::Value;

use crate::register::{app, complete, create, draft, office, transition};

/// A registered ormas of Kota Balikpapan, "Ormas Asli" with SKT `SKT-ASLI-1`; its registration.
async fn registered_victim(app: &TestApp) -> (Value, crate::register::Office) {
    let kota = office(app, "64.71").await;
    let created = create(
        app,
        &kota.officer.access_token,
        &draft("Ormas Asli", "SKT-ASLI-1", "64.71"),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    complete(app, &kota.officer.access_token, &id).await;
    expect_json(
        transition(app, &kota.officer.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    let approved = expect_json(
        transition(app, &kota.head.access_token, &id, "approve", json!({})).await,
        200,
    )
    .await;
    assert_eq!(approved["state"], "registered");
    (approved, kota)
}

async fn public_names(app: &TestApp) -> Vec<String> {
    let page = expect_json(app.get("/v1/public/ormas?q=Ormas").await, 200).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn history_actions(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let history = expect_json(
        app.get_as(&format!("/v1/ormas/{id}/history"), token).await,
        200,
    )
    .await;
    let items = history["items"].as_array().or(history.as_array()).unwrap();
    items
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn nobody_rewrites_another_regions_organisation_through_a_draft() {
    let app = app().await;
    let (victim, kota) = registered_victim(&app).await;
    let victim_id = victim["id"].as_str().unwrap();
    let organisation_id = victim["organisation"]["id"].as_str().unwrap().to_owned();
    assert_eq!(public_names(&app).await, ["Ormas Asli"]);
    let victim_history = history_actions(&app, &kota.officer.access_token, victim_id).await;

    // A self-registered representative files a draft elsewhere with the public SKT number: it
    // links to the organisation, does not change it, and keeps its own name as a branch name.
    let rep = app.signed_in("penyerang", "ormas_rep", None).await;
    let mut body = draft("Ormas Palsu", "SKT-ASLI-1", "62.71");
    body["abbreviation"] = json!("XYZ");
    let linked = create(&app, &rep.access_token, &body).await;
    assert_eq!(linked["organisation"]["id"], organisation_id.as_str());
    assert_eq!(linked["organisation"]["name"], "Ormas Asli");
    assert_eq!(linked["organisation"]["abbreviation"], "ABC");
    assert_eq!(linked["branch_name"], "Ormas Palsu");
    let linked_id = linked["id"].as_str().unwrap().to_owned();

    // The attack: every identity field is refused with the rule named, as the representative…
    let path = format!("/v1/ormas/{linked_id}");
    for change in [
        json!({"name": "Ormas Dibajak"}),
        json!({"abbreviation": "HACK"}),
        json!({"npwp": "99.999.999.9-999.999"}),
        json!({"fields": ["keagamaan"]}),
    ] {
        let refused = app.patch_as(&path, &rep.access_token, &change).await;
        let problem = expect_problem(refused, 409, "identity_read_only").await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("identity_shared"),
            "{problem}"
        );
    }
    // …and as an officer of another province, through a draft of its own.
    let kalteng = office(&app, "62").await;
    let officer_draft = create(
        &app,
        &kalteng.officer.access_token,
        &draft("Ormas Asli Kalteng", "skt-asli-1", "62"),
    )
    .await;
    assert_eq!(
        officer_draft["organisation"]["id"],
        organisation_id.as_str()
    );
    expect_problem(
        app.patch_as(
            &format!("/v1/ormas/{}", officer_draft["id"].as_str().unwrap()),
            &kalteng.officer.access_token,
            &json!({"name": "Ormas Dibajak", "address": "Jl. Lain"}),
        )
        .await,
        409,
        "identity_read_only",
    )
    .await;

    // Nothing changed: the public register, the victim's registration and its history.
    assert_eq!(public_names(&app).await, ["Ormas Asli"]);
    let seen = expect_json(
        app.get_as(
            &format!("/v1/ormas/{victim_id}"),
            &kota.officer.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(seen["organisation"]["name"], "Ormas Asli");
    assert_eq!(seen["organisation"]["npwp"], victim["organisation"]["npwp"]);
    assert_eq!(
        seen["organisation"]["fields"],
        victim["organisation"]["fields"]
    );
    assert_eq!(
        history_actions(&app, &kota.officer.access_token, victim_id).await,
        victim_history
    );

    // What belongs to the draft alone stays editable.
    let own = expect_json(
        app.patch_as(
            &path,
            &rep.access_token,
            &json!({"branch_name": "DPW Ormas Asli Kota Palangka Raya", "address": "Jl. Tjilik Riwut 1"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(own["branch_name"], "DPW Ormas Asli Kota Palangka Raya");
    assert_eq!(own["organisation"]["name"], "Ormas Asli");
}

#[tokio::test]
async fn the_only_registration_edits_its_identity_until_it_is_registered() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let token = &kota.officer.access_token;
    let created = create(&app, token, &draft("Ormas Tunggal", "SKT-TUNGGAL", "64.71")).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/ormas/{id}");
    let renamed = expect_json(
        app.patch_as(&path, token, &json!({"name": "Ormas Tunggal Jaya"}))
            .await,
        200,
    )
    .await;
    assert_eq!(renamed["organisation"]["name"], "Ormas Tunggal Jaya");
    assert_eq!(renamed["organisation"]["version"], 2);

    complete(&app, token, &id).await;
    expect_json(transition(&app, token, &id, "submit", json!({})).await, 200).await;
    expect_json(
        transition(&app, &kota.head.access_token, &id, "approve", json!({})).await,
        200,
    )
    .await;
    // Officers still correct contact data of a registered ormas, but not its identity.
    expect_json(
        app.patch_as(&path, token, &json!({"phone": "+62 542 999999"}))
            .await,
        200,
    )
    .await;
    let problem = expect_problem(
        app.patch_as(&path, token, &json!({"name": "Nama Lain"}))
            .await,
        409,
        "identity_read_only",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("identity_registered")
    );
}

#[tokio::test]
async fn a_correction_needs_a_scope_over_every_region_and_is_recorded_in_each() {
    let app = app().await;
    let (victim, kota) = registered_victim(&app).await;
    let victim_id = victim["id"].as_str().unwrap().to_owned();
    let organisation_id = victim["organisation"]["id"].as_str().unwrap().to_owned();
    let kalteng = office(&app, "62").await;
    let branch = create(
        &app,
        &kalteng.officer.access_token,
        &draft("DPD Ormas Asli Kalteng", "SKT-ASLI-1", "62"),
    )
    .await;
    let branch_id = branch["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/organisations/{organisation_id}");

    // Each office sees the organisation and only its own registrations of it.
    let seen = expect_json(app.get_as(&path, &kota.officer.access_token).await, 200).await;
    assert_eq!(seen["registrations_total"], 2);
    assert_eq!(seen["registrations"].as_array().unwrap().len(), 1);
    assert_eq!(seen["registrations"][0]["id"], victim_id.as_str());
    let outsider = app
        .signed_in("officer.6301", "officer", Some("63.01"))
        .await;
    expect_problem(
        app.get_as(&path, &outsider.access_token).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(app.get("/v1/organisations/x").await, 401, "unauthorized").await;

    // Neither office covers both regions; a representative and a head may not correct at all.
    let fix = json!({"name": "Ormas Asli Indonesia"});
    for office_token in [&kota.officer.access_token, &kalteng.officer.access_token] {
        expect_problem(
            app.patch_as(&path, office_token, &fix).await,
            403,
            "forbidden",
        )
        .await;
    }
    expect_problem(
        app.patch_as(&path, &kota.head.access_token, &fix).await,
        403,
        "forbidden",
    )
    .await;
    let rep = app.signed_in("pengurus.asli", "ormas_rep", None).await;
    expect_problem(
        app.patch_as(&path, &rep.access_token, &fix).await,
        403,
        "forbidden",
    )
    .await;

    // The national super_admin may: If-Match is required, weak tags never match a write.
    let root = app.signed_in("root", "super_admin", None).await;
    expect_problem(
        app.patch_without_if_match(&path, &root.access_token, &fix)
            .await,
        428,
        "precondition_required",
    )
    .await;
    let current = app.get_as(&path, &root.access_token).await;
    let tag = current.headers()["etag"].to_str().unwrap().to_owned();
    let weak = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&root.access_token)
        .header("if-match", format!("W/{tag}"))
        .json(&fix)
        .send()
        .await
        .unwrap();
    expect_problem(weak, 412, "precondition_failed").await;
    // The corrected identity is checked like a new one.
    expect_problem(
        app.patch_as(&path, &root.access_token, &json!({"skt_number": null}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    let corrected = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&root.access_token)
        .header("if-match", &tag)
        .json(&fix)
        .send()
        .await
        .unwrap();
    let corrected = expect_json(corrected, 200).await;
    assert_eq!(corrected["organisation"]["name"], "Ormas Asli Indonesia");
    assert_eq!(corrected["organisation"]["version"], 2);
    assert_eq!(public_names(&app).await, ["Ormas Asli Indonesia"]);

    // In the history of every registration, and the audit log of every region concerned.
    for (token, id) in [
        (&kota.officer.access_token, &victim_id),
        (&kalteng.officer.access_token, &branch_id),
    ] {
        let actions = history_actions(&app, token, id).await;
        assert_eq!(
            actions.last().unwrap(),
            "organisation_correct",
            "{actions:?}"
        );
    }
    for region in ["64.71", "62"] {
        let tag = region.replace('.', "");
        let admin = app
            .signed_in(&format!("admin.{tag}"), "admin", Some(region))
            .await;
        let log = expect_json(
            app.get_as(
                &format!("/v1/audit?target={organisation_id}"),
                &admin.access_token,
            )
            .await,
            200,
        )
        .await;
        let actions: Vec<_> = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["organisation.correct"], "{region}");
    }

    // A province office covering both regions may too (here: a second registration in Kaltim).
    let kaltim_admin = app.signed_in("admin.kaltim", "admin", Some("64")).await;
    expect_problem(
        app.patch_as(&path, &kaltim_admin.access_token, &fix).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn the_public_register_shows_a_regional_boards_own_name() {
    let app = app().await;
    let (victim, _) = registered_victim(&app).await;
    let palangka = office(&app, "62.71").await;
    let mut body = draft("DPW Ormas Asli Kota Palangka Raya", "SKT-ASLI-1", "62.71");
    body["address"] = json!("Jl. Tjilik Riwut 1");
    let branch = create(&app, &palangka.officer.access_token, &body).await;
    let id = branch["id"].as_str().unwrap().to_owned();
    assert_eq!(branch["organisation"]["id"], victim["organisation"]["id"]);
    complete(&app, &palangka.officer.access_token, &id).await;
    expect_json(
        transition(
            &app,
            &palangka.officer.access_token,
            &id,
            "submit",
            json!({}),
        )
        .await,
        200,
    )
    .await;
    expect_json(
        transition(&app, &palangka.head.access_token, &id, "approve", json!({})).await,
        200,
    )
    .await;
    let page = expect_json(app.get("/v1/public/ormas?q=Ormas%20Asli").await, 200).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{page}");
    for item in items {
        assert_eq!(item["name"], "Ormas Asli");
        let expected = if item["id"] == id.as_str() {
            json!("DPW Ormas Asli Kota Palangka Raya")
        } else {
            Value::Null
        };
        assert_eq!(item["branch_name"], expected, "{item}");
    }
    let one = expect_json(app.get(&format!("/v1/public/ormas/{id}")).await, 200).await;
    assert_eq!(one["branch_name"], "DPW Ormas Asli Kota Palangka Raya");
}
