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
        address -> Text,
        phone -> Text,
        email -> Text,
        hours -> Text,
        place -> Text,
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
diesel::table! {
    two_factor (user_id) {
        user_id -> BigInt,
        secret -> Text,
        last_step -> BigInt,
        enabled_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> BigInt,
        user_id -> BigInt,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    personal_data_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> BigInt,
        username -> Text,
        office_id -> BigInt,
        action -> Text,
        dossier_code -> Nullable<Text>,
        what -> Text,
        dossiers -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(users, two_factor);

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
    calendar_days,
    dossiers,
    dossier_documents,
    dossier_events,
    dossier_deadlines,
    counter_notices,
    sequences,
    idempotency_keys,
    dossier_supplements,
    shipments,
    shipment_lines,
    postal_intakes,
    ratings,
    outbox,
    lookup_attempts,
    procedure_forms,
    stored_files,
    submissions,
    submission_files,
    submission_events,
    dossier_files,
    feedback
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
        revision -> Integer,
        edited -> Bool,
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

diesel::table! {
    dossiers (id) {
        id -> BigInt,
        code -> Text,
        office_id -> BigInt,
        procedure_id -> BigInt,
        working_days -> Integer,
        channel -> Text,
        status -> Text,
        outcome -> Nullable<Text>,
        voided -> Bool,
        void_reason -> Nullable<Text>,
        version -> Integer,
        applicant_kind -> Text,
        applicant_name -> Text,
        applicant_folded -> Text,
        representative -> Nullable<Text>,
        id_number -> Nullable<Text>,
        phone -> Text,
        email -> Nullable<Text>,
        address -> Text,
        return_method -> Text,
        postal_address -> Nullable<Text>,
        note -> Text,
        sets -> Integer,
        received_at -> Timestamp,
        postmarked_on -> Nullable<Date>,
        postal_record -> Nullable<Text>,
        effective_day -> Date,
        due_date -> Nullable<Date>,
        original_due_date -> Nullable<Date>,
        supplement_requests -> Integer,
        decided_at -> Nullable<Timestamp>,
        assignee_id -> Nullable<BigInt>,
        register_year -> Integer,
        register_number -> Integer,
        lookup_token -> Text,
        fee_amount -> Nullable<BigInt>,
        fee_receipt -> Nullable<Text>,
        received_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        extended -> Bool,
        extension_reason -> Nullable<Text>,
        extended_at -> Nullable<Timestamp>,
        late_supplement -> Bool,
        result_number -> Nullable<Text>,
        result_date -> Nullable<Date>,
        result_signer -> Nullable<Text>,
        result_summary -> Nullable<Text>,
        closing_reason -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        recipient_name -> Nullable<Text>,
        recipient_id_number -> Nullable<Text>,
        recipient_authorisation -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
        postage -> Nullable<BigInt>,
        shipment_id -> Nullable<BigInt>,
        postal_returns -> Integer,
        intake_id -> Nullable<BigInt>,
        postal_slip -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamp>,
        timeliness -> Nullable<Text>,
        notify -> Bool,
        personal_data_purged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dossier_documents (id) {
        id -> BigInt,
        dossier_id -> BigInt,
        position -> Integer,
        name -> Text,
        form -> Text,
        count -> Integer,
    }
}

diesel::table! {
    dossier_events (id) {
        id -> BigInt,
        dossier_id -> BigInt,
        at -> Timestamp,
        user_id -> BigInt,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Text,
        due_date -> Nullable<Date>,
        assignee_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    dossier_deadlines (id) {
        id -> BigInt,
        dossier_id -> BigInt,
        at -> Timestamp,
        user_id -> BigInt,
        cause -> Text,
        basis_at -> Timestamp,
        working_days -> Integer,
        effective_day -> Date,
        due_date -> Date,
        counted -> Text,
        skipped -> Text,
    }
}

diesel::table! {
    counter_notices (id) {
        id -> BigInt,
        office_id -> BigInt,
        procedure_id -> BigInt,
        kind -> Text,
        number -> Text,
        channel -> Text,
        applicant_name -> Text,
        applicant_folded -> Text,
        representative -> Nullable<Text>,
        id_number -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        missing -> Text,
        reason -> Text,
        contact_phone -> Nullable<Text>,
        user_id -> BigInt,
        at -> Timestamp,
    }
}

diesel::table! {
    sequences (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> BigInt,
        key -> Text,
        dossier_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(dossiers -> offices (office_id));
diesel::joinable!(dossiers -> procedures (procedure_id));
diesel::joinable!(dossier_documents -> dossiers (dossier_id));
diesel::joinable!(dossier_events -> dossiers (dossier_id));
diesel::joinable!(dossier_events -> users (user_id));
diesel::joinable!(dossier_deadlines -> dossiers (dossier_id));
diesel::joinable!(counter_notices -> procedures (procedure_id));

diesel::table! {
    dossier_supplements (id) {
        id -> BigInt,
        dossier_id -> BigInt,
        number -> Integer,
        requested_at -> Timestamp,
        requested_by -> BigInt,
        missing -> Text,
        note -> Text,
        late -> Bool,
        received_at -> Nullable<Timestamp>,
        received_by -> Nullable<BigInt>,
    }
}

diesel::joinable!(dossier_supplements -> dossiers (dossier_id));

diesel::table! {
    shipments (id) {
        id -> BigInt,
        office_id -> BigInt,
        number -> Text,
        postal_worker -> Text,
        created_at -> Timestamp,
        created_by -> BigInt,
    }
}

diesel::table! {
    postal_intakes (id) {
        id -> BigInt,
        office_id -> BigInt,
        record_number -> Text,
        signed_at -> Timestamp,
        postal_worker -> Text,
        created_at -> Timestamp,
        created_by -> BigInt,
    }
}

diesel::table! {
    ratings (id) {
        id -> BigInt,
        dossier_id -> BigInt,
        office_id -> BigInt,
        procedure_id -> BigInt,
        officer_id -> Nullable<BigInt>,
        level -> Text,
        comment -> Text,
        at -> Timestamp,
        recorded_by -> BigInt,
    }
}

diesel::table! {
    shipment_lines (id) {
        id -> BigInt,
        shipment_id -> BigInt,
        dossier_id -> BigInt,
        code -> Text,
        recipient -> Text,
        address -> Text,
        tracking_number -> Text,
        postage -> Nullable<BigInt>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        message_id -> Text,
        dossier_id -> Nullable<BigInt>,
        event -> Text,
        channel -> Text,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        link -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    lookup_attempts (id) {
        id -> BigInt,
        kind -> Text,
        key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    procedure_forms (id) {
        id -> BigInt,
        procedure_id -> BigInt,
        title -> Text,
        file_name -> Text,
        content_type -> Text,
        sha256 -> Text,
        size -> BigInt,
        bytes -> Binary,
        created_at -> Timestamp,
    }
}

diesel::joinable!(outbox -> dossiers (dossier_id));
diesel::joinable!(procedure_forms -> procedures (procedure_id));

diesel::table! {
    stored_files (id) {
        id -> BigInt,
        token -> Text,
        office_id -> BigInt,
        file_name -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        pages -> Nullable<Integer>,
        bytes -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    submissions (id) {
        id -> BigInt,
        code -> Text,
        lookup_token -> Text,
        office_id -> BigInt,
        procedure_id -> BigInt,
        status -> Text,
        version -> Integer,
        applicant -> Text,
        applicant_name -> Text,
        id_number -> Nullable<Text>,
        phone -> Text,
        email -> Nullable<Text>,
        return_method -> Text,
        postal_address -> Nullable<Text>,
        missing -> Text,
        note -> Text,
        reason -> Nullable<Text>,
        supplement_requests -> Integer,
        source -> Text,
        notify -> Bool,
        form_key -> Nullable<Text>,
        dossier_id -> Nullable<BigInt>,
        submitted_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    submission_files (id) {
        id -> BigInt,
        submission_id -> BigInt,
        position -> Integer,
        name -> Text,
        form -> Text,
        count -> Integer,
        file_id -> BigInt,
        round -> Integer,
        added_at -> Timestamp,
    }
}

diesel::table! {
    submission_events (id) {
        id -> BigInt,
        submission_id -> BigInt,
        at -> Timestamp,
        user_id -> Nullable<BigInt>,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Text,
    }
}

diesel::table! {
    dossier_files (id) {
        id -> BigInt,
        dossier_id -> BigInt,
        kind -> Text,
        name -> Text,
        file_id -> BigInt,
        added_at -> Timestamp,
        added_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    feedback (id) {
        id -> BigInt,
        public_id -> Text,
        office_id -> BigInt,
        channel -> Text,
        topic -> Text,
        content -> Text,
        dossier_code -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        publish_consent -> Bool,
        status -> Text,
        assignee_id -> Nullable<BigInt>,
        answer -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        answered_by -> Nullable<BigInt>,
        closed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        created_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(submission_files -> submissions (submission_id));
diesel::joinable!(submission_files -> stored_files (file_id));
diesel::joinable!(submission_events -> submissions (submission_id));
diesel::joinable!(dossier_files -> stored_files (file_id));
diesel::joinable!(dossier_files -> dossiers (dossier_id));
diesel::joinable!(submissions -> procedures (procedure_id));
