-- The sweep of raw_contents (db/raw_contents.cpp) examined every row older than a day, and nearly
-- all of them are named for good: its cost grew with the table, once an hour and at every process
-- start (a cron job running `--once` paid it each time). It now examines only the rows that became
-- a day old since the sweep before: an index on written_at, and the horizon below which every row
-- has been examined. A row written again (a retry) moves above the horizon and is examined again.
-- Rows below it are not examined again: bytes whose message is deleted by hand are not swept.
CREATE INDEX raw_contents_written_at_idx ON raw_contents (written_at);

CREATE TABLE raw_contents_sweep (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  horizon  timestamptz NOT NULL  -- every row last written before it has been examined
);
