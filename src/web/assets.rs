//! Static files, embedded in the binary (the office may have no internet).

use actix_web::http::header;
use actix_web::{web, HttpResponse};

struct Asset {
    name: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $mime:literal) => {
        Asset {
            name: $name,
            mime: $mime,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/", $name)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("css/app.css", "text/css; charset=utf-8"),
    asset!("css/print.css", "text/css; charset=utf-8"),
    asset!("css/forms.css", "text/css; charset=utf-8"),
    asset!("js/app.js", "text/javascript; charset=utf-8"),
    asset!("fonts/NotoSans-Regular.ttf", "font/ttf"),
    asset!("fonts/NotoSans-Bold.ttf", "font/ttf"),
    asset!("fonts/LiberationSerif-Regular.ttf", "font/ttf"),
    asset!("fonts/LiberationSerif-Bold.ttf", "font/ttf"),
    asset!("fonts/LiberationSerif-Italic.ttf", "font/ttf"),
    asset!("favicon.svg", "image/svg+xml"),
];

pub async fn asset(path: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|a| a.name == path.as_str()) {
        Some(a) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, a.mime))
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .body(a.bytes),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("Không tìm thấy tệp."),
    }
}
