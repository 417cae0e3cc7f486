-- Issue 11, big mail: a content too big to hold in memory (one the fetch or the MIME decoder
-- spilled to a file, spill::Bytes) is stored in chunks of about 1 MiB, one row each, instead of
-- one bytea value: the writer reads the spill file one chunk at a time (db/content_chunks.cpp) and
-- the API and the quarantine retry read it back one chunk at a time, so a
-- 150 MB message never sits whole in memory on either side. Its inline column (raw_messages.raw,
-- attachments.content, quarantine.raw) is NULL; sizes stay where they were (messages.raw_size,
-- attachments.size), and a quarantine row's is the sum of its chunks.
--
-- A chunk table rather than large objects: chunks go away with their message, attachment or
-- quarantine row through ordinary ON DELETE CASCADE foreign keys (a large object outlives its
-- row unless a trigger calls lo_unlink, and vacuumlo must clean what one missed), they are read
-- with ordinary SELECTs by the same statements and permissions as the rest of the schema, and
-- pg_dump, replication and the group commit's savepoints treat them like any other row.
ALTER TABLE raw_messages ALTER COLUMN raw DROP NOT NULL;
ALTER TABLE attachments ALTER COLUMN content DROP NOT NULL;

CREATE TABLE raw_message_chunks (
  message_id bigint NOT NULL REFERENCES raw_messages (message_id) ON DELETE CASCADE,
  seq        integer NOT NULL,  -- 0, 1, 2...: the chunks in order
  bytes      bytea NOT NULL,
  PRIMARY KEY (message_id, seq)
);

CREATE TABLE attachment_chunks (
  attachment_id bigint NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
  seq           integer NOT NULL,
  bytes         bytea NOT NULL,
  PRIMARY KEY (attachment_id, seq)
);

CREATE TABLE quarantine_chunks (
  quarantine_id bigint NOT NULL REFERENCES quarantine (id) ON DELETE CASCADE,
  seq           integer NOT NULL,
  bytes         bytea NOT NULL,
  PRIMARY KEY (quarantine_id, seq)
);

-- Big contents are mostly attachments (PDFs, images, archives) and their base64: already
-- compressed, so pglz would spend CPU for nothing (migration 0006). lz4 where the server has it
-- (it gives up quickly on incompressible data); elsewhere no compression at all (EXTERNAL:
-- out of line, uncompressed), never pglz.
DO $$
DECLARE
  chunks text;
BEGIN
  FOREACH chunks IN ARRAY ARRAY['raw_message_chunks', 'attachment_chunks', 'quarantine_chunks']
  LOOP
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
      EXECUTE format('ALTER TABLE %I ALTER COLUMN bytes SET COMPRESSION lz4', chunks);
    ELSE
      EXECUTE format('ALTER TABLE %I ALTER COLUMN bytes SET STORAGE EXTERNAL', chunks);
    END IF;
  END LOOP;
END
$$;
