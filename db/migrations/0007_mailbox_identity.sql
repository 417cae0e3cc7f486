-- What each mailbox name stands for: "<protocol>://<user>@<server>/<folder>". The checkpoint, the
-- source keys (imap:<mailbox>:<UIDVALIDITY>:<UID>) and the content dedupe all hang on the name, so
-- a name that now points at another folder, account or server would skip or acknowledge mail it
-- never fetched, and a folder read under a new name would be ingested a second time. The service
-- binds a name on its first pass and refuses a pass whose configuration disagrees
-- (db/mailbox_identity.cpp; README "Renaming or repointing a mailbox").
CREATE TABLE mailbox_identity (
  mailbox  text PRIMARY KEY,
  identity text NOT NULL,
  bound_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailbox_identity_identity_idx ON mailbox_identity (identity);
