-- Issue 10: a message's raw bytes can be written ahead of its batch's transaction, on a second
-- connection, so that PostgreSQL's per-byte work (TOAST, WAL) runs beside the commit stage's
-- instead of inside it. Such bytes are kept by their SHA-256 (content addressed): bytes written
-- before a crash or a refused batch are found again by the retry, never stored twice. The
-- message's raw_messages row then holds no bytes of its own but names them (content_sha256); the
-- foreign key makes the batch's transaction fail rather than commit a message whose bytes are
-- missing. Bytes no message names (the batch never committed, or its message was quarantined or
-- stored as an alias) are deleted a day after they were last written (db/raw_contents.hpp).
CREATE TABLE raw_contents (
  sha256     text PRIMARY KEY,  -- lowercase hex of raw
  raw        bytea NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()  -- the last write, the first or a retry's
);

ALTER TABLE raw_messages ADD COLUMN content_sha256 text REFERENCES raw_contents (sha256);
CREATE INDEX raw_messages_content_sha256_idx ON raw_messages (content_sha256)
  WHERE content_sha256 IS NOT NULL;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings
             WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE raw_contents ALTER COLUMN raw SET COMPRESSION lz4;
  END IF;
END
$$;
