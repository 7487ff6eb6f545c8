//! What every handler (and `auth`'s extractors) share: the pool, the settings,
//! the password hasher, the calendar in force. Below `web` and `auth`, above
//! `services`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::db::Db;
use crate::domain::calendar::Calendar;
use crate::error::AppError;
use crate::services::citizens::FrontDoor;
use crate::services::dashboards::Overview;
use crate::services::reports::{Medians, Scope};

/// A page rendered at an instant, when this process had committed so many writes.
type CachedPage = (Instant, u64, Arc<str>);

/// Values computed per office set, with when they were computed.
type TtlCache<T> = Mutex<HashMap<Vec<i64>, (Instant, T)>>;

pub struct AppState {
    pub db: Db,
    pub config: Config,
    /// Verified against when a username does not exist (equal timing).
    pub dummy_hash: String,
    /// Password checks, bounded and outside the database pool.
    pub hashing: crate::services::passwords::Hashing,
    /// The calendar with the version it was built from.
    calendar: RwLock<Option<(String, Arc<Calendar>)>>,
    /// The usual remaining times by office set, recomputed after [`MEDIANS_TTL`].
    medians: TtlCache<Arc<Medians>>,
    /// The offices' month and year numbers by office set, for [`OVERVIEW_TTL`].
    overviews: TtlCache<Arc<Overview>>,
    /// How many dossiers are at risk, by office set, for [`OVERVIEW_TTL`].
    risk_counts: TtlCache<usize>,
    /// The public pages' office and contacts, for [`OVERVIEW_TTL`].
    front_door: Mutex<Option<(Instant, Arc<FrontDoor>)>>,
    /// Citizens' status pages as sent to visitors without a session, by
    /// token: (rendered at, this process's write count then, the page).
    status_pages: Mutex<HashMap<String, CachedPage>>,
}

/// How long an anonymous status page is reused when nothing was written
/// here since: a change made through another instance shows after at most
/// this long.
pub const STATUS_PAGE_TTL: Duration = Duration::from_secs(2);

/// The most status pages kept; the cache starts over when full.
const STATUS_PAGES_KEPT: usize = 10_000;

/// How long the home pages reuse an office set's month and year numbers:
/// counting a year of dossiers takes a second at a million, so each
/// instance does it at most once a minute (open and overdue counts are live).
pub const OVERVIEW_TTL: Duration = Duration::from_secs(60);

/// How long the medians of the office's history are reused: they move slowly.
pub const MEDIANS_TTL: Duration = Duration::from_secs(15 * 60);

impl AppState {
    pub fn new(db: Db, config: Config, dummy_hash: String) -> AppState {
        AppState {
            db,
            config,
            dummy_hash,
            hashing: crate::services::passwords::Hashing::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            calendar: RwLock::new(None),
            medians: Mutex::new(HashMap::new()),
            overviews: Mutex::new(HashMap::new()),
            risk_counts: Mutex::new(HashMap::new()),
            front_door: Mutex::new(None),
            status_pages: Mutex::new(HashMap::new()),
        }
    }

    /// The status page of `token` rendered less than [`STATUS_PAGE_TTL`] ago
    /// with no write committed here since.
    pub fn cached_status_page(&self, token: &str) -> Option<Arc<str>> {
        let cache = self.status_pages.lock().ok()?;
        let (at, writes, page) = cache.get(token)?;
        (at.elapsed() < STATUS_PAGE_TTL && *writes == crate::db::writes()).then(|| page.clone())
    }

    /// Keeps a status page rendered when the write count was `writes`.
    pub fn keep_status_page(&self, token: &str, writes: u64, page: Arc<str>) {
        if let Ok(mut cache) = self.status_pages.lock() {
            if cache.len() >= STATUS_PAGES_KEPT {
                cache.retain(|_, (at, _, _)| at.elapsed() < STATUS_PAGE_TTL);
                if cache.len() >= STATUS_PAGES_KEPT {
                    cache.clear();
                }
            }
            cache.insert(token.to_string(), (Instant::now(), writes, page));
        }
    }

    /// The office the public pages speak for, with its contacts; at most
    /// [`OVERVIEW_TTL`] old (this instance forgets it when it edits an office).
    pub async fn front_door(&self) -> Result<Arc<FrontDoor>, AppError> {
        if let Ok(cache) = self.front_door.lock() {
            if let Some((at, f)) = cache.as_ref() {
                if at.elapsed() < OVERVIEW_TTL {
                    return Ok(f.clone());
                }
            }
        }
        let f = Arc::new(self.db.run(crate::services::citizens::front_door).await?);
        if let Ok(mut cache) = self.front_door.lock() {
            *cache = Some((Instant::now(), f.clone()));
        }
        Ok(f)
    }

