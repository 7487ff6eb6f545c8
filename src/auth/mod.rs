//! Authentication: password hashing, sessions, CSRF, and the extractors that
//! enforce each route's roles.

pub mod csrf;
pub mod extract;
pub mod login;
pub mod password;
pub mod session;
pub mod throttle;

pub use extract::{ApiStaff, Staff};
