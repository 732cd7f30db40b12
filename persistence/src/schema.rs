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

diesel::allow_tables_to_appear_in_same_query!(regions, holidays, reference_seeds);
