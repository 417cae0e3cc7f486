-- A message over limits.max_message_bytes is decided from the size the server announces, before
-- its body is fetched: it is quarantined with its header block only and left on the server
-- (never deleted, moved or flagged). `raw` stays NULL for such a row; `headers` holds the header
-- block (bounded), `size` the message's size in bytes (announced, or counted while draining a
-- body that turned out larger than announced). `fetch_requested`: a retry after the limit was
-- raised asks the mailbox's next pass to fetch and store it.
ALTER TABLE quarantine
  ADD COLUMN on_server boolean NOT NULL DEFAULT false,
  ADD COLUMN size bigint,
  ADD COLUMN headers bytea,
  ADD COLUMN fetch_requested boolean NOT NULL DEFAULT false;
