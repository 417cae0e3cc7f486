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
DELETE FROM quarantine renamed
 WHERE renamed.source_key LIKE 'retry:%'
   AND (EXISTS (SELECT 1 FROM messages WHERE source_key = substr(renamed.source_key, 7))
        OR EXISTS (SELECT 1 FROM quarantine WHERE source_key = substr(renamed.source_key, 7))
        OR EXISTS (SELECT 1 FROM source_aliases WHERE source_key = substr(renamed.source_key, 7)));
UPDATE quarantine SET source_key = substr(source_key, 7) WHERE source_key LIKE 'retry:%';
