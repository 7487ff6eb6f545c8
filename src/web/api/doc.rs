//! The OpenAPI document, generated from the API's own request and response
//! types (utoipa). Each constrained field takes its schema from one of the
//! functions below, built from the same constants the validators use, so the
//! contract states what the code enforces (and a unit test beside each
//! pattern checks that it agrees with its parser).

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, KnownFormat, RefOr, ResponseBuilder, ServerBuilder};
use utoipa::{Modify, OpenApi};

use crate::domain::applicant::{CitizenId, Phone, EMAIL_PATTERN};
use crate::domain::citizen::{CODE_PATTERN, VERIFIER_PATTERN};
use crate::domain::reception::{ADDRESS_MAX, NAME_MAX, NOTE_MAX};

/// The control characters the input guard (`web::input_guard`) refuses
/// anywhere: C0 and C1 but tab, line feed and carriage return.
pub const CONTROLS: &str = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F";

/// Free text: anything without a control character.
pub fn no_control() -> String {
    format!("^[^{CONTROLS}]*$")
}

/// Text that must not be blank: at least one visible character, no control character.
pub fn not_blank() -> String {
    format!("^[^{CONTROLS}]*[^{CONTROLS}\\s][^{CONTROLS}]*$")
}

fn nullable_string_type() -> utoipa::openapi::schema::SchemaType {
    utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null])
}

/// A string that may also be null (an absent value).
fn nullable_string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(nullable_string_type())
}

fn string(max: usize, pattern: String) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(max))
        .pattern(Some(pattern))
}

/// Optional text of at most `max` characters (empty means absent).
pub fn optional_text(max: usize) -> Schema {
    Schema::Object(
        string(max, no_control())
            .schema_type(nullable_string_type())
            .build(),
    )
}

/// Required text of 1 to `max` characters, not only spaces.
pub fn required_text(max: usize) -> Schema {
    Schema::Object(string(max, not_blank()).min_length(Some(1)).build())
}

pub fn name() -> Schema {
    required_text(NAME_MAX)
}
pub fn optional_name() -> Schema {
    optional_text(NAME_MAX)
}
pub fn document_name() -> Schema {
    required_text(NAME_MAX * 2)
}
pub fn address() -> Schema {
    required_text(ADDRESS_MAX)
}
pub fn optional_address() -> Schema {
    optional_text(ADDRESS_MAX)
}
pub fn note() -> Schema {
    optional_text(NOTE_MAX)
}
pub fn required_note() -> Schema {
    required_text(NOTE_MAX)
}

fn nullable_pattern(pattern: &str, max: usize) -> Schema {
    Schema::Object(
        nullable_string()
            .max_length(Some(max))
            .pattern(Some(pattern))
            .build(),
    )
}

fn pattern(pattern: &str, max: usize) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(max))
            .pattern(Some(pattern))
            .build(),
    )
}

pub fn id_number() -> Schema {
    pattern(CitizenId::PATTERN, 12)
}
pub fn optional_id_number() -> Schema {
    nullable_pattern(&format!("^$|{}", CitizenId::PATTERN), 12)
}
pub fn phone() -> Schema {
    pattern(Phone::PATTERN, 20)
}
pub fn optional_email() -> Schema {
    nullable_pattern(&format!("^$|{EMAIL_PATTERN}"), 254)
}
pub fn optional_phone() -> Schema {
    nullable_pattern(&format!("^$|{}", Phone::PATTERN), 20)
}
pub fn optional_code() -> Schema {
    Schema::Object(
        nullable_string()
            .pattern(Some(format!("^[ \\t\\n\\r]*$|{CODE_PATTERN}")))
            .build(),
    )
}
fn bare_pattern(p: &str) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(p))
            .build(),
    )
}
pub fn code() -> Schema {
    bare_pattern(CODE_PATTERN)
}
pub fn verifier() -> Schema {
    bare_pattern(VERIFIER_PATTERN)
}

fn one_of(values: impl IntoIterator<Item = &'static str>) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values))
            .build(),
    )
}

/// The actions of `domain::workflow::Action`.
pub fn action() -> Schema {
    one_of(crate::domain::workflow::Action::ALL.map(|a| a.as_str()))
}

/// The forms of `domain::procedure::DocumentForm`.
pub fn document_form() -> Schema {
    one_of(crate::domain::procedure::DocumentForm::ALL.map(|f| f.as_str()))
}

/// The ways of `domain::dossier::ReturnMethod`, or absent.
pub fn return_method() -> Schema {
    one_of(["counter", "postal"])
}

