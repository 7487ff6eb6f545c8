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
/// Short references (tracking numbers, the recipient's paper): 50 characters.
pub const SHORT_MAX: usize = 50;
pub fn optional_short() -> Schema {
    optional_text(SHORT_MAX)
}
pub fn optional_address() -> Schema {
    optional_text(ADDRESS_MAX)
}
pub fn note() -> Schema {
    optional_text(NOTE_MAX)
}
pub fn feedback_content() -> Schema {
    required_text(crate::domain::feedback::CONTENT_MAX)
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

/// A past day, 2000 to 2025 in the published pattern.
pub const PAST_DATE_PATTERN: &str = "^20([01][0-9]|2[0-5])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$";

pub fn optional_past_date() -> Schema {
    Schema::Object(
        nullable_string()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(PAST_DATE_PATTERN))
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

/// A nested object that must be a JSON object (or null), not the array
/// serde would also take for a struct.
pub mod object {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer};

    pub fn option<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(None),
            v @ serde_json::Value::Object(_) => T::deserialize(v)
                .map(Some)
                .map_err(serde::de::Error::custom),
            _ => Err(serde::de::Error::custom("expected a JSON object")),
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
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
    // A citizen's code in a path is a code as `domain::citizen::parse_code` takes it.
    if let Some(params) =
        doc["paths"]["/submissions/{code}/documents"]["post"]["parameters"].as_array_mut()
    {
        for p in params.iter_mut().filter(|p| p["name"] == "code") {
            p["schema"]["pattern"] = serde_json::json!(CODE_PATTERN);
        }
    }
    // Multipart forms: the other parts are text or files, named as
    // `web::upload` accepts them.
    for form in ["SubmissionForm", "SupplementForm"] {
        let schema = &mut doc["components"]["schemas"][form];
        schema["propertyNames"] =
            serde_json::json!({ "pattern": crate::web::upload::PART_NAME_PATTERN });
        schema["additionalProperties"] = serde_json::json!({
            "type": "string",
            "pattern": no_control(),
            "description": "Tệp quét của giấy tờ (phần có tên tệp), đặt tên như trường file của giấy tờ"
        });
    }
    // What each action needs besides `action` and `version`
    // (`services::processing::plan`).
    let reason = serde_json::json!({ "reason": required_text(NOTE_MAX) });
    let short = required_text(SHORT_MAX);
    let needs: Vec<(&str, Vec<&str>, serde_json::Value)> = vec![
        (
            "assign",
            vec!["officer"],
            serde_json::json!({ "officer": name() }),
        ),
        (
            "request_supplement",
            vec!["missing"],
            serde_json::json!({
                "missing": { "minItems": 1, "items": { "required": ["name", "form"] } }
            }),
        ),
        (
            "submit_for_approval",
            vec!["result"],
            serde_json::json!({ "result": {
            "type": "object",
            "required": ["number", "signer", "date"],
            "properties": {
                "number": name(),
                "signer": name(),
                "date": { "type": "string", "format": "date", "pattern": PAST_DATE_PATTERN }
            }
        } }),
        ),
        (
            "send_back",
            vec!["note"],
            serde_json::json!({ "note": required_text(NOTE_MAX) }),
        ),
        ("refuse", vec!["reason"], reason.clone()),
        ("withdraw", vec!["reason"], reason.clone()),
        ("postal_undelivered", vec!["reason"], reason),
        (
            "extend",
            vec!["reason", "new_due_date"],
            serde_json::json!({
                "reason": required_text(NOTE_MAX),
                "new_due_date": { "type": "string", "format": "date", "pattern": DATE_PATTERN }
            }),
        ),
        (
            "deliver_at_counter",
            vec!["recipient_name", "recipient_id_number"],
            serde_json::json!({ "recipient_name": name(), "recipient_id_number": short }),
        ),
        (
            "ship_by_post",
            vec!["tracking_number"],
            serde_json::json!({ "tracking_number": short }),
        ),
    ];
    let others: Vec<&str> = crate::domain::workflow::Action::ALL
        .iter()
        .map(|a| a.as_str())
        .filter(|a| !needs.iter().any(|(n, _, _)| n == a))
        .collect();
    let mut variants: Vec<serde_json::Value> = needs
        .into_iter()
        .map(|(action, required, mut properties)| {
            properties["action"] = serde_json::json!({ "const": action });
            serde_json::json!({ "required": required, "properties": properties })
        })
        .collect();
    variants.push(serde_json::json!({ "properties": { "action": { "enum": others } } }));
    doc["components"]["schemas"]["DossierAction"]["oneOf"] = serde_json::json!(variants);
    // An applicant is a person (with an ID number) or an organisation (with
    // its representative), as `domain::reception::check_applicant` takes it.
    let applicant = &mut doc["components"]["schemas"]["NewApplicant"];
    if let Some(required) = applicant["required"].as_array_mut() {
        required.retain(|f| f != "id_number");
    }
    applicant["if"] = serde_json::json!({
        "properties": { "kind": { "const": "organisation" } },
        "required": ["kind"]
    });
    applicant["then"] = serde_json::json!({
        "required": ["representative"],
        "properties": { "representative": name(), "id_number": optional_id_number() }
    });
    applicant["else"] = serde_json::json!({ "required": ["id_number"] });
    doc
}

/// What the published document says of one procedure in force, so that a
/// dossier valid by the document is one the procedure takes
/// (`services::reception::check_reception`).
pub struct CatalogProcedure {
    pub code: String,
    pub channels: Vec<String>,
    pub return_methods: Vec<String>,
    /// The names of the documents it requires.
    pub required: Vec<String>,
    /// The whole years (2001-2025) in which a time is in force all year.
    pub years: Vec<i32>,
}

fn year_pattern(years: &[i32], rest: &str) -> String {
    let alternatives: Vec<String> = years.iter().map(i32::to_string).collect();
    format!("^({}){rest}", alternatives.join("|"))
}

/// The reception rules that depend on the catalog and on other fields:
/// one variant per procedure (its channels, return methods, required
/// documents and the years its time is in force); a postal return needs
/// its address; only a postal dossier has a postmark, dated in 2000 (before
/// any published reception time); a fee needs its receipt.
pub fn with_catalog(doc: &mut serde_json::Value, catalog: &[CatalogProcedure]) {
    use serde_json::json;
    const DAY_TIME: &str = "-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|\\+07:00)$";
    let forms: Vec<&str> = crate::domain::procedure::DocumentForm::ALL
        .iter()
        .map(|f| f.as_str())
        .collect();
    let variants: Vec<serde_json::Value> = catalog
        .iter()
        .filter(|p| !p.channels.is_empty() && !p.return_methods.is_empty() && !p.years.is_empty())
        .map(|p| {
            let documents: Vec<serde_json::Value> = p
                .required
                .iter()
                .map(|name| {
                    json!({ "contains": {
                        "type": "object",
                        "required": ["name", "form"],
                        "properties": { "name": { "const": name }, "form": { "enum": forms } }
                    }})
                })
                .collect();
            json!({
                "properties": {
                    "procedure_code": { "const": p.code },
                    "channel": { "enum": p.channels },
                    "return_method": { "enum": p.return_methods },
                    "documents": { "minItems": p.required.len(), "allOf": documents },
                    "received_at": {
                        "type": ["string", "null"],
                        "pattern": year_pattern(&p.years, DAY_TIME)
                    }
                },
                "required": if p.required.is_empty() { json!([]) } else { json!(["documents"]) }
            })
        })
        .collect();
    let dossier = &mut doc["components"]["schemas"]["NewDossier"];
    dossier["properties"]["postal_slip"]["maxLength"] = json!(50);
    dossier["properties"]["postmarked_on"]["pattern"] =
        json!("^2000-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$");
    dossier["oneOf"] = json!(variants);
    dossier["allOf"] = json!([
        {
            "if": { "properties": { "return_method": { "const": "postal" } }, "required": ["return_method"] },
            "then": { "required": ["postal_address"], "properties": { "postal_address": address() } }
        },
        {
            "if": { "properties": { "channel": { "const": "postal" } }, "required": ["channel"] },
            "else": { "properties": { "postmarked_on": { "enum": [null, ""] } } }
        },
        {
            "if": { "properties": { "fee_amount": { "type": "integer", "minimum": 1 } }, "required": ["fee_amount"] },
            "then": { "required": ["fee_receipt"], "properties": { "fee_receipt": name() } }
        }
    ]);
}
