#include "service/source_factory.hpp"

#include <algorithm>
#include <stdexcept>

#include "connectors/imap/imap_source.hpp"
#include "connectors/net/tls_socket_stream.hpp"
#include "connectors/pop3/pop3_source.hpp"

namespace hd::service {
namespace {

std::unique_ptr<net::ByteStream> connectStream(const net::Endpoint& endpoint) {
  return net::TlsSocketStream::connect(endpoint);
}

// Literals other than a message body (a header block, an unknown item): bounded as before.
std::uint64_t protocolLiteralLimit(const LimitsConfig& limits) {
  return std::max<std::uint64_t>(256ull * 1024 * 1024, limits.max_message_bytes + 1024 * 1024);
}

}  // namespace

net::Credentials credentialsFor(const MailboxConfig& mailbox,
                                const std::optional<AccessTokenSource>& tokens) {
  net::Credentials credentials;
  credentials.username = mailbox.username;
  if (mailbox.auth == AuthMethod::kXoauth2) {
    if (!tokens) throw std::logic_error("xoauth2 mailbox without an access token source");
    credentials.method = net::Credentials::Method::kXoauth2;
    credentials.secret = tokens->token;
    credentials.on_refused = tokens->invalidate;
    return credentials;
  }
  credentials.method = net::Credentials::Method::kPassword;
  std::string password = mailbox.password;
  credentials.secret = [password] { return password; };
  return credentials;
}

SourceFactory makeSourceFactory(const MailboxConfig& mailbox, const LimitsConfig& limits,
                                std::optional<AccessTokenSource> tokens) {
  if (mailbox.protocol == Protocol::kImap) {
    imap::ImapSourceOptions options;
    options.mailbox_name = mailbox.name;
    options.endpoint = mailbox.endpoint;
    options.credentials = credentialsFor(mailbox, tokens);
    options.folder = mailbox.folder;
    options.after_ingest = mailbox.after_ingest;
    options.limits.max_literal_size = protocolLiteralLimit(limits);
    // A body over limits.max_message_bytes is drained, never kept: the pass decides such a
    // message from its size and quarantines it with its header, leaving it on the server.
    options.limits.max_message_size = limits.max_message_bytes;
    options.limits.max_header_size = limits.max_header_bytes;
    options.idle = mailbox.idle;
    options.spill = limits.spill;  // big bodies go to spill files, not memory
    return [options]() -> std::unique_ptr<source::MailSource> {
      return std::make_unique<imap::ImapSource>(options, connectStream);
    };
  }
  pop3::Pop3SourceOptions options;
  options.mailbox_name = mailbox.name;
  options.endpoint = mailbox.endpoint;
  options.credentials = credentialsFor(mailbox, tokens);
  options.after_ingest = mailbox.after_ingest;
  options.limits.max_message_size = limits.max_message_bytes;
  options.spill = limits.spill;
  return [options]() -> std::unique_ptr<source::MailSource> {
    return std::make_unique<pop3::Pop3Source>(options, connectStream);
  };
}

}  // namespace hd::service
