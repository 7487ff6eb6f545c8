//! Table definitions shared by both backends: only portable SQL types
//! (BigInt ids, Text, Integer, Bool, Timestamp in UTC).

diesel::table! {
    offices (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        parent_id -> Nullable<BigInt>,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        full_name -> Text,
        password_hash -> Text,
        role -> Text,
        office_id -> BigInt,
        active -> Bool,
        session_epoch -> Integer,
        must_change_password -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (username) {
        username -> Text,
        failures -> Integer,
        last_failed_at -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        subject -> Text,
        detail -> Text,
    }
}

diesel::joinable!(users -> offices (office_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    offices,
    users,
    settings,
    api_tokens,
    login_failures,
    audit_events,
    revoked_sessions,
    procedures,
    procedure_documents,
    procedure_times,
    calendar_years,
    calendar_days
);

diesel::table! {
    revoked_sessions (sid) {
        sid -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    procedures (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        field -> Text,
        result -> Text,
        fee -> Text,
        channels -> Text,
        return_methods -> Text,
        source -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    procedure_documents (id) {
        id -> BigInt,
        procedure_id -> BigInt,
        position -> Integer,
        name -> Text,
        form -> Text,
        count -> Integer,
        required -> Bool,
    }
}

diesel::table! {
    procedure_times (id) {
        id -> BigInt,
        procedure_id -> BigInt,
        working_days -> Integer,
        valid_from -> Nullable<Date>,
        valid_until -> Nullable<Date>,
        note -> Text,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Integer,
        source -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        kind -> Text,
        name -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::joinable!(procedure_documents -> procedures (procedure_id));
diesel::joinable!(procedure_times -> procedures (procedure_id));
