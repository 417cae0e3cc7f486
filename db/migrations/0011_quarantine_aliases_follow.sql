-- Issue 11: when a quarantine row goes because its mail is now stored (a retry deletes the row
-- and stores the message in one transaction, in either order), the keys aliased to the row
-- (migration 0010) must name the stored message instead, or they would name nothing. This runs at
-- commit, once both steps are done, for every deleted row: its aliases move to the message stored
-- under the row's key (or to the message that key is an alias of). With nothing stored under the
-- key they stay, and the deferred foreign key of 0010 refuses the commit.
-- The name sorts before PostgreSQL's own RI_ConstraintTrigger_* triggers on purpose: triggers on
-- one event fire in name order, and this one must move the aliases before the foreign key looks
-- for them.
CREATE FUNCTION hd_aliases_follow_stored_quarantine() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  stored_key text := regexp_replace(OLD.source_key, '^retry:', '');  -- 0003's renamed rows
  stored bigint;
BEGIN
  SELECT id INTO stored FROM messages WHERE source_key = stored_key;
  IF stored IS NULL THEN
    SELECT message_id INTO stored FROM source_aliases WHERE source_key = stored_key;
  END IF;
  IF stored IS NOT NULL THEN
    UPDATE source_aliases SET quarantine_id = NULL, message_id = stored
     WHERE quarantine_id = OLD.id;
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER "Aliases_follow_stored_quarantine" AFTER DELETE ON quarantine
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hd_aliases_follow_stored_quarantine();
