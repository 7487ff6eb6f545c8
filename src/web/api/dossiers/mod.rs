//! The dossier API: `POST /api/v1/dossiers`, `GET /api/v1/dossiers/{code}`,
//! `GET /api/v1/dossiers`, `POST /api/v1/dossiers/{code}/actions`.

pub mod actions;
pub mod json;
pub mod read;
pub mod receive;

pub use actions::{act, action_input};
pub use json::{dossier_json, DossierJson};
pub use read::{list, show};
pub use receive::create;
