DROP TABLE registration_sequences;
DROP TABLE registration_events;
DROP TABLE documents;
DROP TABLE board_members;
DROP TABLE registrations;
DROP TABLE organisations;
