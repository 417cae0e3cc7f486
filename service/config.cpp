#include "service/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "connectors/net/redact.hpp"
#include "connectors/oauth2/http_transport.hpp"
#include "connectors/oauth2/outlook_scopes.hpp"
#include "connectors/oauth2/secret_box.hpp"
#include "connectors/oauth2/token_client.hpp"
#include "db/connection_string.hpp"
#include "service/mailbox_overlap.hpp"

namespace hd::service {
namespace {

using Json = nlohmann::json;

// Warnings of the parseConfig() call running on this thread (Config::warnings), so that readers
// deep in the tree can add one without every reader carrying the list.
thread_local std::vector<std::string>* t_warnings = nullptr;

// Reads a regular file (symlinks followed) of at most `max_bytes`; anything else (a directory,
// /dev/zero, a FIFO, a missing file, a larger file) throws ConfigError(key) without reading it.
std::string readBoundedFile(const std::filesystem::path& path, std::uintmax_t max_bytes,
                            const std::string& key) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status))
    throw ConfigError(key, "cannot read " + path.string() + " (not found)");
  if (!std::filesystem::is_regular_file(status))
    throw ConfigError(key, path.string() + " is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(key, "cannot read " + path.string());
  std::string content(static_cast<std::size_t>(max_bytes) + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() > max_bytes) {
    throw ConfigError(key,
                      path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  if (t_warnings && (status.permissions() & std::filesystem::perms::others_read) !=
                        std::filesystem::perms::none) {
    t_warnings->push_back(key + ": " + path.string() +
                          " is readable by every user of this machine; restrict it (chmod o-r)");
  }
  return content;
}

// Reads one JSON object, remembering which keys were used so that any other key is refused.
// Keys are reported as paths ("mailboxes[0].port") in every error.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path, const EnvLookup& env, std::string base_dir)
      : object_(object), path_(std::move(path)), env_(env), base_dir_(std::move(base_dir)) {
    if (!object_.is_object())
      throw ConfigError(path_.empty() ? "(top level)" : path_, "must be an object");
  }

  std::string key(const std::string& name) const {
    return path_.empty() ? name : path_ + "." + name;
  }

  bool has(const std::string& name) {
    used_.insert(name);
    return object_.contains(name) && !object_.at(name).is_null();
  }

  const Json& raw(const std::string& name) {
    used_.insert(name);
    return object_.at(name);
  }

  std::optional<std::string> string(const std::string& name) {
    if (!has(name)) return std::nullopt;
    const Json& value = object_.at(name);
    if (!value.is_string()) throw ConfigError(key(name), "must be a string");
    return expandEnvironment(value.get<std::string>(), key(name));
  }

  std::string string(const std::string& name, const std::string& fallback) {
    return string(name).value_or(fallback);
  }

  std::string requiredString(const std::string& name) {
    auto value = string(name);
    if (!value || value->empty()) throw ConfigError(key(name), "is required");
    return *value;
  }

  // A secret may be given inline ("password") or as a file ("password_file", for Docker secrets);
  // never both. A trailing newline in the file is not part of the secret.
  std::optional<std::string> secret(const std::string& name) {
    auto inline_value = string(name);
    auto file = string(name + "_file");
    if (inline_value && file)
      throw ConfigError(key(name), "give either " + name + " or " + name + "_file, not both");
    if (!file) {
      if (inline_value) net::rememberSecret(*inline_value);
      return inline_value;
    }
    std::filesystem::path path(*file);
    if (path.is_relative()) path = std::filesystem::path(base_dir_) / path;
    std::string content = readBoundedFile(path, kMaxSecretFileBytes, key(name + "_file"));
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
      content.pop_back();
    net::rememberSecret(content);
    return content;
  }

  std::optional<std::int64_t> integer(const std::string& name, std::int64_t min, std::int64_t max) {
    if (!has(name)) return std::nullopt;
    const Json& value = object_.at(name);
    if (!value.is_number_integer()) throw ConfigError(key(name), "must be an integer");
    auto number = value.get<std::int64_t>();
    if (number < min || number > max) {
      throw ConfigError(key(name),
                        "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return number;
  }

  std::optional<bool> boolean(const std::string& name) {
    if (!has(name)) return std::nullopt;
    const Json& value = object_.at(name);
    if (!value.is_boolean()) throw ConfigError(key(name), "must be true or false");
    return value.get<bool>();
  }

  // Refuses keys nobody asked for: a typo must not silently fall back to a default.
  void rejectUnknownKeys() const {
    for (const auto& [name, value] : object_.items()) {
      if (!used_.count(name)) throw ConfigError(key(name), "unknown key");
    }
  }

  const EnvLookup& env() const { return env_; }
  const std::string& baseDir() const { return base_dir_; }

 private:
  // "${NAME}" is replaced by the environment variable NAME; an unset variable is an error.
  std::string expandEnvironment(const std::string& text, const std::string& where) const {
    static const std::regex kReference(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
    std::string result;
    auto begin = std::sregex_iterator(text.begin(), text.end(), kReference);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const auto& match = *it;
      result.append(text, last, static_cast<std::size_t>(match.position()) - last);
      auto value = env_(match[1].str());
      if (!value)
        throw ConfigError(where, "environment variable " + match[1].str() + " is not set");
      result += *value;
      last = static_cast<std::size_t>(match.position() + match.length());
    }
    result.append(text, last);
    return result;
  }

  const Json& object_;
  std::string path_;
  const EnvLookup& env_;
  std::string base_dir_;
  std::set<std::string> used_;
};

template <typename Enum>
Enum choose(const std::string& key, const std::string& value,
            std::initializer_list<std::pair<const char*, Enum>> choices) {
  std::string names;
  for (const auto& [name, choice] : choices) {
    if (value == name) return choice;
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  throw ConfigError(key, "must be one of " + names + " (got \"" + value + "\")");
}

std::pair<std::string, int> parseListen(const std::string& key, const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) throw ConfigError(key, "must look like HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    std::size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw ConfigError(key, "port must be a number");
  }
  if (port < 0 || port > 65535) throw ConfigError(key, "port must be between 0 and 65535");
  return {host, port};
}

// A list of mail addresses ("support@example.com"); an empty list is allowed (no own mail).
std::vector<std::string> parseOwnAddresses(const Json& value, const std::string& key) {
  if (!value.is_array()) throw ConfigError(key, "must be a list of mail addresses");
  std::vector<std::string> addresses;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    if (!value[i].is_string()) throw ConfigError(item_key, "must be a string");
    const auto address = value[i].get<std::string>();
    const auto at = address.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size() ||
        address.find_first_of(" \t<>") != std::string::npos) {
      throw ConfigError(item_key, "must be a mail address such as support@example.com");
    }
    addresses.push_back(address);
  }
  return addresses;
}

int defaultPort(Protocol protocol, net::TlsMode tls) {
  bool implicit = tls == net::TlsMode::kImplicit;
  if (protocol == Protocol::kImap) return implicit ? 993 : 143;
  return implicit ? 995 : 110;
}

OAuth2Config parseOAuth2(const Json& raw, const std::string& key, const MailboxConfig& box,
                         ObjectReader& parent) {
  ObjectReader in(raw, key, parent.env(), parent.baseDir());
  OAuth2Config oauth;
  oauth.client_id = in.requiredString("client_id");
  if (!in.has("tenant")) {
    throw ConfigError(in.key("tenant"),
                      "is required: \"consumers\" for a personal Outlook.com account, the tenant "
                      "id or domain (or \"organizations\") for Microsoft 365");
  }
  oauth.tenant = in.string("tenant", "");
  static const std::regex kTenant("[A-Za-z0-9.-]{1,128}");
  if (!std::regex_match(oauth.tenant, kTenant)) {
    throw ConfigError(in.key("tenant"), "must be consumers, common, organizations or a tenant id");
  }
  oauth.authority = in.string("authority", oauth.authority);
  if (!oauth2::isAcceptableAuthority(oauth.authority)) {
    throw ConfigError(in.key("authority"),
                      "must be an https URL (plain http only for 127.0.0.1 or localhost)");
  }
  oauth.client_secret = in.secret("client_secret").value_or("");
  oauth.client_credentials = choose<bool>(in.key("flow"), in.string("flow", "device_code"),
                                          {{"device_code", false}, {"client_credentials", true}});
  if (oauth.client_credentials) {
    if (oauth.client_secret.empty())
      throw ConfigError(in.key("client_secret"), "is required for the client_credentials flow");
    if (oauth2::isTenantAlias(oauth.tenant)) {
      throw ConfigError(in.key("tenant"),
                        "the client_credentials flow needs the tenant id or "
                        "domain (e.g. contoso.onmicrosoft.com), not \"" +
                            oauth.tenant + "\"");
    }
    if (in.has("login_account"))
      throw ConfigError(in.key("login_account"), "is for the device_code flow only");
  } else {
    if (in.has("client_secret") || in.has("client_secret_file")) {
      throw ConfigError(in.key("client_secret"),
                        "is for the client_credentials flow only: the device-code flow is a "
                        "public client, and Microsoft refuses its sign-in when a client_secret "
                        "is sent (AADSTS700025)");
    }
    oauth.login_account = in.string("login_account", box.username);
    if (oauth.login_account.empty())
      throw ConfigError(in.key("login_account"), "must not be empty");
  }
  if (in.has("scopes")) {
    const Json& scopes = in.raw("scopes");
    if (!scopes.is_array()) throw ConfigError(in.key("scopes"), "must be a list of strings");
    for (const auto& scope : scopes) {
      if (!scope.is_string() || scope.get<std::string>().empty()) {
        throw ConfigError(in.key("scopes"), "must be a list of non-empty strings");
      }
      oauth.scopes.push_back(scope.get<std::string>());
    }
    const std::string problem =
        oauth.client_credentials
            ? oauth2::appOnlyScopesProblem(oauth.scopes)
            : oauth2::delegatedScopesProblem(oauth.scopes, box.protocol == Protocol::kImap
                                                               ? "IMAP.AccessAsUser.All"
                                                               : "POP.AccessAsUser.All");
    if (!problem.empty()) throw ConfigError(in.key("scopes"), problem);
  } else if (oauth.client_credentials) {
    oauth.scopes = {oauth2::kAppOnlyScope};
  } else {
    oauth.scopes = {box.protocol == Protocol::kImap ? oauth2::kImapScope : oauth2::kPopScope,
                    oauth2::kOfflineAccessScope};
  }
  in.rejectUnknownKeys();
  return oauth;
}

MailboxConfig parseMailbox(ObjectReader& in) {
  MailboxConfig box;
  box.name = in.requiredString("name");
  static const std::regex kName("[A-Za-z0-9_.-]{1,64}");
  if (!std::regex_match(box.name, kName)) {
    throw ConfigError(in.key("name"), "may use only letters, digits, '_', '.', '-' (at most 64)");
  }
  box.protocol = choose<Protocol>(in.key("protocol"), in.string("protocol", "imap"),
                                  {{"imap", Protocol::kImap}, {"pop3", Protocol::kPop3}});
  // "provider": "outlook" presets Exchange Online (outlook.office365.com, implicit TLS, XOAUTH2;
  // password sign-in was switched off there in 2022/2024); every field can still be overridden.
  const std::string provider =
      choose<std::string>(in.key("provider"), in.string("provider", "custom"),
                          {{"custom", "custom"}, {"outlook", "outlook"}});
  const bool outlook = provider == "outlook";
  box.endpoint.host =
      outlook ? in.string("host", "outlook.office365.com") : in.requiredString("host");
  box.endpoint.tls = choose<net::TlsMode>(in.key("tls"), in.string("tls", "implicit"),
                                          {{"implicit", net::TlsMode::kImplicit},
                                           {"starttls", net::TlsMode::kStartTls},
                                           {"none", net::TlsMode::kNone}});
  box.allow_insecure = in.boolean("allow_insecure").value_or(false);
  if (box.endpoint.tls == net::TlsMode::kNone && !box.allow_insecure) {
    throw ConfigError(
        in.key("tls"),
        "\"none\" sends the password in clear text; it needs \"allow_insecure\": true");
  }
  box.endpoint.port = static_cast<int>(
      in.integer("port", 1, 65535).value_or(defaultPort(box.protocol, box.endpoint.tls)));
  box.endpoint.ca_file = in.string("ca_file", "");
  if (!box.endpoint.ca_file.empty() && !std::filesystem::exists(box.endpoint.ca_file)) {
    throw ConfigError(in.key("ca_file"), "file not found: " + box.endpoint.ca_file);
  }
  if (auto seconds = in.integer("timeout_seconds", 1, 3600)) {
    box.endpoint.connect_timeout = std::chrono::seconds(*seconds);
    box.endpoint.read_timeout = std::chrono::seconds(*seconds);
  }
  box.username = in.requiredString("username");
  box.auth =
      choose<AuthMethod>(in.key("auth"), in.string("auth", outlook ? "xoauth2" : "password"),
                         {{"password", AuthMethod::kPassword}, {"xoauth2", AuthMethod::kXoauth2}});
  auto password = in.secret("password");
  if (box.auth == AuthMethod::kPassword) {
    if (!password || password->empty())
      throw ConfigError(in.key("password"), "is required when auth is \"password\"");
    box.password = *password;
  } else {
    if (password) throw ConfigError(in.key("password"), "is not used when auth is \"xoauth2\"");
    if (!in.has("oauth2"))
      throw ConfigError(in.key("oauth2"), "is required when auth is \"xoauth2\"");
    box.oauth2 = parseOAuth2(in.raw("oauth2"), in.key("oauth2"), box, in);
  }
  box.folder = in.string("folder", "INBOX");
  if (box.folder.empty()) throw ConfigError(in.key("folder"), "must not be empty");

  std::string after =
      in.string("after_ingest", box.protocol == Protocol::kPop3 ? "delete" : "seen");
  using Action = source::AfterIngest::Action;
  if (after.rfind("move:", 0) == 0) {
    box.after_ingest = {Action::kMove, after.substr(5)};
    if (box.after_ingest.folder.empty())
      throw ConfigError(in.key("after_ingest"), "move: needs a folder name");
  } else {
    box.after_ingest.action = choose<Action>(
        in.key("after_ingest"), after,
        {{"seen", Action::kSeen}, {"delete", Action::kDelete}, {"keep", Action::kKeep}});
  }
  if (box.protocol == Protocol::kPop3) {
    if (box.after_ingest.action == Action::kSeen || box.after_ingest.action == Action::kMove) {
      throw ConfigError(in.key("after_ingest"), "POP3 supports only \"delete\" or \"keep\"");
    }
    if (in.has("folder") && box.folder != "INBOX")
      throw ConfigError(in.key("folder"), "POP3 has only INBOX");
  }
  box.poll_interval =
      std::chrono::seconds(in.integer("poll_interval_seconds", 1, 86400).value_or(60));
  auto idle = in.boolean("idle");
  if (box.protocol == Protocol::kPop3 && idle.value_or(false))
    throw ConfigError(in.key("idle"), "POP3 has no IDLE; remove the key or set it to false");
  box.idle = box.protocol == Protocol::kImap && idle.value_or(true);
  in.rejectUnknownKeys();
  return box;
}

// Where the parser is in the document ("mailboxes[0].port"), kept from the parser's events so
// that an error inside a value can name its key.
class JsonPath {
 public:
  bool onEvent(Json::parse_event_t event, const Json& parsed) {
    using Event = Json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        frames_.push_back({event == Event::array_start, 0, ""});
        break;
      case Event::key:
        if (!frames_.empty()) frames_.back().key = parsed.get<std::string>();
        break;
      case Event::object_end:
      case Event::array_end:
        if (!frames_.empty()) frames_.pop_back();
        elementDone();
        break;
      case Event::value:
        elementDone();
        break;
    }
    return true;
  }

  std::string key() const {
    static const std::regex kPlainKey("[A-Za-z0-9_]{1,64}");
    std::string path;
    for (const auto& frame : frames_) {
      if (frame.array) {
        path += "[" + std::to_string(frame.index) + "]";
      } else if (!frame.key.empty()) {
        // Only names that look like our keys: a misplaced secret must not be printed as a key.
        path += (path.empty() ? "" : ".") +
                (std::regex_match(frame.key, kPlainKey) ? frame.key : std::string("(key)"));
      }
    }
    return path.empty() ? "(file)" : path;
  }

 private:
  void elementDone() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  struct Frame {
    bool array;
    std::size_t index;
    std::string key;
  };
  std::vector<Frame> frames_;
};

