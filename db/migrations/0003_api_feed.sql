-- HTTP API support: feed wake-ups, quarantine retries, status counts.

-- Long-poll wake-up for GET /api/v1/events. One notification per transaction that wrote events
-- (PostgreSQL folds identical notifications of one transaction), delivered at COMMIT, so a
-- listener never wakes before the rows are visible. The payload is empty: readers re-query.
CREATE FUNCTION hd_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('helpdesk_events', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER events_notify AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION hd_notify_events();

-- POST /api/v1/quarantine/{id}/retry renames the row's key to 'retry:' || source_key (so that
-- TicketStore::commitMessage does not find it and answer "already ingested"), then commits the
-- message under the original key. This trigger removes the renamed row in that same commit
-- transaction, so a key never ends in both messages and quarantine. A crash between the rename and
-- the commit leaves the renamed row with its raw bytes (listed as "retrying"; retry it again).
CREATE FUNCTION hd_forget_retried_quarantine() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM quarantine WHERE source_key = 'retry:' || NEW.source_key;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_forget_retried_quarantine AFTER INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION hd_forget_retried_quarantine();
CREATE TRIGGER aliases_forget_retried_quarantine AFTER INSERT ON source_aliases
  FOR EACH ROW EXECUTE FUNCTION hd_forget_retried_quarantine();

-- /status and /metrics count messages per mailbox and classification, follow-ups included.
CREATE INDEX messages_mailbox_classification_idx ON messages (mailbox, classification, ticket_id);
-- GET /api/v1/tickets?status=&mailbox= pages by id.
CREATE INDEX tickets_mailbox_status_idx ON tickets (mailbox, status, id);
