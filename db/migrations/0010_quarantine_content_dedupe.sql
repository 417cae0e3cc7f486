-- Issue 11: quarantined mail is recognised by its bytes too. After a UIDVALIDITY change the same
-- unparseable (or refused) mail comes back under a new source key; instead of a second quarantine
-- row, the new key becomes an alias of the row that holds those bytes (same mailbox and SHA-256),
-- so it is accounted for (db/accounted_keys.cpp) and acknowledged like any other key. Rows left on
-- the server (0008) hold only a header block: no SHA-256 of the message, never compared.
ALTER TABLE quarantine ADD COLUMN raw_sha256 text;  -- lowercase hex of raw; NULL without raw bytes
UPDATE quarantine SET raw_sha256 = encode(sha256(raw), 'hex') WHERE raw IS NOT NULL;
CREATE INDEX quarantine_mailbox_raw_sha256_idx ON quarantine (mailbox, raw_sha256)
  WHERE raw_sha256 IS NOT NULL;

-- An alias names what holds its bytes: a stored message, or a quarantine row. The reference to
-- the quarantine row is checked at commit: a retry that stores the message deletes the row and
-- moves its aliases to the message in the same transaction, in either order; a row deleted with
-- its aliases left behind fails the commit instead of leaving keys that name nothing.
ALTER TABLE source_aliases
  ALTER COLUMN message_id DROP NOT NULL,
  ADD COLUMN quarantine_id bigint REFERENCES quarantine (id) DEFERRABLE INITIALLY DEFERRED,
  ADD CONSTRAINT source_aliases_one_original CHECK (num_nonnulls(message_id, quarantine_id) = 1);
CREATE INDEX source_aliases_quarantine_id_idx ON source_aliases (quarantine_id)
  WHERE quarantine_id IS NOT NULL;

-- The retry of 0003 deletes its renamed row when the message is stored: the row's aliases now
-- name the stored message.
CREATE OR REPLACE FUNCTION hd_forget_retried_quarantine() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  stored bigint;
BEGIN
  IF TG_TABLE_NAME = 'messages' THEN
    stored := NEW.id;
  ELSE
    stored := NEW.message_id;
  END IF;
  UPDATE source_aliases SET quarantine_id = NULL, message_id = stored
   WHERE quarantine_id IN (SELECT id FROM quarantine WHERE source_key = 'retry:' || NEW.source_key);
  DELETE FROM quarantine WHERE source_key = 'retry:' || NEW.source_key;
  RETURN NULL;
END
$$;