// "line 3, column 17" of a byte offset (1-based, as editors count).
std::string lineAndColumn(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const auto line =
      1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
  const auto line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const auto column =
      line_start == std::string::npos || offset == 0 ? offset : offset - line_start - 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column + 1);
}

// Parses the configuration text (comments allowed). Errors report where, never what: the text
// around a syntax error may be a password, and an unterminated comment would be the rest of the
// file.
Json parseJson(const std::string& text) {
  JsonPath path;
  try {
    return Json::parse(
        text,
        [&path](int, Json::parse_event_t event, Json& parsed) {
          return path.onEvent(event, parsed);
        },
        /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& e) {
    // nlohmann's description is fixed text up to "; last read: '<input>'".
    std::string what = e.what();
    const auto description_start = what.find(": syntax error");
    std::string description = description_start == std::string::npos
                                  ? "syntax error"
                                  : what.substr(description_start + 2);
    description.resize(std::min(description.find("; last read"), description.size()));
    throw ConfigError("(file)", "not valid JSON at " +
                                    lineAndColumn(text, e.byte == 0 ? 0 : e.byte - 1) + ": " +
                                    description);
  } catch (const Json::out_of_range&) {
    throw ConfigError(path.key(), "number out of range");
  } catch (const Json::exception&) {
    throw ConfigError(path.key(), "not valid JSON");
  }
}
}  // namespace

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

