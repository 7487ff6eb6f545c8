//! Integration tests: the real application on a random port, over HTTP,
//! on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod access_matrix;
mod hardening;
mod helpers;

mod admin;
mod api;
mod auth;
mod browser;
mod browser_citizens;
mod browser_counter_day;
mod browser_online;
mod browser_prints;
mod browser_processing;
mod browser_reception;
mod browser_reports;
mod browser_returns;
mod calendar;
mod calendar_upgrade;
mod catalog;
pub mod citizens;
mod cli;
mod dossiers_api;
mod online;
mod operations;
mod processing;
mod processing_pages;
mod reception;
mod reports;
mod resilience;
mod returns;
mod scale_out;
mod security;
mod startup;
