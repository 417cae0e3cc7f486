#include <filesystem>
#include <regex>

#include "service/config_sections.hpp"

namespace hd::service::config_detail {
namespace {

int defaultPort(Protocol protocol, net::TlsMode tls) {
  bool implicit = tls == net::TlsMode::kImplicit;
  if (protocol == Protocol::kImap) return implicit ? 993 : 143;
  return implicit ? 995 : 110;
}

// host, port, TLS, CA and timeouts.
void parseEndpoint(ObjectReader& in, MailboxConfig& box, bool outlook) {
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
  // "timeout_seconds" (older configs) sets both; "read_timeout_seconds" then overrides the read.
  if (auto seconds = in.integer("timeout_seconds", 1, 3600)) {
    box.endpoint.connect_timeout = std::chrono::seconds(*seconds);
    box.endpoint.read_timeout = std::chrono::seconds(*seconds);
  }
  if (auto seconds = in.integer("read_timeout_seconds", 1, 3600)) {
    box.endpoint.read_timeout = std::chrono::seconds(*seconds);
  }
}

// "auth" with its password or "oauth2".
void parseSignIn(ObjectReader& in, MailboxConfig& box, bool outlook) {
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
    box.oauth2 = parseOAuth2(in.child("oauth2"), box);
  }
}

// "after_ingest", and what POP3 cannot do.
void parseAfterIngest(ObjectReader& in, MailboxConfig& box) {
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
}

}  // namespace

MailboxConfig parseMailbox(ObjectReader in) {
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
  parseEndpoint(in, box, outlook);
  box.username = in.requiredString("username");
  parseSignIn(in, box, outlook);
  box.folder = in.string("folder", "INBOX");
  if (box.folder.empty()) throw ConfigError(in.key("folder"), "must not be empty");

  parseAfterIngest(in, box);
  box.poll_interval =
      std::chrono::seconds(in.integer("poll_interval_seconds", 1, 86400).value_or(60));
  auto idle = in.boolean("idle");
  if (box.protocol == Protocol::kPop3 && idle.value_or(false))
    throw ConfigError(in.key("idle"), "POP3 has no IDLE; remove the key or set it to false");
  box.idle = box.protocol == Protocol::kImap && idle.value_or(true);
  in.rejectUnknownKeys();
  return box;
}

}  // namespace hd::service::config_detail
