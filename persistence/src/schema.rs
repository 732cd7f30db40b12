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
        version -> Integer,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        username_key -> Text,
        failed_at -> Timestamp,
        client_address -> Nullable<Text>,
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

diesel::table! {
    organisations (id) {
        id -> Text,
        identity_key -> Nullable<Text>,
        name -> Text,
        abbreviation -> Nullable<Text>,
        kind -> Text,
        ahu_number -> Nullable<Text>,
        ahu_date -> Nullable<Date>,
        skt_number -> Nullable<Text>,
        skt_issued_on -> Nullable<Date>,
        skt_issuer -> Nullable<Text>,
        skt_expires_on -> Nullable<Date>,
        npwp -> Nullable<Text>,
        founded_on -> Nullable<Date>,
        fields -> Text,
        special_character -> Nullable<Text>,
        tiered -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        dissolved_on -> Nullable<Date>,
        dissolution_decree -> Nullable<Text>,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        organisation_id -> Text,
        region_code -> Text,
        district_code -> Nullable<Text>,
        address -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        board_term_ends_on -> Nullable<Date>,
        state -> Text,
        registration_number -> Nullable<Text>,
        registration_date -> Nullable<Date>,
        submitted_on -> Nullable<Date>,
        verification_due -> Nullable<Date>,
        revision_due -> Nullable<Date>,
        created_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        branch_name -> Nullable<Text>,
        suspended_until -> Nullable<Date>,
        secretariat_missing_since -> Nullable<Date>,
        address_changed_on -> Nullable<Date>,
    }
}

