//! Online backup and checked restore of the embedded SQLite database.
//!
//! `backup` uses `VACUUM INTO`: one read transaction, so the copy is the
//! database as of one commit while the app keeps writing (WAL readers never
//! block writers). It is written beside its destination and renamed into
//! place, so a half-written backup never carries the final name.
//!
//! `restore` opens the candidate read-only, runs `PRAGMA integrity_check`,
//! checks that it is a Một Cửa database this binary knows (every migration it
//! applied is one of ours), keeps the current database aside, and moves the
//! backup into place with the WAL files of the old one removed. PostgreSQL is
//! backed up with its own tools (README, Deployment).

use std::path::{Path, PathBuf};

use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::SqliteConnection;

use super::{sqlite_path, Backend, SQLITE_MIGRATIONS};

/// What a backup or restore did, for the operator.
#[derive(Debug, Clone)]
pub struct Copied {
    pub path: PathBuf,
    pub bytes: u64,
    pub dossiers: i64,
    /// Where the database that was replaced went (restore only).
    pub previous: Option<PathBuf>,
}

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn sqlite_only(database_url: &str) -> Result<&str, String> {
    match Backend::of_url(database_url) {
        Backend::Sqlite => Ok(sqlite_path(database_url)),
        Backend::Postgres => Err(
            "Cơ sở dữ liệu là PostgreSQL: sao lưu bằng pg_dump và khôi phục bằng pg_restore \
             (xem mục Triển khai trong README)."
                .into(),
        ),
    }
}

fn open(path: &Path) -> Result<SqliteConnection, String> {
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| format!("Không mở được {}: {e}", path.display()))?;
    diesel::sql_query("PRAGMA busy_timeout = 10000")
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// A path beside `path` with `suffix` added to its file name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Puts a file, then its folder's entry for it, on disk.
fn sync(path: &Path) -> Result<(), String> {
    let flush = |p: &Path| std::fs::File::open(p).and_then(|f| f.sync_all());
    flush(path).map_err(|e| format!("Không ghi được {} xuống đĩa: {e}", path.display()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = flush(dir);
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

/// Copies the live database at `database_url` to `dest`, consistently.
pub fn backup(database_url: &str, dest: &Path) -> Result<Copied, String> {
    let source = sqlite_only(database_url)?;
    if !Path::new(source).exists() {
        return Err(format!("Không có cơ sở dữ liệu {source}."));
    }
    if dest.exists() {
        return Err(format!(
            "Tệp {} đã có; chọn tên khác để không ghi đè bản sao lưu cũ.",
            dest.display()
        ));
    }
    let partial = beside(dest, ".partial");
    let _ = std::fs::remove_file(&partial);
    let mut conn = open(Path::new(source))?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(partial.to_string_lossy().as_ref())
        .execute(&mut conn)
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            format!("Không sao lưu được vào {}: {e}", dest.display())
        })?;
    drop(conn);
    let checked = check(&partial).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })?;
    sync(&partial)?;
    std::fs::rename(&partial, dest).map_err(|e| format!("Không đặt tên được bản sao lưu: {e}"))?;
    sync(dest)?;
    Ok(Copied {
        path: dest.to_path_buf(),
        bytes: std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0),
        dossiers: checked,
        previous: None,
    })
}

