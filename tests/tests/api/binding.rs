//! Binding representatives to their ormas: never across another office's binding, unbinding by the
//! office that holds it, and one ormas per representative under concurrency (issue 10 §2).

use ormas_tests::{TestApp, expect_json, expect_problem, json};

use crate::register::{app, create, draft, office};

async fn bind(app: &TestApp, token: &str, user: &str, ormas: Option<&str>) -> u16 {
    app.put_as(
        &format!("/v1/users/{user}/ormas"),
        token,
        &json!({ "ormas_id": ormas }),
    )
    .await
    .status()
    .as_u16()
}

#[tokio::test]
async fn representatives_are_bound_and_unbound_only_by_the_office_holding_them() {
    let app = app().await;
    let paser = office(&app, "64.01").await;
    let kota = office(&app, "64.71").await;
    let in_paser = create(
        &app,
        &paser.officer.access_token,
        &draft("Ormas Paser", "SKT-P", "64.01"),
    )
    .await;
    let in_kota = create(
        &app,
        &kota.officer.access_token,
        &draft("Ormas Kota", "SKT-K", "64.71"),
    )
    .await;
    let (p, k) = (
        in_paser["id"].as_str().unwrap(),
        in_kota["id"].as_str().unwrap(),
    );
    let rep = app.signed_in("pengurus.paser", "ormas_rep", None).await;

    assert_eq!(
        bind(&app, &paser.officer.access_token, &rep.user_id, Some(p)).await,
        204
    );
    expect_json(
        app.get_as(&format!("/v1/ormas/{p}"), &rep.access_token)
            .await,
        200,
    )
    .await;

    // Kota Balikpapan can neither move Paser's representative onto its ormas nor unbind it.
    assert_eq!(
        bind(&app, &kota.officer.access_token, &rep.user_id, Some(k)).await,
        403
    );
    assert_eq!(
        bind(&app, &kota.officer.access_token, &rep.user_id, None).await,
        403
    );
    let kota_admin = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    assert_eq!(
        bind(&app, &kota_admin.access_token, &rep.user_id, Some(k)).await,
        403
    );
    // Nor can a head (role) or the representative itself.
    assert_eq!(
        bind(&app, &paser.head.access_token, &rep.user_id, None).await,
        403
    );
    assert_eq!(bind(&app, &rep.access_token, &rep.user_id, None).await, 403);
    expect_json(
        app.get_as(&format!("/v1/ormas/{p}"), &rep.access_token)
            .await,
        200,
    )
    .await;
    expect_problem(
        app.get_as(&format!("/v1/ormas/{k}"), &rep.access_token)
            .await,
        404,
        "not_found",
    )
    .await;

    // Paser unbinds it; then it is anyone's to bind again, and the super_admin may too.
    assert_eq!(
        bind(&app, &paser.officer.access_token, &rep.user_id, None).await,
        204
    );
    expect_problem(
        app.get_as(&format!("/v1/ormas/{p}"), &rep.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        bind(&app, &kota.officer.access_token, &rep.user_id, Some(k)).await,
        204
    );
    expect_json(
        app.get_as(&format!("/v1/ormas/{k}"), &rep.access_token)
            .await,
        200,
    )
    .await;
    let root = app.signed_in("root", "super_admin", None).await;
    assert_eq!(
        bind(&app, &root.access_token, &rep.user_id, None).await,
        204
    );
    assert_eq!(
        bind(&app, &root.access_token, &rep.user_id, Some(p)).await,
        204
    );
    // Unknown accounts and ormas are 404; anonymous callers 401.
    assert_eq!(bind(&app, &root.access_token, "nobody", None).await, 404);
    assert_eq!(
        bind(&app, &root.access_token, &rep.user_id, Some("nothing")).await,
        404
    );
    let anonymous = app
        .client
        .put(app.url(&format!("/v1/users/{}/ormas", rep.user_id)))
        .json(&json!({ "ormas_id": null }))
        .send()
        .await
        .unwrap();
    expect_problem(anonymous, 401, "unauthorized").await;

    // Audited in the regions concerned: Paser sees its bind, its unbind and the super_admin's
    // rebinding onto its ormas; Kota Balikpapan sees what touched its ormas.
    let paser_admin = app.signed_in("admin.6401", "admin", Some("64.01")).await;
    let actions = |log: serde_json::Value| -> Vec<String> {
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    };
    let target = format!("/v1/audit?target={}", rep.user_id);
    let in_paser =
        actions(expect_json(app.get_as(&target, &paser_admin.access_token).await, 200).await);
    assert_eq!(
        in_paser,
        ["user.bind_ormas", "user.unbind_ormas", "user.bind_ormas"],
        "newest first"
    );
    let in_kota =
        actions(expect_json(app.get_as(&target, &kota_admin.access_token).await, 200).await);
    assert_eq!(in_kota, ["user.unbind_ormas", "user.bind_ormas"]);
}

#[tokio::test]
async fn one_ormas_per_representative_under_concurrent_creates() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let rep = app.signed_in("pengurus.cepat", "ormas_rep", None).await;
    let attempts = (0..10).map(|i| {
        let app = &app;
        let token = rep.access_token.clone();
        async move {
            app.post_as(
                "/v1/ormas",
                &token,
                &draft(&format!("Ormas Cepat {i}"), &format!("SKT-C-{i}"), "64.71"),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let mut statuses = futures_util::future::join_all(attempts).await;
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    let listed = expect_json(
        app.get_as("/v1/ormas?region=64.71", &kota.officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}
