#include "service/source_factory.hpp"

#include <algorithm>

#include "connectors/imap/imap_source.hpp"
#include "connectors/net/tls_socket_stream.hpp"
#include "connectors/pop3/pop3_source.hpp"

namespace hd::service {
namespace {

net::Credentials credentialsFor(const MailboxConfig& mailbox) {
  net::Credentials credentials;
  credentials.method = net::Credentials::Method::kPassword;
  credentials.username = mailbox.username;
  std::string password = mailbox.password;
  credentials.secret = [password] { return password; };
  return credentials;
}

std::unique_ptr<net::ByteStream> connectStream(const net::Endpoint& endpoint) {
  return net::TlsSocketStream::connect(endpoint);
}

// A message over limits.max_message_bytes is still downloaded once, so that the quarantine keeps
// its bytes; the protocol limit only guards against a server that announces absurd sizes.
std::uint64_t protocolMessageLimit(const LimitsConfig& limits) {
  return std::max<std::uint64_t>(256ull * 1024 * 1024, limits.max_message_bytes + 1024 * 1024);
}

}  // namespace

SourceFactory makeSourceFactory(const MailboxConfig& mailbox, const LimitsConfig& limits) {
  if (mailbox.protocol == Protocol::kImap) {
    imap::ImapSourceOptions options;
    options.mailbox_name = mailbox.name;
    options.endpoint = mailbox.endpoint;
    options.credentials = credentialsFor(mailbox);
    options.folder = mailbox.folder;
    options.after_ingest = mailbox.after_ingest;
    options.limits.max_literal_size = protocolMessageLimit(limits);
    options.fetch_batch_messages = limits.fetch_batch_messages;
    options.fetch_batch_bytes = limits.fetch_batch_bytes;
    return [options]() -> std::unique_ptr<source::MailSource> {
      return std::make_unique<imap::ImapSource>(options, connectStream);
    };
  }
  pop3::Pop3SourceOptions options;
  options.mailbox_name = mailbox.name;
  options.endpoint = mailbox.endpoint;
  options.credentials = credentialsFor(mailbox);
  options.after_ingest = mailbox.after_ingest;
  options.limits.max_message_size = protocolMessageLimit(limits);
  return [options]() -> std::unique_ptr<source::MailSource> {
    return std::make_unique<pop3::Pop3Source>(options, connectStream);
  };
}

}  // namespace hd::service
