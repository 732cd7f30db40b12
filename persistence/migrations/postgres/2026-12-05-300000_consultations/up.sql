-- Institutional consultation (konsultasi kelembagaan): threads between an ormas (or a person
-- forming one) and the office, their messages, attachments and events (PostgreSQL dialect).

CREATE TABLE consultations (
    id TEXT PRIMARY KEY,
    -- The office asked: the registration's region, or the region an unbound asker named.
    region_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    -- The ormas asking; NULL for a person forming an ormas (an account bound to none).
    registration_id TEXT REFERENCES registrations (id),
    asker_id TEXT NOT NULL REFERENCES users (id),
    topic TEXT NOT NULL CHECK (topic IN ('pendirian', 'pendaftaran', 'kepengurusan', 'ad_art', 'hibah', 'pelaporan', 'sengketa_internal', 'lainnya')),
    subject TEXT NOT NULL,
    -- The stored state; an `answered` thread reads `closed` once its last answer is old enough.
    state TEXT NOT NULL CHECK (state IN ('open', 'answered', 'closed')),
    opened_on DATE NOT NULL,
    first_answer_due_on DATE NOT NULL,
    first_answered_at TIMESTAMP,
    first_answered_on DATE,
    -- Working days from opening to the first answer (for the median of the statistics).
    first_answer_working_days INTEGER,
    -- The day of the office's last reply (the automatic close counts from it).
    last_answered_on DATE,
    last_message_at TIMESTAMP NOT NULL,
    message_count INTEGER NOT NULL,
    assigned_to TEXT REFERENCES users (id),
    closed_on DATE,
    closed_by TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX consultations_region_idx ON consultations (region_code, id);
CREATE INDEX consultations_state_idx ON consultations (state, region_code, id);
CREATE INDEX consultations_registration_idx ON consultations (registration_id);
CREATE INDEX consultations_asker_idx ON consultations (asker_id);
CREATE INDEX consultations_assigned_idx ON consultations (assigned_to);
CREATE INDEX consultations_unanswered_idx ON consultations (first_answer_due_on)
    WHERE first_answered_on IS NULL;

CREATE TABLE consultation_messages (
    id TEXT PRIMARY KEY,
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    side TEXT NOT NULL CHECK (side IN ('asker', 'office')),
    author_id TEXT,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultation_messages_thread_idx ON consultation_messages (consultation_id, id);

CREATE TABLE consultation_attachments (
    id TEXT PRIMARY KEY,
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    message_id TEXT NOT NULL REFERENCES consultation_messages (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultation_attachments_thread_idx ON consultation_attachments (consultation_id, message_id);

-- Assignments and closes (messages are their own timeline).
CREATE TABLE consultation_events (
    id TEXT PRIMARY KEY,
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL CHECK (action IN ('opened', 'asker_replied', 'office_replied', 'assigned', 'closed')),
    detail TEXT
);
CREATE INDEX consultation_events_thread_idx ON consultation_events (consultation_id, id);
