DROP TABLE consultation_events;
DROP TABLE consultation_attachments;
DROP TABLE consultation_messages;
DROP TABLE consultations;
