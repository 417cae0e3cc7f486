-- OAuth2 tokens per mailbox (issue 6). Both tokens are sealed with AES-256-GCM by the service
-- (connectors/oauth2/secret_box.hpp) under the operator's key; the database never sees them in
-- clear. One row per mailbox, replaced by a single upsert on every refresh-token rotation.
CREATE TABLE oauth_tokens (
  mailbox              text PRIMARY KEY,
  refresh_token_sealed bytea NOT NULL,
  access_token_sealed  bytea NOT NULL,
  access_expires_at    timestamptz NOT NULL,
  rotated_at           timestamptz NOT NULL DEFAULT now(),  -- last refresh-token replacement
  signed_in_at         timestamptz NOT NULL DEFAULT now()   -- last `auth login`
);
