-- Which cluster and database stamped events.xid. Transaction ids are only ordered within one
-- cluster: after pg_dump/restore or a logical move, new transactions start at other (often lower)
-- ids, so the feed's (xid, id) order and every client's saved cursor would be wrong. The service
-- compares this row with the live identity on every feed read (db/feed_generation.cpp); on a
-- difference it rebases the feed once and refuses cursors of the old generation (409).
CREATE TABLE feed_generation (
  only_row          boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  system_identifier bigint      NOT NULL,  -- pg_control_system(): differs for every initdb
  database_oid      oid         NOT NULL,  -- differs for a restore into another database
  rebased_at        timestamptz            -- set when the feed was rebased after a move
);

INSERT INTO feed_generation (system_identifier, database_oid)
SELECT s.system_identifier, d.oid
  FROM pg_control_system() s, pg_database d
 WHERE d.datname = current_database();