diesel::table! {
    board_members (id) {
        id -> Text,
        registration_id -> Text,
        ordinal -> Integer,
        position -> Text,
        name -> Text,
        nik -> Text,
        phone -> Nullable<Text>,
        term_ends_on -> Nullable<Date>,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        registration_id -> Text,
        doc_type -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Nullable<Text>,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    registration_events (id) {
        id -> Text,
        registration_id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        reason -> Nullable<Text>,
        notes -> Nullable<Text>,
        registration_number -> Nullable<Text>,
    }
}

diesel::table! {
    registration_sequences (region_code, year) {
        region_code -> Text,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    reports (id) {
        id -> Text,
        registration_id -> Text,
        region_code -> Text,
        period -> Text,
        due_on -> Date,
        state -> Text,
        content -> Text,
        first_submitted_on -> Nullable<Date>,
        submitted_on -> Nullable<Date>,
        late -> Bool,
        accepted_on -> Nullable<Date>,
        accepted_by -> Nullable<Text>,
        receipt_number -> Nullable<Text>,
        return_reason -> Nullable<Text>,
        created_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_sequences (region_code, year) {
        region_code -> Text,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    stats_generations (region_code) {
        region_code -> Text,
        generation -> BigInt,
    }
}

diesel::table! {
    stats_snapshots (region_code, as_of, policy) {
        region_code -> Text,
        as_of -> Date,
        policy -> Text,
        generation -> BigInt,
        payload -> Text,
        computed_at -> Timestamp,
    }
}

diesel::joinable!(registrations -> organisations (organisation_id));
diesel::joinable!(board_members -> registrations (registration_id));
diesel::joinable!(documents -> registrations (registration_id));
diesel::joinable!(registration_events -> registrations (registration_id));
diesel::joinable!(reports -> registrations (registration_id));
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
    organisations,
    registrations,
    board_members,
    documents,
    registration_events,
    registration_sequences,
    reports,
    report_sequences,
    stats_generations,
    stats_snapshots,
);

diesel::table! {
    revoked_tokens (jti) {
        jti -> Text,
        subject_id -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    field_visits (id) {
        id -> Text,
        registration_id -> Nullable<Text>,
        case_id -> Nullable<Text>,
        region_code -> Text,
        purpose -> Text,
        visited_on -> Date,
        address -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        team -> Text,
        finding -> Text,
        new_address -> Nullable<Text>,
        activities_observed -> Bool,
        notes -> Nullable<Text>,
        photo_ids -> Text,
        recorded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(field_visits -> registrations (registration_id));
diesel::allow_tables_to_appear_in_same_query!(field_visits, registrations);
diesel::allow_tables_to_appear_in_same_query!(field_visits, organisations);

diesel::table! {
    oversight_cases (id) {
        id -> Text,
        region_code -> Text,
        registration_id -> Nullable<Text>,
        organisation_name -> Nullable<Text>,
        organisation_address -> Nullable<Text>,
        title -> Text,
        summary -> Nullable<Text>,
        lead_officer_id -> Nullable<Text>,
        state -> Text,
        recommended_outcome -> Nullable<Text>,
        outcome -> Nullable<Text>,
        closing_note -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        created_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    complaints (id) {
        id -> Text,
        tracking_hash -> Text,
        region_code -> Text,
        registration_id -> Nullable<Text>,
        organisation_name -> Nullable<Text>,
        organisation_address -> Nullable<Text>,
        category -> Text,
        source -> Text,
        referring_agency -> Nullable<Text>,
        description -> Text,
        occurred_on -> Nullable<Date>,
        reporter_name -> Nullable<Text>,
        reporter_contact -> Nullable<Text>,
        state -> Text,
        dismiss_reason -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        case_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    complaint_attachments (id) {
        id -> Text,
        complaint_id -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    case_members (id) {
        id -> Text,
        case_id -> Text,
        ordinal -> Integer,
        agency -> Text,
        name -> Text,
        position -> Nullable<Text>,
        user_id -> Nullable<Text>,
    }
}

diesel::table! {
    case_events (id) {
        id -> Text,
        case_id -> Text,
        actor_id -> Nullable<Text>,
        at -> Timestamp,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::joinable!(complaints -> oversight_cases (case_id));
diesel::joinable!(complaint_attachments -> complaints (complaint_id));
diesel::joinable!(case_members -> oversight_cases (case_id));
diesel::joinable!(case_events -> oversight_cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    oversight_cases,
    complaints,
    complaint_attachments,
    case_members,
    case_events,
);
diesel::allow_tables_to_appear_in_same_query!(complaints, registrations);
diesel::allow_tables_to_appear_in_same_query!(complaints, organisations);
diesel::allow_tables_to_appear_in_same_query!(oversight_cases, registrations);
diesel::allow_tables_to_appear_in_same_query!(oversight_cases, organisations);

diesel::joinable!(complaints -> registrations (registration_id));
diesel::joinable!(oversight_cases -> registrations (registration_id));

diesel::table! {
    sanctions (id) {
        id -> Text,
        registration_id -> Text,
        region_code -> Text,
        case_id -> Nullable<Text>,
        kind -> Text,
        state -> Text,
        violation -> Text,
        demanded_remedy -> Nullable<Text>,
        letter_number -> Nullable<Text>,
        letter_date -> Nullable<Date>,
        deadline -> Nullable<Date>,
        compliance -> Nullable<Text>,
        compliance_on -> Nullable<Date>,
        compliance_by -> Nullable<Text>,
        compliance_note -> Nullable<Text>,
        decree_number -> Nullable<Text>,
        decree_date -> Nullable<Date>,
        issuing_authority -> Nullable<Text>,
        period_start -> Nullable<Date>,
        period_end -> Nullable<Date>,
        serious -> Bool,
        justification -> Nullable<Text>,
        lifted_decree_number -> Nullable<Text>,
        lifted_on -> Nullable<Date>,
        revocation_of -> Nullable<Text>,
        dissolved_by -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    sanction_answers (id) {
        id -> Text,
        sanction_id -> Text,
        statement -> Text,
        document_ids -> Text,
        answered_by -> Nullable<Text>,
        answered_at -> Timestamp,
    }
}

diesel::joinable!(sanctions -> registrations (registration_id));
diesel::joinable!(sanction_answers -> sanctions (sanction_id));
// Pairwise, so that these lines never repeat a pair of the list above.
diesel::allow_tables_to_appear_in_same_query!(sanctions, sanction_answers);
diesel::allow_tables_to_appear_in_same_query!(sanctions, registrations);
diesel::allow_tables_to_appear_in_same_query!(sanctions, organisations);

diesel::table! {
    attribute_permits (id) {
        id -> Text,
        registration_id -> Text,
        region_code -> Text,
        state -> Text,
        purpose -> Text,
        event_name -> Nullable<Text>,
        event_date -> Nullable<Date>,
        vendor_name -> Text,
        vendor_address -> Text,
        items -> Text,
        checklist -> Nullable<Text>,
        first_submitted_on -> Nullable<Date>,
        submitted_on -> Nullable<Date>,
        answer_due_on -> Nullable<Date>,
        reviewed_on -> Nullable<Date>,
        reviewed_by -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        decided_by -> Nullable<Text>,
        permit_number -> Nullable<Text>,
        valid_from -> Nullable<Date>,
        valid_until -> Nullable<Date>,
        return_notes -> Nullable<Text>,
        refusal_ground -> Nullable<Text>,
        refused_items -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    attribute_permit_events (id) {
        id -> Text,
        permit_id -> Text,
        actor_id -> Nullable<Text>,
        at -> Timestamp,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    attribute_permit_sequences (region_code, year) {
        region_code -> Text,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::joinable!(attribute_permits -> registrations (registration_id));
diesel::joinable!(attribute_permit_events -> attribute_permits (permit_id));
diesel::allow_tables_to_appear_in_same_query!(attribute_permits, attribute_permit_events);
diesel::allow_tables_to_appear_in_same_query!(attribute_permits, registrations);
diesel::allow_tables_to_appear_in_same_query!(attribute_permits, organisations);

diesel::table! {
    grant_proposals (id) {
        id -> Text,
        registration_id -> Text,
        region_code -> Text,
        fiscal_year -> Integer,
        state -> Text,
        title -> Text,
        purpose -> Text,
        requested_amount -> BigInt,
        budget_lines -> Text,
        bank_account -> Text,
        document_ids -> Text,
        submitted_on -> Nullable<Date>,
        reason -> Nullable<Text>,
        recommended_amount -> Nullable<BigInt>,
        verification -> Nullable<Text>,
        decree_number -> Nullable<Text>,
        decree_date -> Nullable<Date>,
        approved_amount -> Nullable<BigInt>,
        agreement_number -> Nullable<Text>,
        agreement_date -> Nullable<Date>,
        disbursed_on -> Nullable<Date>,
        disbursed_amount -> Nullable<BigInt>,
        lpj_due_on -> Date,
        lpj_spent_amount -> Nullable<BigInt>,
        lpj_returned_amount -> Nullable<BigInt>,
        lpj -> Nullable<Text>,
        lpj_submitted_on -> Nullable<Date>,
        lpj_accepted_on -> Nullable<Date>,
        created_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    grant_events (id) {
        id -> Text,
        grant_id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        notes -> Nullable<Text>,
    }
}

diesel::joinable!(grant_proposals -> registrations (registration_id));
diesel::joinable!(grant_events -> grant_proposals (grant_id));
diesel::allow_tables_to_appear_in_same_query!(grant_proposals, grant_events);
diesel::allow_tables_to_appear_in_same_query!(grant_proposals, registrations);
diesel::allow_tables_to_appear_in_same_query!(grant_proposals, organisations);

diesel::table! {
    consultations (id) {
        id -> Text,
        region_code -> Text,
        registration_id -> Nullable<Text>,
        asker_id -> Text,
        topic -> Text,
        subject -> Text,
        state -> Text,
        opened_on -> Date,
        first_answer_due_on -> Date,
        first_answered_at -> Nullable<Timestamp>,
        first_answered_on -> Nullable<Date>,
        first_answer_working_days -> Nullable<Integer>,
        last_answered_on -> Nullable<Date>,
        last_message_at -> Timestamp,
        message_count -> Integer,
        assigned_to -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        closed_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    consultation_messages (id) {
        id -> Text,
        consultation_id -> Text,
        side -> Text,
        author_id -> Nullable<Text>,
        author_name -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consultation_attachments (id) {
        id -> Text,
        consultation_id -> Text,
        message_id -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consultation_events (id) {
        id -> Text,
        consultation_id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::joinable!(consultation_messages -> consultations (consultation_id));
diesel::joinable!(consultation_attachments -> consultation_messages (message_id));
diesel::joinable!(consultation_events -> consultations (consultation_id));
diesel::allow_tables_to_appear_in_same_query!(consultations, consultation_messages);
diesel::allow_tables_to_appear_in_same_query!(consultations, consultation_attachments);
diesel::allow_tables_to_appear_in_same_query!(consultations, consultation_events);
diesel::allow_tables_to_appear_in_same_query!(consultation_messages, consultation_attachments);
diesel::allow_tables_to_appear_in_same_query!(consultations, registrations);
diesel::allow_tables_to_appear_in_same_query!(consultations, organisations);
diesel::allow_tables_to_appear_in_same_query!(consultations, users);
diesel::joinable!(consultations -> registrations (registration_id));

diesel::table! {
    change_feed_head (id) {
        id -> Integer,
        seq -> BigInt,
        pruned_through -> BigInt,
    }
}

diesel::table! {
    change_events (seq) {
        seq -> BigInt,
        id -> Text,
        event_type -> Text,
        subject -> Text,
        region_code -> Nullable<Text>,
        occurred_at -> Timestamp,
        actor_role -> Nullable<Text>,
        data -> Text,
    }
}

diesel::table! {
    idempotency_keys (caller, idempotency_key) {
        caller -> Text,
        idempotency_key -> Text,
        request_method -> Text,
        request_path -> Text,
        request_content_type -> Text,
        request_body_sha256 -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Binary>,
        response_content_type -> Nullable<Text>,
        response_location -> Nullable<Text>,
        response_etag -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        owner_id -> Text,
        owner_role -> Text,
        owner_region -> Nullable<Text>,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Text,
        region_code -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        disabled_at -> Nullable<Timestamp>,
        cursor_seq -> BigInt,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        message_id -> Text,
        event_seq -> BigInt,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::allow_tables_to_appear_in_same_query!(webhook_deliveries, webhook_subscriptions);
