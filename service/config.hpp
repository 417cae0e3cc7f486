#pragma once
// The service's configuration: read once at start into typed structs, validated completely.
// Any unknown key or bad value throws ConfigError naming the key (e.g. "mailboxes[0].port"), so a
// bad config stops the service before it touches a mailbox.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "connectors/net/tls_options.hpp"
#include "connectors/source/after_ingest.hpp"
#include "connectors/spill/bytes.hpp"

namespace hd::service {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& message)
      : std::runtime_error(key + ": " + message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

enum class Protocol { kImap, kPop3 };
enum class AuthMethod { kPassword, kXoauth2 };

// "oauth2" of a mailbox with "auth": "xoauth2" (Microsoft identity platform).
struct OAuth2Config {
  std::string authority = "https://login.microsoftonline.com";  // http only on loopback
  // Required, no default works for everyone: consumers (personal Outlook.com) | organizations |
  // common | a tenant id or domain (the only choice for client_credentials).
  std::string tenant;
  std::string client_id;
  // "client_secret" or "client_secret_file"; client_credentials flow only (a public client that
  // sends one is refused by Microsoft, AADSTS700025). Never logged.
  std::string client_secret;
  std::vector<std::string> scopes;  // default: the protocol's AccessAsUser.All + offline_access
  bool client_credentials = false;  // "flow": "client_credentials" (Microsoft 365 app-only)
  // The account expected to approve `auth login` (default: the mailbox username); differs for a
  // shared mailbox opened with a member's sign-in.
  std::string login_account;
};

struct MailboxConfig {
  std::string name;  // unique; part of every source_key, so limited to [A-Za-z0-9_.-]
  Protocol protocol = Protocol::kImap;
  net::Endpoint endpoint;  // host, port, tls, ca_file, timeouts
  bool allow_insecure = false;
  std::string username;
  AuthMethod auth = AuthMethod::kPassword;
  std::string password;  // resolved from "password", "password_file" or ${ENV}; never logged
  OAuth2Config oauth2;   // used when auth == kXoauth2
  std::string folder = "INBOX";
  source::AfterIngest after_ingest;
  std::chrono::seconds poll_interval{60};
  // IMAP: wait in IDLE between passes when the server offers it ("idle", default true). POP3 has
  // no IDLE and refuses "idle": true.
  bool idle = true;
};

struct LimitsConfig {
  std::uint64_t max_message_bytes = 64ull * 1024 * 1024;
  std::size_t max_parts = 1000;
  std::size_t max_depth = 32;
  std::size_t max_header_bytes = 1024 * 1024;
  // One batch of a pass (fetch, group commit, acknowledge); see PassLimits.
  std::size_t fetch_batch_messages = 50;
  std::uint64_t fetch_batch_bytes = 8ull * 1024 * 1024;
  // Where a message or a decoded attachment larger than the threshold is kept instead of memory
  // (anonymous files: nothing is left behind): "spill_directory" (default $TMPDIR, else /tmp;
  // an absolute path, checked at start) and "spill_threshold_bytes" (64 KiB to 64 MiB, default
  // 4 MiB: what stays under it is held whole in memory, several times over while parsed, and goes
  // to the database as one value).
  spill::SpillPolicy spill;
};
inline constexpr std::int64_t kMinSpillThresholdBytes = 64 * 1024;
inline constexpr std::int64_t kMaxSpillThresholdBytes = 64ll * 1024 * 1024;

struct BackoffConfig {
  std::chrono::seconds initial{5};
  std::chrono::seconds max{600};
};

// "http" keys that bound the HTTP edge (see service/http/api_server.hpp).
struct HttpEdgeConfig {
  int threads = 16;  // "threads": workers for /api (probes have their own)
  // "max_long_polls": GET /api/v1/events?wait= that may wait at once; more answer at once.
  // Default: half of threads.
  int max_long_polls = 8;
  // "request_timeout_seconds": time a client has to send its complete request.
  std::chrono::seconds request_timeout{10};
  // "max_pending_connections": connections that may wait for their request; more evict the
  // longest waiting.
  std::size_t max_pending_connections = 256;
};

struct LogConfig {
  std::string level = "information";  // POCO level names: debug, information, warning, error
  std::string format = "text";        // text | json
};

struct Config {
  std::string database_url;  // never logged (it may hold a password)
  // Base64 of the 32-byte key that encrypts stored OAuth2 tokens: "secrets.key" /
  // "secrets.key_file", else $HELPDESK_SECRET_KEY; empty when none. Never logged.
  std::string secret_key;
  std::string secret_key_origin;  // where it came from, for error messages
  std::string http_host = "127.0.0.1";
  int http_port = 8080;
  // "/api/*" needs "Authorization: Bearer <api_token>" (http.api_token or http.api_token_file);
  // without a token every /api request is refused (401). Never logged. protect_status and
  // protect_metrics put /status and /metrics behind the same token.
  std::string api_token;
  // Optional second token that may only read /api (403 on changes), for the ticketing system.
  // http.api_read_token or http.api_read_token_file; never logged.
  std::string api_read_token;
  bool protect_status = false;
  bool protect_metrics = false;
  HttpEdgeConfig http_edge;
  std::string ticket_prefix = "HD-";
  // tickets.new_tickets_per_sender_per_hour: beyond it a sender's mail is recorded as
  // rate_limited; 0 switches the limit off.
  std::uint32_t new_tickets_per_sender_per_hour = 20;
  // tickets.own_addresses: mail from these never opens a ticket. Default: every mailbox username
  // that looks like an address (contains '@').
  std::vector<std::string> own_addresses;
  std::vector<MailboxConfig> mailboxes;
  LimitsConfig limits;
  BackoffConfig backoff;
  LogConfig log;
  // Problems that do not stop the service (e.g. a secret file readable by other users); the
  // application logs them once logging is set up.
  std::vector<std::string> warnings;
};

// Looks up an environment variable; empty optional when unset. Injected so tests need no setenv.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup processEnvironment();

// Parses the JSON text (comments allowed). `base_dir` resolves relative *_file paths.
// Every problem is a ConfigError naming the key; a JSON syntax error names its line and column
// but never quotes the text. Every secret read is passed to net::rememberSecret().
Config parseConfig(const std::string& json_text, const EnvLookup& env = processEnvironment(),
                   const std::string& base_dir = ".");

// Reads and parses a file; a missing or unreadable file (or one that is not a regular file of at
// most kMaxConfigFileBytes) is a ConfigError on key "--config".
inline constexpr std::uintmax_t kMaxConfigFileBytes = 4 * 1024 * 1024;
// A *_file secret must be a regular file (after following symlinks, as Kubernetes secret volumes
// use them) of at most this size.
inline constexpr std::uintmax_t kMaxSecretFileBytes = 64 * 1024;
Config loadConfig(const std::string& path, const EnvLookup& env = processEnvironment());

std::string toString(Protocol protocol);

}  // namespace hd::service
