//! Creating accounts from the command line: the first administrator, and the demo accounts.

use ormas_domain::auth::{check_password, username_key, valid_username};
use ormas_domain::{RegionCode, Role};
use ormas_persistence::audit::{self as audit_log, AuditRow};
use ormas_persistence::identity::{self, ClientRow, UserRow};
use ormas_persistence::{AnyConnection, DatabaseTarget, in_write_transaction, reference};

use crate::auth::{hash_password, random_token, token_hash};
use crate::clock::now_utc;

/// The password of every demo account. Demo data only: never seed it into production.
pub const DEMO_PASSWORD: &str = "ormas-demo-2026";

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub region: Option<String>,
    pub password: String,
}

fn cli_audit(
    action: &str,
    target_type: &str,
    target_id: &str,
    region: Option<&str>,
    detail: String,
) -> AuditRow {
    AuditRow {
        id: uuid::Uuid::now_v7().to_string(),
        occurred_at: now_utc(),
        actor_id: None,
        actor_name: Some("cli".into()),
        action: action.into(),
        target_type: Some(target_type.into()),
        target_id: Some(target_id.into()),
        region_code: region.map(str::to_owned),
        request_id: None,
        outcome: "success".into(),
        detail: Some(detail),
    }
}

/// Checks and creates one account.
pub fn create_account(conn: &mut AnyConnection, account: &NewAccount) -> Result<UserRow, String> {
    if !valid_username(&account.username) {
        return Err(format!(
            "username `{}`: use 3–64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            account.username
        ));
    }
    check_password(&account.password, &account.username).map_err(|e| format!("password {e}"))?;
    match &account.region {
        Some(code) => {
            RegionCode::parse(code).map_err(|e| e.to_string())?;
            if reference::find_region(conn, code)
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Err(format!("no region has the code {code}"));
            }
        }
        None if !matches!(account.role, Role::SuperAdmin | Role::OrmasRep) => {
            return Err(format!("a {} account needs --region", account.role));
        }
        None => {}
    }
    let at = now_utc();
    let row = UserRow {
        id: uuid::Uuid::now_v7().to_string(),
        username: account.username.clone(),
        username_key: username_key(&account.username),
        display_name: account.display_name.clone(),
        email: account.email.clone(),
        password_hash: hash_password(&account.password).map_err(|e| e.to_string())?,
        role: account.role.as_str().into(),
        region_code: account.region.clone(),
        ormas_id: None,
        active: true,
        token_version: 1,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let event = cli_audit(
        "user.create",
        "user",
        &row.id,
        row.region_code.as_deref(),
        format!("role {}", row.role),
    );
    in_write_transaction(conn, |conn| {
        identity::insert_user(conn, &row)?;
        audit_log::record(conn, &event)
    })
    .map_err(|e| match e {
        ormas_persistence::PersistenceError::UniqueViolation(_) => {
            format!("the username {} is taken", account.username)
        }
        other => other.to_string(),
    })?;
    Ok(row)
}

/// One demo credential, for printing.
#[derive(Debug, Clone)]
pub struct DemoCredential {
    pub username: String,
    pub role: Role,
    pub region: Option<String>,
    /// `None` when the account already existed.
    pub secret: Option<String>,
    pub kind: &'static str,
}

