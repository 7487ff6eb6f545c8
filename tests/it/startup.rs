//! First start: migration, default office, the admin account, health.

use crate::helpers::{fresh_database, start, test_config, Backend};

fn first_run_prints_a_generated_admin_password(backend: Backend) -> Option<()> {
    let url = fresh_database(backend)?;
    let mut config = test_config(&url);
    config.admin_password = None;
    let app = start(config.clone());
    let password = app
        .generated_admin_password
        .clone()
        .expect("a generated password");
    assert!(password.len() >= 12);
    // A second start on the same database creates nothing and prints nothing.
    let again = start(config);
    assert!(again.generated_admin_password.is_none());
    let _ = (app, password);
    Some(())
}

async fn generated_admin_must_change_password(backend: Backend) {
    let Some(url) = fresh_database(backend) else {
        return;
    };
    let mut config = test_config(&url);
    config.admin_password = None;
    let app = start(config);
    let password = app.generated_admin_password.clone().expect("generated");
    let r = app.login("admin", &password).await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app.get("/admin/users").await;
    assert_eq!(r.headers()["location"], "/account/password");
    // The API is closed too until the password is changed.
    let r = app.api_token("admin", &password).await;
    assert_eq!(r.status().as_u16(), 403);
    let e: serde_json::Value = r.json().await.expect("json");
    assert_eq!(e["error"], "password_change_required");
    let (status, health) = app.get_text("/healthz").await;
    assert_eq!(status, 200);
    assert!(health.contains("\"ok\""));
}

#[tokio::test]
async fn first_run_admin_sqlite() {
    first_run_prints_a_generated_admin_password(Backend::Sqlite).expect("sqlite runs");
    generated_admin_must_change_password(Backend::Sqlite).await;
}

#[tokio::test]
async fn first_run_admin_postgres() {
    if first_run_prints_a_generated_admin_password(Backend::Postgres).is_some() {
        generated_admin_must_change_password(Backend::Postgres).await;
    }
}

/// Several instances starting at once on one PostgreSQL database migrate it
/// once and create one admin (the advisory lock).
#[tokio::test]
async fn instances_starting_together_share_one_database() {
    let Some(url) = fresh_database(Backend::Postgres) else {
        return;
    };
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let mut config = test_config(&url);
            config.admin_password = None;
            std::thread::spawn(move || motcua::startup::prepare_database(&config).map(|(_, b)| b))
        })
        .collect();
    let mut generated = 0;
    let mut secrets = Vec::new();
    for h in handles {
        let boot = h.join().expect("thread").expect("each instance starts");
        generated += usize::from(boot.generated_admin_password.is_some());
        secrets.push(boot.session_secret);
    }
    assert_eq!(generated, 1, "exactly one admin created");
    secrets.dedup();
    assert_eq!(secrets.len(), 1, "every instance shares one session key");

    // A session made on one instance is valid on another.
    let a = start(test_config(&url));
    let mut b = start(test_config(&url));
    b.client = a.client.clone();
    let password = {
        // Set a known admin password through the CLI-equivalent path.
        let db = motcua::db::Db::connect(&url).expect("db");
        let mut conn = db.get().expect("conn");
        let hash =
            motcua::services::passwords::hash(motcua::config::HashCost::Test, "chung-ca-hai-1")
                .expect("hash");
        let admin = motcua::db::users::User::find_by_username(&mut conn, "admin")
            .expect("query")
            .expect("admin");
        motcua::db::users::User::set_password(
            &mut conn,
            admin.id,
            &hash,
            false,
            motcua::domain::time::now_utc(),
        )
        .expect("set");
        "chung-ca-hai-1"
    };
    assert_eq!(a.login("admin", password).await.status().as_u16(), 303);
    assert_eq!(
        b.get("/admin/users").await.status().as_u16(),
        200,
        "instance B honours A's cookie"
    );
}

#[tokio::test]
async fn health_answers_on_sqlite() {
    let app = crate::helpers::spawn_app(Backend::Sqlite)
        .await
        .expect("app");
    let r = app.get("/healthz").await;
    assert_eq!(r.status().as_u16(), 200);
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!(v["status"], "ok");
    let css = app.get("/static/css/app.css").await;
    assert_eq!(css.status().as_u16(), 200);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/css"));
    let font = app.get("/static/fonts/NotoSans-Regular.ttf").await;
    assert_eq!(font.status().as_u16(), 200);
}
