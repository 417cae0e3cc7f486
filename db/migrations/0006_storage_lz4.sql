-- Issue 10: PostgreSQL's CPU per message. TOAST compresses large values with pglz by default,
-- which is slow and mostly wasted on mail: attachments (PDFs, images, archives) and the base64 of
-- them inside the raw bytes barely compress. lz4 is several times faster and gives up quickly on
-- incompressible data. Only for new rows; servers built without lz4 keep pglz (still correct).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings
             WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE raw_messages ALTER COLUMN raw SET COMPRESSION lz4;
    ALTER TABLE attachments ALTER COLUMN content SET COMPRESSION lz4;
    ALTER TABLE quarantine ALTER COLUMN raw SET COMPRESSION lz4;
    ALTER TABLE messages ALTER COLUMN body_text SET COMPRESSION lz4,
                         ALTER COLUMN body_text_new SET COMPRESSION lz4,
                         ALTER COLUMN body_html SET COMPRESSION lz4;
  END IF;
END
$$;