/// The demo accounts: a super_admin, and an admin, officer, head and oversight member for each of
/// Kalimantan Timur (`64`), Kota Balikpapan (`64.71`), Kabupaten Paser (`64.01`) and Kalimantan
/// Tengah (`62`); an unbound representative; and an integrator client for `64`.
pub fn demo_accounts() -> Vec<NewAccount> {
    let mut accounts = vec![NewAccount {
        username: "superadmin".into(),
        display_name: "Super Admin (demo)".into(),
        email: None,
        role: Role::SuperAdmin,
        region: None,
        password: DEMO_PASSWORD.into(),
    }];
    for (region, place) in [
        ("64", "Provinsi Kalimantan Timur"),
        ("64.71", "Kota Balikpapan"),
        ("64.01", "Kabupaten Paser"),
        ("62", "Provinsi Kalimantan Tengah"),
    ] {
        for (role, title) in [
            (Role::Admin, "Admin"),
            (Role::Officer, "Petugas"),
            (Role::Head, "Kepala Badan"),
            (Role::Oversight, "Tim Terpadu"),
        ] {
            accounts.push(NewAccount {
                username: format!(
                    "{}.{}",
                    role.as_str().replace('_', ""),
                    region.replace('.', "")
                ),
                display_name: format!("{title} {place} (demo)"),
                email: None,
                role,
                region: Some(region.into()),
                password: DEMO_PASSWORD.into(),
            });
        }
    }
    accounts.push(NewAccount {
        username: "pengurus.demo".into(),
        display_name: "Pengurus Ormas (demo)".into(),
        email: None,
        role: Role::OrmasRep,
        region: None,
        password: DEMO_PASSWORD.into(),
    });
    accounts
}

pub const DEMO_CLIENT_ID: &str = "integrator.64";

/// Creates the demo accounts that do not exist yet, and the demo client.
pub fn seed_demo(target: &DatabaseTarget) -> Result<Vec<DemoCredential>, String> {
    let mut conn = target.connect().map_err(|e| e.to_string())?;
    let mut credentials = Vec::new();
    for account in demo_accounts() {
        let exists = identity::find_user_by_username(&mut conn, &username_key(&account.username))
            .map_err(|e| e.to_string())?
            .is_some();
        if !exists {
            create_account(&mut conn, &account)?;
        }
        credentials.push(DemoCredential {
            username: account.username,
            role: account.role,
            region: account.region,
            secret: (!exists).then(|| DEMO_PASSWORD.to_owned()),
            kind: "user",
        });
    }
    let existing =
        identity::find_client_by_client_id(&mut conn, DEMO_CLIENT_ID).map_err(|e| e.to_string())?;
    let secret = match existing {
        Some(_) => None,
        None => {
            let secret = random_token();
            let row = ClientRow {
                id: uuid::Uuid::now_v7().to_string(),
                client_id: DEMO_CLIENT_ID.into(),
                name: "Integrator Kalimantan Timur (demo)".into(),
                secret_hash: token_hash(&secret),
                region_code: Some("64".into()),
                active: true,
                token_version: 1,
                created_by: None,
                created_at: now_utc(),
                version: 1,
            };
            let event = cli_audit(
                "client.create",
                "client",
                &row.id,
                Some("64"),
                "demo".into(),
            );
            in_write_transaction(&mut conn, |conn| {
                identity::insert_client(conn, &row)?;
                audit_log::record(conn, &event)
            })
            .map_err(|e| e.to_string())?;
            Some(secret)
        }
    };
    credentials.push(DemoCredential {
        username: DEMO_CLIENT_ID.into(),
        role: Role::Integrator,
        region: Some("64".into()),
        secret,
        kind: "client",
    });
    Ok(credentials)
}

/// Whether the database has no account yet.
pub fn has_no_accounts(target: &DatabaseTarget) -> Result<bool, String> {
    let mut conn = target.connect().map_err(|e| e.to_string())?;
    identity::count_users(&mut conn)
        .map(|n| n == 0)
        .map_err(|e| e.to_string())
}

/// The demo credentials as a table.
pub fn format_credentials(credentials: &[DemoCredential]) -> String {
    let mut out = String::from("Demo accounts (demo data only, never for production):\n");
    out.push_str(&format!(
        "  {:<20} {:<12} {:<8} {}\n",
        "username", "role", "region", "password / secret"
    ));
    for c in credentials {
        let secret = c.secret.clone().unwrap_or_else(|| match c.kind {
            "client" => "(exists; secret shown only when created)".into(),
            _ => "(existed already; password unchanged)".into(),
        });
        out.push_str(&format!(
            "  {:<20} {:<12} {:<8} {}\n",
            c.username,
            c.role.as_str(),
            c.region.as_deref().unwrap_or("nation"),
            secret
        ));
    }
    out
}

