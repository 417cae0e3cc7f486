-- Issue 10, speed: a base64 attachment (most attachments are) is no longer stored a second time,
-- decoded, next to the raw message that already holds it. Its row says where its encoded text
-- lies in the message's raw bytes (raw_messages.raw, or raw_message_chunks for a big message):
-- bytes [base64_offset, base64_offset + base64_length), counted from 0. The download decodes that
-- span (service/http/stored_bytes_response.cpp) with the decoder the parser used, so it gives the same
-- bytes, whose size and sha256 stay in the row. Such a row has a NULL content and no chunks.
-- Storing every attachment twice was about 40% of the bytes written for the benchmark's mail and
-- of PostgreSQL's work to write them (TOAST chunks, WAL).
--
-- Rows written before keep their content; both kinds are served the same way.
ALTER TABLE attachments
  ADD COLUMN base64_offset bigint,
  ADD COLUMN base64_length bigint,
  ADD CONSTRAINT attachments_base64_span_check CHECK (
    (base64_offset IS NULL) = (base64_length IS NULL)
    AND (base64_offset IS NULL OR (base64_offset >= 0 AND base64_length >= 0 AND content IS NULL)));
