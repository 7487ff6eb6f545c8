//! The web side of authentication: cookie sessions, CSRF, logging in, and
//! the extractors that enforce each route's roles. Used by `web` alone;
//! password hashing and random tokens are `services::passwords`, the
//! throttling rules `domain::throttle`.

pub mod csrf;
pub mod extract;
pub mod login;
pub mod session;

pub use extract::{ApiStaff, Staff};
