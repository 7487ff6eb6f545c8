//! Choices offered in several forms: dossier statuses, the forms of a document.

use crate::domain::dossier::Status;
use crate::domain::procedure::DocumentForm;

pub struct FormOption {
    pub value: &'static str,
    pub label: &'static str,
}

pub fn form_options() -> Vec<FormOption> {
    DocumentForm::ALL
        .iter()
        .map(|f| FormOption {
            value: f.as_str(),
            label: f.label(),
        })
        .collect()
}

pub struct StatusOption {
    pub value: &'static str,
    pub label: &'static str,
}

pub fn status_options() -> Vec<StatusOption> {
    Status::ALL
        .iter()
        .map(|s| StatusOption {
            value: s.as_str(),
            label: s.label(),
        })
        .collect()
}
