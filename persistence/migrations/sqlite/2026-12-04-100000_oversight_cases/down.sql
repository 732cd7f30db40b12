DROP TABLE case_events;
DROP TABLE case_members;
DROP TABLE complaint_attachments;
DROP TABLE complaints;
DROP TABLE oversight_cases;
