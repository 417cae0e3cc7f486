#include "tests/bench/raw_fetch.hpp"

#include <vector>

#include "connectors/imap/imap_client.hpp"
#include "connectors/net/tls_socket_stream.hpp"
#include "connectors/pop3/client.hpp"

namespace hd::bench {
namespace {

constexpr std::size_t kRetrChunk = 100;  // RETRs handed to the client at once (it pipelines them)
constexpr std::uint64_t kMaxMessage = 256ull * 1024 * 1024;

}  // namespace

RawFetchResult rawImapFetch(const net::Endpoint& endpoint, const std::string& user,
                            const std::string& password) {
  auto stream = net::TlsSocketStream::connect(endpoint);
  imap::ImapClient client(*stream);
  client.readGreeting();
  client.login(user, password);
  client.select("INBOX");
  RawFetchResult result;
  client.uidFetch("1:*", "(UID BODY.PEEK[])", [&](imap::FetchData&& data) {
    if (!data.body) return;
    ++result.messages;
    result.bytes += data.body->size();
  });
  client.logout();
  return result;
}

RawFetchResult rawPop3Fetch(const net::Endpoint& endpoint, const std::string& user,
                            const std::string& password) {
  auto stream = net::TlsSocketStream::connect(endpoint);
  pop3::Pop3Client client(*stream, pop3::Pop3Limits{});
  client.readGreeting();
  client.capa();
  client.login(user, password);
  std::vector<std::uint32_t> numbers;
  for (const auto& entry : client.list()) numbers.push_back(entry.number);
  RawFetchResult result;
  for (std::size_t first = 0; first < numbers.size(); first += kRetrChunk) {
    const std::size_t count = std::min(kRetrChunk, numbers.size() - first);
    for (const auto& body : client.retrieve({numbers.data() + first, count}, kMaxMessage)) {
      if (!body.found) continue;
      ++result.messages;
      result.bytes += body.size;
    }
  }
  client.quit();
  return result;
}

}  // namespace hd::bench