/// The channels a dossier arrives by.
pub fn channel() -> Schema {
    one_of(["counter", "postal", "online"])
}

/// Person or organisation.
pub fn applicant_kind() -> Schema {
    // Empty is a person, as on the counter's form.
    one_of(["person", "organisation", ""])
}

/// `YYYY-MM-DD`, a day of 2000-2099 (the years the code reads dates in).
pub const DATE_PATTERN: &str = "^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$";

/// A day as `YYYY-MM-DD`; the pattern keeps to days every month has.
pub fn optional_date() -> Schema {
    Schema::Object(
        nullable_string()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(DATE_PATTERN))
            .build(),
    )
}

/// A past moment in RFC 3339, from 2000 to 2025 in the published pattern
/// (the server takes any past moment from 01/01/2000).
pub const PAST_TIME_PATTERN: &str = "^20([01][0-9]|2[0-5])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|\\+07:00)$";

pub fn optional_past_time() -> Schema {
    Schema::Object(nullable_string().pattern(Some(PAST_TIME_PATTERN)).build())
}

/// A list of at most `max` items of `T`.
pub fn list_of(item: RefOr<Schema>, max: usize) -> Schema {
    Schema::Array(ArrayBuilder::new().items(item).max_items(Some(max)).build())
}

/// Integers as JSON Schema counts them: `49.0` is the integer 49.
pub mod integer {
    use serde::{Deserialize, Deserializer};

    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Number {
            Int(i64),
            Float(f64),
        }
        match Option::<Number>::deserialize(d)? {
            None => Ok(None),
            Some(Number::Int(n)) => Ok(Some(n)),
            Some(Number::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
            Some(Number::Float(_)) => Err(serde::de::Error::custom(
                "expected an integer within ±9 000 000 000 000 000",
            )),
        }
    }
}

struct Shared;

impl Modify for Shared {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        doc.servers = Some(vec![ServerBuilder::new()
            .url("{{PUBLIC_URL}}/api/v1")
            .build()]);
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Mã truy cập lấy từ POST /tokens; được kiểm tra ở mỗi lần gọi.",
                    ))
                    .build(),
            ),
        );
    }
}

/// A shared error answer, registered once under `components/responses`.
macro_rules! error_response {
    ($($name:ident => $text:expr,)*) => {$(
        pub struct $name;
        impl<'r> utoipa::ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<utoipa::openapi::Response>) {
                (
                    stringify!($name),
                    RefOr::T(
                        ResponseBuilder::new()
                            .description($text)
                            .content(
                                "application/json",
                                ContentBuilder::new()
                                    .schema(Some(RefOr::Ref(
                                        utoipa::openapi::Ref::from_schema_name("Error"),
                                    )))
                                    .build(),
                            )
                            .build(),
                    ),
                )
            }
        }
    )*};
}

error_response! {
    BadRequest => "Yêu cầu sai cú pháp",
    Unauthorized => "Thiếu hoặc sai mã truy cập",
    Forbidden => "Vai trò không được dùng chức năng này",
    NotFound => "Không tìm thấy (hoặc ngoài các đơn vị người dùng được xem)",
    Conflict => "Thao tác không hợp lệ ở trạng thái hiện tại, hoặc version đã cũ",
    PayloadTooLarge => "Nội dung quá lớn",
    Validation => "Dữ liệu không hợp lệ; fields nói trường nào",
    TooManyRequests => "Quá nhiều lần thử; thử lại sau",
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Một Cửa API",
        version = "1",
        description = "API JSON của Một Cửa (cơ chế một cửa): cùng các chức năng như các trang, dành cho cổng dịch vụ công, bưu điện và các hệ thống khác. Thời gian theo RFC 3339, trả lời theo +07:00. Tài liệu này sinh từ chính các kiểu dữ liệu của mã nguồn."
    ),
    paths(
        super::tokens::create,
        super::me,
        super::openapi,
        super::calendar::holidays,
        super::calendar::due_date,
        super::procedures::list,
        super::dossiers::receive::create,
        super::dossiers::read::list,
        super::dossiers::read::show,
        super::dossiers::actions::act,
        super::reports::overdue,
        super::reports::period,
        super::lookup::lookup,
        super::submissions::create,
        super::submissions::add_documents,
        super::feedback::create,
        super::feedback::public,
    ),
    components(
        schemas(crate::error::ApiError),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            PayloadTooLarge,
            Validation,
            TooManyRequests
        )
    ),
    modifiers(&Shared)
)]
pub struct ApiDoc;

/// The document as JSON, before the server's address is put in.
pub fn generated() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).expect("the document serialises")
}
