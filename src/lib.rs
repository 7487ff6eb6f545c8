//! Một Cửa: the one-stop shop (cơ chế một cửa) of a Vietnamese public office.

pub mod admin;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod dossiers;
pub mod error;
pub mod export;
pub mod processing;
pub mod reception;
pub mod returns;
pub mod schedule;
pub mod startup;
pub mod state;
pub mod validation;
pub mod web;

pub use config::Config;
pub use startup::Application;
