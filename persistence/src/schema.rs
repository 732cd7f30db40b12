//! The one portable schema: only types both backends share (text, integers, bool, date, timestamp).

diesel::table! {
    regions (code) {
        code -> Text,
        parent_code -> Nullable<Text>,
        level -> Text,
        name -> Text,
    }
}

diesel::table! {
    holidays (date) {
        date -> Date,
        kind -> Text,
        name_id -> Text,
        name_en -> Text,
        estimated -> Bool,
    }
}

diesel::table! {
    reference_seeds (name) {
        name -> Text,
        applied_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        username_key -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        password_hash -> Text,
        role -> Text,
        region_code -> Nullable<Text>,
        ormas_id -> Nullable<Text>,
        active -> Bool,
        token_version -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        client_id -> Text,
        name -> Text,
        secret_hash -> Text,
        region_code -> Nullable<Text>,
        active -> Bool,
        token_version -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        username_key -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        region_code -> Nullable<Text>,
        request_id -> Nullable<Text>,
        outcome -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    regions,
    holidays,
    reference_seeds,
    users,
    sessions,
    refresh_tokens,
    api_clients,
    login_failures,
    audit_events,
);
