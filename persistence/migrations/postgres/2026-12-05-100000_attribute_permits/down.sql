DROP TABLE attribute_permit_sequences;
DROP TABLE attribute_permit_events;
DROP TABLE attribute_permits;