/// Checks that `path` is a sound Một Cửa database this binary can run;
/// answers its number of dossiers.
pub fn check(path: &Path) -> Result<i64, String> {
    if !path.is_file() {
        return Err(format!("Không có tệp {}.", path.display()));
    }
    // A plain path (a URI would need escaping), read-only by pragma; the
    // file exists (checked above), so opening creates nothing.
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| format!("{} không phải cơ sở dữ liệu SQLite: {e}", path.display()))?;
    diesel::sql_query("PRAGMA query_only = 1")
        .execute(&mut conn)
        .map_err(|e| format!("{} không phải cơ sở dữ liệu SQLite: {e}", path.display()))?;
    let integrity: Vec<One> =
        diesel::sql_query("SELECT integrity_check AS value FROM pragma_integrity_check()")
            .load(&mut conn)
            .map_err(|e| format!("{} không phải cơ sở dữ liệu SQLite: {e}", path.display()))?;
    let problems: Vec<String> = integrity
        .into_iter()
        .map(|r| r.value)
        .filter(|v| v != "ok")
        .collect();
    if !problems.is_empty() {
        return Err(format!(
            "{} bị hỏng: {}",
            path.display(),
            problems.join("; ")
        ));
    }
    let applied: Vec<One> =
        diesel::sql_query("SELECT version AS value FROM __diesel_schema_migrations")
            .load(&mut conn)
            .map_err(|_| format!("{} không phải cơ sở dữ liệu Một Cửa.", path.display()))?;
    let known: Vec<String> =
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect();
    if let Some(unknown) = applied.iter().find(|a| !known.contains(&a.value)) {
        return Err(format!(
            "{} do phiên bản mới hơn tạo ra (cập nhật {}); hãy cài phiên bản đó trước khi khôi phục.",
            path.display(),
            unknown.value
        ));
    }
    let count: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM dossiers")
        .get_result(&mut conn)
        .map_err(|_| format!("{} không phải cơ sở dữ liệu Một Cửa.", path.display()))?;
    Ok(count.n)
}

/// Replaces the database at `database_url` with the checked backup `from`.
/// The app must be stopped; the replaced database is kept beside it.
pub fn restore(database_url: &str, from: &Path, stamp: &str) -> Result<Copied, String> {
    let target = PathBuf::from(sqlite_only(database_url)?);
    let dossiers = check(from)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    // Copy first under a temporary name on the target's file system, so
    // the swap below is a rename.
    let incoming = beside(&target, ".restoring");
    std::fs::copy(from, &incoming).map_err(|e| format!("Không chép được bản sao lưu: {e}"))?;
    sync(&incoming)?;
    let previous = if target.exists() {
        // Fold the WAL into the old file so that what is kept aside is
        // whole; a connection still writing (the app not stopped) makes the
        // checkpoint busy, and the restore stops there.
        let folded = open(&target).and_then(|mut conn| {
            diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
                .get_result::<Checkpoint>(&mut conn)
                .map_err(|e| e.to_string())
        });
        match folded {
            Ok(c) if c.busy == 0 => {}
            _ => {
                let _ = std::fs::remove_file(&incoming);
                return Err(format!(
                    "Cơ sở dữ liệu {} đang được dùng: hãy dừng máy chủ Một Cửa rồi khôi phục lại.",
                    target.display()
                ));
            }
        }
        let aside = beside(&target, &format!(".truoc-khoi-phuc-{stamp}"));
        if aside.exists() {
            let _ = std::fs::remove_file(&incoming);
            return Err(format!(
                "Tệp {} đã có; chờ một giây rồi chạy lại.",
                aside.display()
            ));
        }
        std::fs::rename(&target, &aside)
            .map_err(|e| format!("Không cất được cơ sở dữ liệu hiện tại: {e}"))?;
        // Whatever the WAL still holds goes aside with its database.
        for suffix in ["-wal", "-shm"] {
            let from = beside(&target, suffix);
            if from.exists() {
                let _ = std::fs::rename(&from, beside(&aside, suffix));
            }
        }
        Some(aside)
    } else {
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(beside(&target, suffix));
        }
        None
    };
    std::fs::rename(&incoming, &target).map_err(|e| format!("Không khôi phục được: {e}"))?;
    sync(&target)?;
    Ok(Copied {
        path: target.clone(),
        bytes: std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0),
        dossiers,
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = std::env::temp_dir().join(format!("motcua-backup-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let junk = dir.join("junk.sqlite3");
        std::fs::write(&junk, b"not a database at all, just text").unwrap();
        assert!(check(&junk).is_err());
        assert!(check(&dir.join("missing")).is_err());
        let target = dir.join("db.sqlite3");
        assert!(restore(&target.to_string_lossy(), &junk, "x").is_err());
        assert!(!target.exists(), "nothing replaced");
        assert!(backup("postgres://u@h/db", &dir.join("b")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