std::string toString(Protocol protocol) {
  return protocol == Protocol::kImap ? "imap" : "pop3";
}

Config parseConfig(const std::string& json_text, const EnvLookup& env,
                   const std::string& base_dir) {
  Json root = parseJson(json_text);
  Config config;
  t_warnings = &config.warnings;
  struct ClearWarnings {
    ~ClearWarnings() { t_warnings = nullptr; }
  } clear_warnings;
  ObjectReader top(root, "", env, base_dir);
  std::optional<std::vector<std::string>> own_addresses;

  if (!top.has("database")) throw ConfigError("database", "is required");
  {
    ObjectReader db(top.raw("database"), "database", env, base_dir);
    auto url = db.secret("url");
    if (!url || url->empty()) throw ConfigError("database.url", "is required");
    config.database_url = *url;
    net::rememberSecret(net::uriPassword(*url));
    // A URI or key=value string is checked now: libpq would otherwise quote it, password and
    // all, into every connection error. (Test configs use placeholders such as "x".)
    const bool checkable =
        url->find("://") != std::string::npos || url->find('=') != std::string::npos;
    if (auto problem = checkable ? db::connectionStringProblem(*url) : std::nullopt) {
      throw ConfigError("database.url", "is not a valid PostgreSQL connection string: " +
                                            net::redactSecrets(*problem));
    }
    db.rejectUnknownKeys();
  }
  if (top.has("http")) {
    ObjectReader http(top.raw("http"), "http", env, base_dir);
    if (auto listen = http.string("listen")) {
      std::tie(config.http_host, config.http_port) = parseListen("http.listen", *listen);
    }
    config.api_token = http.secret("api_token").value_or("");
    config.api_read_token = http.secret("api_read_token").value_or("");
    if (!config.api_read_token.empty() && config.api_read_token == config.api_token)
      throw ConfigError(http.key("api_read_token"), "must differ from api_token");
    config.protect_status = http.boolean("protect_status").value_or(false);
    config.protect_metrics = http.boolean("protect_metrics").value_or(false);
    auto& edge = config.http_edge;
    edge.threads = static_cast<int>(http.integer("threads", 2, 256).value_or(edge.threads));
    edge.max_long_polls = static_cast<int>(
        http.integer("max_long_polls", 0, edge.threads - 1).value_or(edge.threads / 2));
    edge.request_timeout = std::chrono::seconds(
        http.integer("request_timeout_seconds", 1, 300).value_or(edge.request_timeout.count()));
    edge.max_pending_connections = static_cast<std::size_t>(
        http.integer("max_pending_connections", 16, 10000)
            .value_or(static_cast<std::int64_t>(edge.max_pending_connections)));
    http.rejectUnknownKeys();
  }
  if (top.has("tickets")) {
    ObjectReader tickets(top.raw("tickets"), "tickets", env, base_dir);
    config.ticket_prefix = tickets.string("reference_prefix", config.ticket_prefix);
    static const std::regex kPrefix("[A-Za-z][A-Za-z0-9_-]{0,15}");
    if (!std::regex_match(config.ticket_prefix, kPrefix)) {
      throw ConfigError("tickets.reference_prefix", "must be a short word such as \"HD-\"");
    }
    config.new_tickets_per_sender_per_hour =
        static_cast<std::uint32_t>(tickets.integer("new_tickets_per_sender_per_hour", 0, 1000000)
                                       .value_or(config.new_tickets_per_sender_per_hour));
    if (tickets.has("own_addresses")) {
      own_addresses = parseOwnAddresses(tickets.raw("own_addresses"), "tickets.own_addresses");
    }
    tickets.rejectUnknownKeys();
  }
  if (top.has("limits")) {
    ObjectReader limits(top.raw("limits"), "limits", env, base_dir);
    auto& l = config.limits;
    l.max_message_bytes =
        static_cast<std::uint64_t>(limits.integer("max_message_bytes", 1024, 1024ll * 1024 * 1024)
                                       .value_or(static_cast<std::int64_t>(l.max_message_bytes)));
    l.max_parts = static_cast<std::size_t>(
        limits.integer("max_parts", 1, 100000).value_or(static_cast<std::int64_t>(l.max_parts)));
    l.max_depth = static_cast<std::size_t>(
        limits.integer("max_depth", 1, 1000).value_or(static_cast<std::int64_t>(l.max_depth)));
    l.max_header_bytes =
        static_cast<std::size_t>(limits.integer("max_header_bytes", 1024, 64ll * 1024 * 1024)
                                     .value_or(static_cast<std::int64_t>(l.max_header_bytes)));
    l.fetch_batch_messages =
        static_cast<std::size_t>(limits.integer("fetch_batch_messages", 1, 1000)
                                     .value_or(static_cast<std::int64_t>(l.fetch_batch_messages)));
    l.fetch_batch_bytes =
        static_cast<std::uint64_t>(limits.integer("fetch_batch_bytes", 1024, 1024ll * 1024 * 1024)
                                       .value_or(static_cast<std::int64_t>(l.fetch_batch_bytes)));
    limits.rejectUnknownKeys();
  }
  if (top.has("backoff")) {
    ObjectReader backoff(top.raw("backoff"), "backoff", env, base_dir);
    config.backoff.initial = std::chrono::seconds(
        backoff.integer("initial_seconds", 1, 3600).value_or(config.backoff.initial.count()));
    config.backoff.max = std::chrono::seconds(
        backoff.integer("max_seconds", 1, 86400).value_or(config.backoff.max.count()));
    if (config.backoff.max < config.backoff.initial)
      throw ConfigError("backoff.max_seconds", "must be >= initial_seconds");
    backoff.rejectUnknownKeys();
  }
  if (top.has("log")) {
    ObjectReader log(top.raw("log"), "log", env, base_dir);
    config.log.level = choose<std::string>("log.level", log.string("level", config.log.level),
                                           {{"debug", "debug"},
                                            {"information", "information"},
                                            {"info", "information"},
                                            {"warning", "warning"},
                                            {"error", "error"}});
    config.log.format = choose<std::string>("log.format", log.string("format", config.log.format),
                                            {{"text", "text"}, {"json", "json"}});
    log.rejectUnknownKeys();
  }
  if (top.has("secrets")) {
    ObjectReader secrets(top.raw("secrets"), "secrets", env, base_dir);
    config.secret_key = secrets.secret("key").value_or("");
    config.secret_key_origin = secrets.has("key_file") ? "secrets.key_file" : "secrets.key";
    secrets.rejectUnknownKeys();
  }
  if (config.secret_key.empty()) {
    if (auto key = env(oauth2::kSecretKeyEnv); key && !key->empty()) {
      config.secret_key = *key;
      config.secret_key_origin = oauth2::kSecretKeyEnv;
    }
  }
  if (!top.has("mailboxes")) throw ConfigError("mailboxes", "is required (a list of mailboxes)");
  const Json& boxes = top.raw("mailboxes");
  if (!boxes.is_array() || boxes.empty())
    throw ConfigError("mailboxes", "must be a non-empty list");
  std::set<std::string> names;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    std::string path = "mailboxes[" + std::to_string(i) + "]";
    ObjectReader box(boxes[i], path, env, base_dir);
    MailboxConfig mailbox = parseMailbox(box);
    if (!names.insert(mailbox.name).second)
      throw ConfigError(path + ".name", "duplicate mailbox name \"" + mailbox.name + "\"");
    config.mailboxes.push_back(std::move(mailbox));
  }
  rejectOverlappingMailboxes(config.mailboxes);
  if (own_addresses) {
    config.own_addresses = std::move(*own_addresses);
  } else {
    for (const auto& mailbox : config.mailboxes) {
      if (mailbox.username.find('@') != std::string::npos)
        config.own_addresses.push_back(mailbox.username);
    }
  }
  top.rejectUnknownKeys();
  return config;
}

Config loadConfig(const std::string& path, const EnvLookup& env) {
  const std::string text = readBoundedFile(path, kMaxConfigFileBytes, "--config");
  auto base = std::filesystem::path(path).parent_path().string();
  return parseConfig(text, env, base.empty() ? "." : base);
}

}  // namespace hd::service
