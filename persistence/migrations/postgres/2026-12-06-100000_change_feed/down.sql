DROP TABLE change_events;
DROP TABLE change_feed_head;
