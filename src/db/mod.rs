//! The data layer: one connection type over SQLite and PostgreSQL, the pool,
//! migrations, and one module per table holding that table's queries.

pub mod api_tokens;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod dossiers;
pub mod feedback;
pub mod files;
pub mod idempotency;
pub mod libpq;
pub mod login_failures;
pub mod lookups;
pub mod notices;
pub mod offices;
pub mod outbox;
pub mod personal_data;
pub mod postal;
pub mod procedures;
pub mod ratings;
pub mod reports;
pub mod revoked_sessions;
pub mod schema;
pub mod sequences;
pub mod settings;
pub mod submissions;
pub mod supplements;
pub mod two_factor;
pub mod users;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::AppError;

/// One connection, either backend. SQLite is last: it accepts any path.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The SQLite path of a URL such as `sqlite://data/motcua.db` or a plain path.
pub(crate) fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            for pragma in [
                "PRAGMA busy_timeout = 10000",
                "PRAGMA synchronous = NORMAL",
                "PRAGMA foreign_keys = ON",
            ] {
                diesel::sql_query(pragma)
                    .execute(c)
                    .map_err(diesel::r2d2::Error::QueryError)?;
            }
        }
        Ok(())
    }
}

/// WAL is a property of the database file: set it once, on one connection,
/// before the pool opens several (switching needs an exclusive lock).
fn enable_wal(path: &str) -> Result<(), AppError> {
    let mut conn = diesel::SqliteConnection::establish(path)
        .map_err(|e| AppError::Startup(format!("Không mở được cơ sở dữ liệu {path}: {e}")))?;
    diesel::sql_query("PRAGMA busy_timeout = 10000").execute(&mut conn)?;
    diesel::sql_query("PRAGMA journal_mode = WAL").execute(&mut conn)?;
    Ok(())
}

pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PooledDb = PooledConnection<ConnectionManager<DbConnection>>;

/// The application's handle on its database.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
}

impl Db {
    /// Opens a pool on `url`, creating the SQLite file's folder when needed.
    pub fn connect(url: &str) -> Result<Db, AppError> {
        let backend = Backend::of_url(url);
        let (manager_url, size) = match backend {
            Backend::Postgres => {
                libpq::keep_openssl_until_exit();
                (url.to_string(), 2 * num_cpus())
            }
            Backend::Sqlite => {
                let path = sqlite_path(url);
                if let Some(dir) = std::path::Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            AppError::Startup(format!(
                                "Không tạo được thư mục dữ liệu {}: {e}",
                                dir.display()
                            ))
                        })?;
                    }
                }
                enable_wal(path)?;
                (path.to_string(), 4 + num_cpus())
            }
        };
        let pool = Pool::builder()
            .max_size(size as u32)
            // A SQLite connection is a file handle that does not go stale; a
            // PostgreSQL one can (a restarted server), so it is pinged.
            .test_on_check_out(backend == Backend::Postgres)
            // Connections open on demand: no background connecting that
            // could still be running when the process exits.
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(15))
            .connection_customizer(Box::new(SqlitePragmas))
            .build(ConnectionManager::<DbConnection>::new(manager_url))
            .map_err(|e| AppError::Startup(format!("Không kết nối được cơ sở dữ liệu: {e}")))?;
        Ok(Db { pool, backend })
    }

    /// (open connections, idle ones, the most the pool opens), for `/metrics`.
    pub fn pool_use(&self) -> (u32, u32, u32) {
        let state = self.pool.state();
        (
            state.connections,
            state.idle_connections,
            self.pool.max_size(),
        )
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for synchronous use (command line, start-up).
    pub fn get(&self) -> Result<PooledDb, AppError> {
        Ok(self.pool.get()?)
    }

    /// Runs blocking database work off the async workers.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// Applies pending migrations for the connection's backend.
pub fn migrate(conn: &mut DbConnection) -> Result<(), AppError> {
    let applied = match conn {
        DbConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    }
    .map_err(|e| AppError::Startup(format!("Lỗi khi cập nhật cấu trúc cơ sở dữ liệu: {e}")))?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(())
}

/// Write transactions committed by this process: a page cache keyed on it
/// knows when something here changed (other instances' writes wait out the
/// cache's short lifetime).
static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many write transactions this process has committed.
pub fn writes() -> u64 {
    WRITES.load(std::sync::atomic::Ordering::Acquire)
}

fn count_write<T, E>(result: Result<T, E>) -> Result<T, E> {
    if result.is_ok() {
        WRITES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }
    result
}

/// One SQLite writer at a time in this process (see `write_tx`).
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in one write transaction. On SQLite it starts `IMMEDIATE`, taking
/// the write lock at once (waiting on `busy_timeout`), since a deferred
/// transaction that reads and then writes fails with SQLITE_BUSY under load.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConnection::Sqlite(inner) = conn else {
        return count_write(conn.transaction(f));
    };
    let nested = AnsiTransactionManager::transaction_manager_status_mut(inner)
        .transaction_depth()
        .map_err(E::from)?
        .is_some();
    if nested {
        return count_write(conn.transaction(f));
    }
    // Writers of this process queue here rather than in SQLite's busy
    // handler, which polls with sleeps of up to 100 ms and leaves the lock
    // idle in between. (Other processes, the command line, still wait on
    // `busy_timeout`.)
    let _writer = SQLITE_WRITER.lock().unwrap_or_else(|e| e.into_inner());
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE").map_err(E::from)?;
    match f(conn) {
        Ok(value) => {
            if let Err(e) =
                <DbConnection as Connection>::TransactionManager::commit_transaction(conn)
            {
                let _ =
                    <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
                return Err(E::from(e));
            }
            count_write(Ok(value))
        }
        Err(e) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)
                .map_err(E::from)?;
            Err(e)
        }
    }
}

/// Holds PostgreSQL's advisory lock for the duration of `f`, so that several
/// instances starting at once migrate and seed one at a time. SQLite
/// serialises writers itself.
pub fn with_startup_lock<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
) -> Result<T, AppError> {
    const LOCK_KEY: i64 = 0x6d6f_7463_7561; // "motcua"
    if let DbConnection::Postgresql(c) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_lock({LOCK_KEY})")).execute(c)?;
    }
    let result = f(conn);
    if let DbConnection::Postgresql(c) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_unlock({LOCK_KEY})")).execute(c)?;
    }
    result
}

/// Whether an error is a unique-key violation: two requests inserted the same
/// row at once. The loser retries and finds the row.
pub fn is_unique_violation(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Db(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _
        ))
    )
}

/// Runs `f`, once more if it lost an insert race.
pub fn retry_on_conflict<T>(
    conn: &mut DbConnection,
    mut f: impl FnMut(&mut DbConnection) -> Result<T, AppError>,
) -> Result<T, AppError> {
    match f(conn) {
        Err(e) if is_unique_violation(&e) => f(conn),
        other => other,
    }
}

/// Whether the database answers (for `/healthz`).
pub fn ping(conn: &mut DbConnection) -> Result<(), AppError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(Backend::of_url("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("postgresql://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of_url("data/motcua.db"), Backend::Sqlite);
        assert_eq!(sqlite_path("sqlite://data/x.db"), "data/x.db");
        assert_eq!(sqlite_path("data/x.db"), "data/x.db");
    }
}
