-- Initial schema of helpdesk-ingest. Applied once by TicketStore::migrate() inside a transaction.
-- Every fetched message ends in exactly one of: messages (by source_key), quarantine (by
-- source_key), or source_aliases (a second key for content already in messages).

CREATE TABLE tickets (
  id                bigserial PRIMARY KEY,
  -- Public reference (prefix + id, e.g. HD-1042), written by the same INSERT that draws the id.
  reference         text NOT NULL UNIQUE,
  mailbox           text NOT NULL,
  subject           text NOT NULL DEFAULT '',
  requester_address text NOT NULL DEFAULT '',
  requester_name    text NOT NULL DEFAULT '',
  status            text NOT NULL DEFAULT 'open',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE messages (
  id                  bigserial PRIMARY KEY,
  -- NULL when the message is only recorded (auto-reply, bounce, rate-limited sender, ...).
  ticket_id           bigint REFERENCES tickets (id),
  source_key          text NOT NULL UNIQUE,
  mailbox             text NOT NULL,
  internet_message_id text NOT NULL DEFAULT '',  -- Message-ID without angle brackets
  in_reply_to         text NOT NULL DEFAULT '',
  references_         text[] NOT NULL DEFAULT '{}',
  subject             text NOT NULL DEFAULT '',
  from_address        text NOT NULL DEFAULT '',
  from_name           text NOT NULL DEFAULT '',
  -- JSON arrays of {"name": ..., "address": ...}
  to_addresses        jsonb NOT NULL DEFAULT '[]',
  cc_addresses        jsonb NOT NULL DEFAULT '[]',
  reply_to_addresses  jsonb NOT NULL DEFAULT '[]',
  sent_at             timestamptz,  -- Date header; NULL when absent or unparsable
  received_at         timestamptz NOT NULL DEFAULT now(),
  body_text           text NOT NULL DEFAULT '',
  body_text_new       text,  -- body_text without the quoted history (mime::Message::text_body_new)
  body_html           text NOT NULL DEFAULT '',
  classification      text NOT NULL,
  decision_reason     text NOT NULL DEFAULT '',
  raw_size            bigint NOT NULL,
  raw_sha256          text NOT NULL,  -- lowercase hex
  warnings            jsonb NOT NULL DEFAULT '[]'  -- parser warnings, JSON array of strings
);
CREATE INDEX messages_mailbox_message_id_idx ON messages (mailbox, internet_message_id);
CREATE INDEX messages_message_id_idx ON messages (internet_message_id);
CREATE INDEX messages_ticket_id_idx ON messages (ticket_id);

-- The exact bytes of every stored message, apart from the row so that listing messages never
-- drags megabytes along.
CREATE TABLE raw_messages (
  message_id bigint PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  raw        bytea NOT NULL
);

CREATE TABLE attachments (
  id           bigserial PRIMARY KEY,
  message_id   bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  filename     text NOT NULL DEFAULT '',
  content_type text NOT NULL DEFAULT 'application/octet-stream',
  content_id   text NOT NULL DEFAULT '',  -- without angle brackets
  is_inline    boolean NOT NULL DEFAULT false,
  size         bigint NOT NULL,
  sha256       text NOT NULL,  -- lowercase hex of content
  content      bytea NOT NULL
);
CREATE INDEX attachments_message_id_idx ON attachments (message_id);

-- Messages that could not be parsed or stored, with their raw bytes and the last error.
CREATE TABLE quarantine (
  id         bigserial PRIMARY KEY,
  source_key text NOT NULL UNIQUE,
  mailbox    text NOT NULL,
  raw        bytea,
  error      text NOT NULL,
  attempts   integer NOT NULL DEFAULT 1,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quarantine_mailbox_idx ON quarantine (mailbox);

-- A source key whose content (same mailbox, Message-ID and raw SHA-256) was already stored under
-- another key, e.g. after an IMAP UIDVALIDITY change made every UID new.
CREATE TABLE source_aliases (
  source_key text PRIMARY KEY,
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX source_aliases_message_id_idx ON source_aliases (message_id);

-- Per-mailbox sync state. POP3 mailboxes keep uidvalidity = last_uid = 0.
CREATE TABLE mailbox_state (
  mailbox     text PRIMARY KEY,
  uidvalidity bigint NOT NULL DEFAULT 0,
  last_uid    bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The feed the ticketing system polls, written in the same transaction as the message it reports.
-- Ids are drawn before their transactions commit, so under concurrent writers a lower id can become
-- visible after a higher one: a cursor on id alone would skip it. Readers therefore order by
-- (xid, id) and hand out only rows with xid < pg_snapshot_xmin(pg_current_snapshot()): every
-- transaction below that xmin has ended, and every transaction still running or yet to start has
-- an xid at or above it, so no row can later appear behind a cursor (xid, id) already handed out.
CREATE TABLE events (
  id         bigserial PRIMARY KEY,
  xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  type       text NOT NULL CHECK (type IN ('ticket.created', 'message.added')),
  ticket_id  bigint REFERENCES tickets (id),  -- NULL for a message recorded without a ticket
  message_id bigint REFERENCES messages (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_cursor_idx ON events (xid, id);
CREATE INDEX events_ticket_id_idx ON events (ticket_id);