/// A small deterministic generator, so that every demo database is the same.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() as usize) % items.len()]
    }
}

pub const DEMO_REGISTRATIONS: usize = 200;
const DEMO_REGISTER_SEED: &str = "demo/register-200";

/// About 200 registrations across Kalimantan Timur and Kalimantan Tengah, in every state, with
/// boards and history; numbers come from the regions' real sequences. Runs once per database.
pub fn seed_demo_register(
    target: &DatabaseTarget,
    today: chrono::NaiveDate,
) -> Result<usize, String> {
    use ormas_domain::registration::{RegistrationState, skt_expires_on};
    use ormas_domain::{HolidayCalendar, add_working_days};
    use ormas_persistence::register::{
        self as reg, BoardMemberRow, EventRow, OrganisationRow, RegistrationRow,
    };
    use ormas_persistence::seed;

    let mut conn = target.connect().map_err(|e| e.to_string())?;
    if seed::is_recorded(&mut conn, DEMO_REGISTER_SEED).map_err(|e| e.to_string())? {
        let policy = ormas_domain::consultations::ConsultationPolicy::default();
        crate::demo_consultations::seed_demo_consultations(&mut conn, today, &policy)?;
        return Ok(0);
    }
    let mut regencies: Vec<String> = Vec::new();
    for province in ["64", "62"] {
        let filter = reference::RegionFilter {
            parent: RegionCode::parse(province).ok(),
            level: None,
            after: None,
            limit: 100,
        };
        regencies.extend(
            reference::list_regions(&mut conn, &filter)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|r| r.code),
        );
    }
    if regencies.is_empty() {
        return Err("no regions loaded".into());
    }
    let calendar = reference::holiday_calendar_from(&mut conn, today - chrono::Days::new(800))
        .unwrap_or_else(|_| HolidayCalendar::new());
    let words = [
        "Pemuda",
        "Peduli",
        "Lingkungan",
        "Budaya",
        "Nusantara",
        "Sejahtera",
        "Mandiri",
        "Bersatu",
        "Harapan",
        "Bangsa",
        "Kalimantan",
        "Mahakam",
        "Borneo",
        "Insan",
        "Cendekia",
        "Karya",
    ];
    let heads = [
        "Perkumpulan",
        "Yayasan",
        "Ikatan",
        "Forum",
        "Lembaga",
        "Persatuan",
        "Himpunan",
        "Gerakan",
    ];
    let fields = [
        "sosial",
        "keagamaan",
        "kepemudaan",
        "pendidikan",
        "kesehatan",
        "lingkungan_hidup",
        "budaya",
        "ekonomi",
        "olahraga",
    ];
    let states = [
        (RegistrationState::Draft, 15),
        (RegistrationState::Submitted, 15),
        (RegistrationState::NeedsRevision, 10),
        (RegistrationState::Registered, 45),
        (RegistrationState::Rejected, 5),
        (RegistrationState::Lapsed, 5),
        (RegistrationState::Dissolved, 5),
    ];
    let mut rng = Lcg(20261122);
    let at = now_utc();
    in_write_transaction(&mut conn, |conn| {
        for i in 0..DEMO_REGISTRATIONS {
            let region = rng.pick(&regencies).clone();
            let roll = (rng.next() % 100) as i32;
            let mut acc = 0;
            let state = states
                .iter()
                .find(|(_, weight)| {
                    acc += weight;
                    roll < acc
                })
                .map(|(s, _)| *s)
                .unwrap_or(RegistrationState::Registered);
            let kind = match rng.next() % 3 {
                0 => "perkumpulan",
                1 => "yayasan",
                _ => "tidak_berbadan_hukum",
            };
            let name = format!(
                "{} {} {} {}",
                rng.pick(&heads),
                rng.pick(&words),
                rng.pick(&words),
                i + 1
            );
            let badan_hukum = kind != "tidak_berbadan_hukum";
            let issued = today - chrono::Days::new(200 + rng.next() % 2000);
            let org_id = uuid::Uuid::now_v7().to_string();
            let identity = if badan_hukum {
                format!("AHU-{:07}.AH.01.07.{}", 1000 + i, 2015 + i % 10)
            } else {
                format!("220/{:04}/DIII.3/{}", 100 + i, 2018 + i % 8)
            };
            let organisation = OrganisationRow {
                id: org_id.clone(),
                identity_key: Some(format!(
                    "{}:{}",
                    if badan_hukum { "ahu" } else { "skt" },
                    identity.to_uppercase()
                )),
                name,
                abbreviation: None,
                kind: kind.into(),
                ahu_number: badan_hukum.then(|| identity.clone()),
                ahu_date: badan_hukum.then_some(issued),
                skt_number: (!badan_hukum).then(|| identity.clone()),
                skt_issued_on: (!badan_hukum).then_some(issued),
                skt_issuer: (!badan_hukum).then(|| "Kementerian Dalam Negeri".to_owned()),
                skt_expires_on: if badan_hukum {
                    None
                } else {
                    skt_expires_on(issued)
                },
                npwp: Some(format!("{:015}", 10_000_000_000_000 + i as u64 * 7919)),
                founded_on: Some(issued - chrono::Days::new(365)),
                fields: serde_json::json!([rng.pick(&fields), rng.pick(&fields)]).to_string(),
                special_character: None,
                tiered: rng.next().is_multiple_of(4),
                created_at: at,
                updated_at: at,
                version: 1,
                dissolved_on: None,
                dissolution_decree: None,
            };
            reg::insert_organisation(conn, &organisation)?;
            let submitted = today - chrono::Days::new(rng.next() % 40);
            let wd = |d, n| add_working_days(d, n, &calendar).ok();
            let mut row = RegistrationRow {
                id: uuid::Uuid::now_v7().to_string(),
                organisation_id: org_id,
                region_code: region.clone(),
                district_code: None,
                address: format!("Jl. Demo No. {}", i + 1),
                phone: Some(format!("+62 5{:02} {:06}", i % 100, 100000 + i)),
                email: None,
                board_term_ends_on: Some(
                    today + chrono::Days::new(rng.next() % 1500) - chrono::Days::new(200),
                ),
                state: state.as_str().into(),
                registration_number: None,
                registration_date: None,
                submitted_on: (state != RegistrationState::Draft).then_some(submitted),
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
            match state {
                RegistrationState::Submitted => row.verification_due = wd(submitted, 15),
                RegistrationState::NeedsRevision => row.revision_due = wd(today, 10),
                RegistrationState::Lapsed => {
                    row.state = RegistrationState::NeedsRevision.as_str().into();
                    row.revision_due = Some(today - chrono::Days::new(1 + rng.next() % 30));
                }
                RegistrationState::Registered | RegistrationState::Dissolved => {
                    // Registered some time ago, so that reports and statistics have a history.
                    let submitted = today - chrono::Days::new(60 + rng.next() % 1500);
                    let seq = reg::next_registration_sequence(
                        conn,
                        &region,
                        chrono::Datelike::year(&submitted),
                    )?;
                    row.registration_number = Some(
                        ormas_domain::registration_number::NumberPattern::default().format(
                            seq.max(0) as u32,
                            &region,
                            submitted,
                        ),
                    );
                    row.registration_date = Some(submitted);
                    row.submitted_on = Some(submitted);
                }
                _ => {}
            }
            reg::insert_registration(conn, &row)?;
            if state == RegistrationState::Registered {
                demo_reports(conn, &row, today, &mut rng)?;
            }
            let province = &region[..2];
            let regency = region.get(3..5).unwrap_or("01");
            let members: Vec<BoardMemberRow> = ["ketua", "sekretaris", "bendahara"]
                .iter()
                .enumerate()
                .map(|(k, position)| BoardMemberRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    registration_id: row.id.clone(),
                    ordinal: k as i32,
                    position: (*position).into(),
                    name: format!("Pengurus {} {}", i + 1, position),
                    nik: format!(
                        "{province}{regency}01{:02}{:02}{:02}{:04}",
                        1 + (i + k) % 28,
                        1 + k % 12,
                        70 + (i % 25),
                        1 + i
                    ),
                    phone: None,
                    term_ends_on: row.board_term_ends_on,
                })
                .collect();
            reg::replace_board(conn, &row.id, &members)?;
            let event = EventRow {
                id: uuid::Uuid::now_v7().to_string(),
                registration_id: row.id.clone(),
                occurred_at: at,
                actor_id: None,
                actor_name: Some("demo".into()),
                action: "create".into(),
                from_state: None,
                to_state: Some(row.state.clone()),
                reason: Some("demo data".into()),
                notes: None,
                registration_number: row.registration_number.clone(),
            };
            reg::insert_event(conn, &event)?;
        }
        crate::demo_permits::seed_demo_permits(conn, today)?;
        seed::record(conn, DEMO_REGISTER_SEED)
    })
    .map_err(|e| e.to_string())?;
    crate::demo_grants::seed_demo_grants(target, today)?;
    let policy = ormas_domain::consultations::ConsultationPolicy::default();
    crate::demo_consultations::seed_demo_consultations(&mut conn, today, &policy)?;
    Ok(DEMO_REGISTRATIONS)
}

