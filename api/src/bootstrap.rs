//! Creating accounts from the command line: the first administrator, and the demo accounts.

use ormas_domain::auth::{check_password, username_key, valid_username};
use ormas_domain::{RegionCode, Role};
use ormas_persistence::audit::{self as audit_log, AuditRow};
use ormas_persistence::identity::{self, ClientRow, UserRow};
use ormas_persistence::{AnyConnection, DatabaseTarget, in_transaction, reference};

use crate::auth::{hash_password, now, random_token, token_hash};

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
        occurred_at: now(),
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
    let at = now();
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
    in_transaction(conn, |conn| {
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
                created_at: now(),
            };
            let event = cli_audit(
                "client.create",
                "client",
                &row.id,
                Some("64"),
                "demo".into(),
            );
            in_transaction(&mut conn, |conn| {
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
