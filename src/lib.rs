//! Một Cửa: the one-stop shop (cơ chế một cửa) of a Vietnamese public office.
//!
//! Layers, each importing only those below it:
//! `web` (handlers, with `auth`'s sessions, CSRF and role extractors) →
//! `services` (the use cases) → `db` (SQL) → `domain` (plain rules).
//! `state` (what handlers share) sits between `auth` and `services`;
//! `startup` and `cli` assemble the application; `config` and `error` serve
//! every layer.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod services;
pub mod startup;
pub mod state;
pub mod web;

pub use config::Config;
pub use startup::Application;
