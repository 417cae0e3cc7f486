-- Issue 11: after a UIDVALIDITY change every message of the folder comes back under a new key; the
-- rescan recognises mail already stored by its mailbox and the SHA-256 of its raw bytes alone,
-- whether or not it has a Message-ID (mail without one used to become a second ticket), and
-- records the new key in source_aliases (db/batch_knowledge.cpp). This index serves that lookup;
-- messages_mailbox_message_id_idx only served it for mail with a Message-ID.
CREATE INDEX messages_mailbox_raw_sha256_idx ON messages (mailbox, raw_sha256);