/// Accepted reports for the last two periods already due (two in three ormas file each), so the
/// demo's statistics show active and inactive ormas.
fn demo_reports(
    conn: &mut ormas_persistence::AnyConnection,
    registration: &ormas_persistence::register::RegistrationRow,
    today: chrono::NaiveDate,
    rng: &mut Lcg,
) -> ormas_persistence::PersistenceResult<()> {
    use ormas_persistence::reports::{self, ReportRow};
    let policy = ormas_domain::ReportingPolicy::default();
    let registered_on = registration.registration_date.unwrap_or(today);
    for period in policy.due_periods(today, 2) {
        if registered_on > period.end() || rng.next().is_multiple_of(3) {
            continue;
        }
        let due_on = policy.due_on(&period);
        let submitted_on =
            (due_on - chrono::Days::new(20) + chrono::Days::new(rng.next() % 30)).min(today);
        let accepted_on = (submitted_on + chrono::Days::new(3 + rng.next() % 10)).min(today);
        let seq = reports::next_receipt_sequence(
            conn,
            &registration.region_code,
            chrono::Datelike::year(&accepted_on),
        )?;
        let at = now_utc();
        reports::insert_report(
            conn,
            &ReportRow {
                id: uuid::Uuid::now_v7().to_string(),
                registration_id: registration.id.clone(),
                region_code: registration.region_code.clone(),
                period: period.to_string(),
                due_on,
                state: "accepted".into(),
                content: serde_json::json!({
                    "activities": [{"date": period.start() + chrono::Days::new(40), "place": "Sekretariat",
                        "description": "Rapat kerja dan bakti sosial (demo).", "document_ids": []}],
                    "finances": {"income": {"dues": 1_200_000, "donations": 500_000}, "spending": 1_400_000},
                    "signatories": {"ketua": "Ketua (demo)", "sekretaris": "Sekretaris (demo)"}
                })
                .to_string(),
                first_submitted_on: Some(submitted_on),
                submitted_on: Some(submitted_on),
                late: submitted_on > due_on,
                accepted_on: Some(accepted_on),
                accepted_by: None,
                receipt_number: Some(ormas_domain::reporting::receipt_number(
                    seq.max(0) as u32,
                    &registration.region_code,
                    accepted_on,
                )),
                return_reason: None,
                created_by: None,
                version: 1,
                created_at: at,
                updated_at: at,
            },
        )?;
    }
    Ok(())
}
