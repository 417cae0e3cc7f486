-- Ticket decisions (service/ingest): the per-sender rate limit counts a requester's tickets of the
-- last hour on every new-ticket decision, case-insensitively.
CREATE INDEX tickets_requester_created_idx ON tickets (lower(requester_address), created_at);
