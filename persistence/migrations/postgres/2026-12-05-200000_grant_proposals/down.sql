DROP TABLE grant_events;
DROP TABLE grant_proposals;
