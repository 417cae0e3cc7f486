#pragma once
// The wire's limit for the benchmark: every message of a mailbox fetched over TLS with our own
// protocol clients and thrown away (no MIME parsing, no storage).
// - IMAPS: ONE `UID FETCH 1:* (UID BODY.PEEK[])`, so Dovecot streams the whole folder without a
//   round trip between messages (the most pipelined fetch there is).
// - POP3S: LIST, then RETR of every message, pipelined in windows where CAPA offers PIPELINING.

#include <cstdint>
#include <string>

#include "connectors/net/tls_options.hpp"

namespace hd::bench {

struct RawFetchResult {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
};

RawFetchResult rawImapFetch(const net::Endpoint& endpoint, const std::string& user,
                            const std::string& password);
RawFetchResult rawPop3Fetch(const net::Endpoint& endpoint, const std::string& user,
                            const std::string& password);

}  // namespace hd::bench
