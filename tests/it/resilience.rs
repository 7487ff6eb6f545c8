//! Crashes and backups, on the real binary in its own process:
//! SIGKILL during concurrent receptions and actions loses nothing that was
//! acknowledged and leaves nothing half-written; `motcua backup` copies a
//! database being written and `motcua restore` brings the copy back.

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::dossiers_api::valid_body;
use crate::helpers::{count_sql, fresh_database, Backend, Process, TestApp};
use crate::processing::{new_dossier, team, Team};

/// Every dossier code in the database, through the API, in order.
async fn all_codes(app: &TestApp, token: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for page in 1.. {
        let list: Value = app
            .client
            .get(app.url(&format!("/api/v1/dossiers?per_page=200&page={page}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("json");
        let items = list["items"].as_array().expect("items").clone();
        if items.is_empty() {
            break;
        }
        codes.extend(
            items
                .iter()
                .map(|d| d["code"].as_str().expect("code").to_string()),
        );
    }
    codes.sort();
    codes
}

/// The codes are `<office>-<yymmdd>-0001` … `-000n`: unique and gapless.
fn assert_gapless(codes: &[String]) {
    let numbers: BTreeSet<usize> = codes
        .iter()
        .map(|c| {
            c.rsplit('-')
                .next()
                .expect("number")
                .parse()
                .expect("digits")
        })
        .collect();
    assert_eq!(numbers.len(), codes.len(), "codes are unique: {codes:?}");
    assert_eq!(
        numbers,
        (1..=codes.len()).collect::<BTreeSet<_>>(),
        "codes have no gap"
    );
}

/// Nothing half-written: every dossier has its receipt event, its documents
/// and its deadline record; every assigned one its assignment event; the
/// register counter matches the rows.
fn assert_whole(database_url: &str) {
    let q = |sql: &str| count_sql(database_url, sql);
    assert_eq!(
        q("SELECT COUNT(*) AS n FROM dossiers d WHERE NOT EXISTS \
           (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id AND e.action = 'receive')"),
        0,
        "every dossier has its receipt in its history"
    );
    assert_eq!(
        q("SELECT COUNT(*) AS n FROM dossiers d WHERE NOT EXISTS \
           (SELECT 1 FROM dossier_documents x WHERE x.dossier_id = d.id)"),
        0,
        "every dossier has its documents"
    );
    assert_eq!(
        q("SELECT COUNT(*) AS n FROM dossiers d WHERE NOT EXISTS \
           (SELECT 1 FROM dossier_deadlines x WHERE x.dossier_id = d.id)"),
        0,
        "every dossier has its deadline record"
    );
    assert_eq!(
        q(
            "SELECT COUNT(*) AS n FROM dossiers d WHERE d.assignee_id IS NOT NULL AND NOT EXISTS \
           (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id AND e.action = 'assign')"
        ),
        0,
        "every assignment is in the history"
    );
    assert_eq!(
        q("SELECT COUNT(*) AS n FROM dossiers"),
        q("SELECT CAST(COALESCE(MAX(register_number), 0) AS BIGINT) AS n FROM dossiers"),
        "register lines are gapless"
    );
}

/// What the load acknowledged: dossier codes answered 201, and codes whose
/// assignment was answered 200.
#[derive(Default)]
struct Acknowledged {
    received: Mutex<Vec<String>>,
    assigned: Mutex<Vec<String>>,
}

/// Receptions from `receivers` clients and assignments of `targets` from
/// four more, until `stop` or until the server stops answering.
fn load(
    app: &TestApp,
    t: &Team,
    targets: Vec<(String, i64)>,
    receivers: usize,
    stop: Arc<AtomicBool>,
    acked: Arc<Acknowledged>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for _ in 0..receivers {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/v1/dossiers"),
            t.reception.clone(),
        );
        let (stop, acked) = (stop.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let Ok(r) = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&valid_body())
                    .send()
                    .await
                else {
                    break;
                };
                if r.status().as_u16() != 201 {
                    break;
                }
                let Ok(body) = r.json::<Value>().await else {
                    break;
                };
                acked
                    .received
                    .lock()
                    .unwrap()
                    .push(body["code"].as_str().expect("code").to_string());
            }
        }));
    }
    let lanes = 4;
    for lane in 0..lanes {
        let mine: Vec<(String, i64)> = targets.iter().skip(lane).step_by(lanes).cloned().collect();
        let (client, base, token) = (app.client.clone(), app.address.clone(), t.leader.clone());
        let (stop, acked) = (stop.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            for (code, version) in mine {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(r) = client
                    .post(format!("{base}/api/v1/dossiers/{code}/actions"))
                    .bearer_auth(&token)
                    .json(&json!({"action": "assign", "officer": "chuyenvien", "version": version}))
                    .send()
                    .await
                else {
                    break;
                };
                if r.status().as_u16() != 200 || r.bytes().await.is_err() {
                    break;
                }
                acked.assigned.lock().unwrap().push(code);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    tasks
}

async fn sigkill_loses_nothing_acknowledged(backend: Backend) {
    let Some(url) = fresh_database(backend) else {
        return;
    };
    let mut server = Process::serve(&url, &[]).await;
    let app = server.app();
    let t = team(&app).await;
    let mut targets = Vec::new();
    for _ in 0..80 {
        let d = new_dossier(&app, &t, valid_body()).await;
        targets.push((
            d["code"].as_str().expect("code").to_string(),
            d["version"].as_i64().expect("version"),
        ));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Acknowledged::default());
    let tasks = load(&app, &t, targets, 12, stop.clone(), acked.clone());
    // Kill while the load is well under way.
    for _ in 0..1200 {
        let done = acked.received.lock().unwrap().len() + acked.assigned.lock().unwrap().len();
        if done >= 120 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    server.kill();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("load task");
    }
    let received = acked.received.lock().unwrap().clone();
    let assigned = acked.assigned.lock().unwrap().clone();
    assert!(
        received.len() >= 20 && !assigned.is_empty(),
        "the kill came under load ({} receptions, {} assignments acknowledged)",
        received.len(),
        assigned.len()
    );

    // Restart on the same database, as after a crash.
    let server = Process::serve(&url, &[]).await;
    let app = server.app();
    let codes = all_codes(&app, &t.reception).await;
    for code in &received {
        assert!(codes.contains(code), "acknowledged dossier {code} is there");
    }
    for code in &assigned {
        let d: Value = app
            .client
            .get(app.url(&format!("/api/v1/dossiers/{code}")))
            .bearer_auth(&t.leader)
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("json");
        assert_eq!(
            d["status"], "in_progress",
            "acknowledged assignment of {code}"
        );
        assert_eq!(d["assignee"], "chuyenvien");
    }
    assert_gapless(&codes);
    assert_whole(&url);
    // Numbering goes on from where it stopped.
    let next = new_dossier(&app, &t, valid_body()).await;
    let mut after = codes.clone();
    after.push(next["code"].as_str().expect("code").to_string());
    assert_gapless(&after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_load_sqlite() {
    sigkill_loses_nothing_acknowledged(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_load_postgres() {
    sigkill_loses_nothing_acknowledged(Backend::Postgres).await;
}

fn motcua(database_url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run motcua");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_under_load_restores_whole() {
    let url = fresh_database(Backend::Sqlite).expect("sqlite");
    let server = Process::serve(&url, &[]).await;
    let app = server.app();
    let t = team(&app).await;
    for _ in 0..10 {
        new_dossier(&app, &t, valid_body()).await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Acknowledged::default());
    let tasks = load(&app, &t, Vec::new(), 8, stop.clone(), acked.clone());
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while acked.received.lock().unwrap().len() < 30 {
        assert!(std::time::Instant::now() < deadline, "the load stalled");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Everything acknowledged before the backup starts must be in it.
    let before: Vec<String> = acked.received.lock().unwrap().clone();
    let dir = std::env::temp_dir().join(format!("motcua-backup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("motcua-backup.sqlite3");
    let file_arg = file.to_string_lossy().into_owned();
    let (ok, out, err) = tokio::task::spawn_blocking({
        let (url, file_arg) = (url.clone(), file_arg.clone());
        move || motcua(&url, &["backup", &file_arg])
    })
    .await
    .expect("backup");
    assert!(ok, "{err}");
    assert!(out.contains("Đã sao lưu"), "{out}");
    // The load goes on after the backup: what it acknowledges now cannot be in it.
    let at_end = acked.received.lock().unwrap().len();
    while acked.received.lock().unwrap().len() < at_end + 10 {
        assert!(std::time::Instant::now() < deadline, "the load stalled");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("load task");
    }
    let total = acked.received.lock().unwrap().len() + 10;

    // A second backup to the same name is refused: old backups are kept.
    let (ok, _, err) = motcua(&url, &["backup", &file_arg]);
    assert!(!ok);
    assert!(err.contains("đã có"), "{err}");

    // Restore into a new place, then over an existing database.
    let restored = dir.join("restored.sqlite3").to_string_lossy().into_owned();
    let (ok, out, err) = motcua(&restored, &["restore", &file_arg]);
    assert!(ok, "{err}");
    assert!(out.contains("Đã khôi phục"), "{out}");
    let (ok, out, err) = motcua(&restored, &["restore", &file_arg]);
    assert!(ok, "{err}");
    assert!(
        out.contains("được cất tại"),
        "the replaced database is kept: {out}"
    );

    let copy = Process::serve(&restored, &[]).await;
    let copy_app = copy.app();
    let codes = all_codes(&copy_app, &t.reception).await;
    for code in &before {
        assert!(
            codes.contains(code),
            "{code} acknowledged before the backup"
        );
    }
    assert!(
        codes.len() < total,
        "the copy is of one moment: {} of {total} dossiers",
        codes.len()
    );
    assert_gapless(&codes);
    assert_whole(&restored);
    // The restored office keeps working: the next code follows on.
    let r = copy_app
        .client
        .post(copy_app.url("/api/v1/dossiers"))
        .bearer_auth(&t.reception)
        .json(&valid_body())
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 201);
    let mut after = codes.clone();
    after.push(
        r.json::<Value>().await.expect("json")["code"]
            .as_str()
            .expect("code")
            .to_string(),
    );
    assert_gapless(&after);

    // Not a database, or a damaged one: refused, nothing replaced.
    let junk = dir.join("junk.sqlite3");
    std::fs::write(&junk, "đây không phải cơ sở dữ liệu").expect("write");
    let (ok, _, err) = motcua(&restored, &["restore", &junk.to_string_lossy()]);
    assert!(!ok);
    assert!(err.contains("không phải cơ sở dữ liệu"), "{err}");
    drop(copy);
    let _ = std::fs::remove_dir_all(&dir);
}
