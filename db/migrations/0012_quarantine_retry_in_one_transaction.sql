-- Issue 11: a quarantine retry is one transaction that stores the message and deletes its
-- quarantine row (TicketStore::commitRetry), so its source key is accounted for at every moment:
-- by the quarantine row until the commit, by the message from then on, never by both. The retry
-- of 0003 renamed the row's key to 'retry:' || key and let this trigger delete it when the message
-- was stored; meanwhile the key was accounted for by nothing, and a racing pass could store or
-- quarantine the mail a second time.
DROP TRIGGER messages_forget_retried_quarantine ON messages;
DROP TRIGGER aliases_forget_retried_quarantine ON source_aliases;
DROP FUNCTION hd_forget_retried_quarantine();

-- Rows left renamed by a retry interrupted under the old scheme: obsolete when their key is
-- accounted for meanwhile (db/accounted_keys.cpp says what that means), else their key back.
-- An obsolete row's aliases (0010) first name whatever holds its key.
UPDATE source_aliases a
   SET message_id = held.message_id, quarantine_id = held.quarantine_id
  FROM quarantine renamed
  CROSS JOIN LATERAL (
         SELECT m.id AS message_id, NULL::bigint AS quarantine_id FROM messages m
          WHERE m.source_key = substr(renamed.source_key, 7)
         UNION ALL SELECT NULL, q.id FROM quarantine q
          WHERE q.source_key = substr(renamed.source_key, 7)
         UNION ALL SELECT s.message_id, s.quarantine_id FROM source_aliases s
          WHERE s.source_key = substr(renamed.source_key, 7)
            AND s.quarantine_id IS DISTINCT FROM renamed.id
         LIMIT 1) AS held
 WHERE renamed.source_key LIKE 'retry:%' AND a.quarantine_id = renamed.id;
DELETE FROM quarantine renamed
 WHERE renamed.source_key LIKE 'retry:%'
   AND (EXISTS (SELECT 1 FROM messages WHERE source_key = substr(renamed.source_key, 7))
        OR EXISTS (SELECT 1 FROM quarantine WHERE source_key = substr(renamed.source_key, 7))
        OR EXISTS (SELECT 1 FROM source_aliases WHERE source_key = substr(renamed.source_key, 7)));
UPDATE quarantine SET source_key = substr(source_key, 7) WHERE source_key LIKE 'retry:%';