    pub fn forget_front_door(&self) {
        if let Ok(mut cache) = self.front_door.lock() {
            *cache = None;
        }
    }

    /// How many open dossiers of `offices` are at risk (the home page's
    /// count; the list itself is always live), at most [`OVERVIEW_TTL`] old.
    pub async fn at_risk_count(
        &self,
        offices: Vec<i64>,
        cal: Arc<Calendar>,
    ) -> Result<usize, AppError> {
        if let Ok(cache) = self.risk_counts.lock() {
            if let Some((at, n)) = cache.get(&offices) {
                if at.elapsed() < OVERVIEW_TTL {
                    return Ok(*n);
                }
            }
        }
        let medians = self.medians(offices.clone(), cal.clone()).await?;
        let ids = offices.clone();
        let n = self
            .db
            .run(move |conn| {
                crate::services::dashboards::at_risk_count(
                    conn,
                    &cal,
                    &ids,
                    &medians,
                    crate::domain::time::today(),
                )
            })
            .await?;
        if let Ok(mut cache) = self.risk_counts.lock() {
            cache.retain(|_, (at, _)| at.elapsed() < OVERVIEW_TTL);
            cache.insert(offices, (Instant::now(), n));
        }
        Ok(n)
    }

    /// The month and year numbers of `scope` (see `services::dashboards::overview`),
    /// at most [`OVERVIEW_TTL`] old.
    pub async fn overview(&self, scope: Arc<Scope>) -> Result<Arc<Overview>, AppError> {
        let key = scope.ids();
        if let Ok(cache) = self.overviews.lock() {
            if let Some((at, o)) = cache.get(&key) {
                if at.elapsed() < OVERVIEW_TTL {
                    return Ok(o.clone());
                }
            }
        }
        let o = Arc::new(
            self.db
                .run(move |conn| {
                    crate::services::dashboards::overview(
                        conn,
                        &scope,
                        crate::domain::time::today(),
                    )
                })
                .await?,
        );
        if let Ok(mut cache) = self.overviews.lock() {
            cache.retain(|_, (at, _)| at.elapsed() < OVERVIEW_TTL);
            cache.insert(key, (Instant::now(), o.clone()));
        }
        Ok(o)
    }

    /// The medians of `offices`' history (see `services::reports::medians`),
    /// computed at most every [`MEDIANS_TTL`] by each instance.
    pub async fn medians(
        &self,
        offices: Vec<i64>,
        cal: Arc<Calendar>,
    ) -> Result<Arc<Medians>, AppError> {
        if let Ok(cache) = self.medians.lock() {
            if let Some((at, m)) = cache.get(&offices) {
                if at.elapsed() < MEDIANS_TTL {
                    return Ok(m.clone());
                }
            }
        }
        let key = offices.clone();
        let m = Arc::new(
            self.db
                .run(move |conn| {
                    crate::services::reports::medians(
                        conn,
                        &cal,
                        &offices,
                        crate::domain::time::today(),
                    )
                })
                .await?,
        );
        if let Ok(mut cache) = self.medians.lock() {
            cache.retain(|_, (at, _)| at.elapsed() < MEDIANS_TTL);
            cache.insert(key, (Instant::now(), m.clone()));
        }
        Ok(m)
    }

    /// The calendar in force. It is rebuilt when another instance (or this one)
    /// changed it, which a version stamp in the settings tells.
    pub async fn calendar(&self) -> Result<Arc<Calendar>, AppError> {
        let version = self.db.run(crate::db::calendar::version).await?;
        if let Ok(guard) = self.calendar.read() {
            if let Some((v, cal)) = guard.as_ref() {
                if *v == version {
                    return Ok(cal.clone());
                }
            }
        }
        let (version, cal) = self
            .db
            .run(|conn| {
                let version = crate::db::calendar::version(conn)?;
                Ok((version, Arc::new(crate::services::calendar::build(conn)?)))
            })
            .await?;
        if let Ok(mut guard) = self.calendar.write() {
            *guard = Some((version, cal.clone()));
        }
        Ok(cal)
    }
}
