//! Plain Rust business types and rules: no web, no SQL.

pub mod applicant;
pub mod audit;
pub mod calendar;
pub mod citizen;
pub mod day;
pub mod deadline;
pub mod dossier;
pub mod feedback;
pub mod fields;
pub mod holidays;
pub mod lunar;
pub mod office;
pub mod personal_data;
pub mod procedure;
pub mod reception;
pub mod report;
pub mod role;
pub mod scan;
pub mod text;
pub mod throttle;
pub mod time;
pub mod two_factor;
pub mod user;
pub mod workflow;

pub use role::Role;
