// The one-line commands of a selected session: each sends its command and collects the
// untagged data it needs.
#include "connectors/imap/imap_client.hpp"

#include "connectors/imap/imap_log.hpp"
#include "connectors/net/errors.hpp"

namespace hd::imap {

void ImapClient::refreshCapabilities() {
  runOk(Command("CAPABILITY"));
}

SelectResult ImapClient::select(std::string_view mailbox) {
  SelectResult result;
  auto collect = [&result](const Response& r) {
    if (r.type == Response::Type::kExists) result.exists = r.number;
    if (r.type == Response::Type::kStatus && r.code) {
      if (r.code->name == "UIDVALIDITY") result.uidvalidity = r.code->number;
      if (r.code->name == "UIDNEXT") result.uidnext = r.code->number;
    }
  };
  runOk(Command("SELECT").mailbox(mailbox), collect);
  if (result.uidvalidity == 0) {
    throw net::ProtocolError("IMAP: SELECT " + std::string(mailbox) + " reported no UIDVALIDITY");
  }
  logger().information("selected " + std::string(mailbox) + ": uidvalidity " +
                       std::to_string(result.uidvalidity) + ", uidnext " +
                       std::to_string(result.uidnext) + ", " + std::to_string(result.exists) +
                       " messages");
  return result;
}

std::vector<std::uint64_t> ImapClient::uidSearch(std::string_view criteria) {
  std::vector<std::uint64_t> uids;
  runOk(Command("UID SEARCH ").text(criteria), [&uids](Response& r) {
    if (r.type == Response::Type::kSearch) {
      uids.insert(uids.end(), r.numbers.begin(), r.numbers.end());
    }
  });
  return uids;
}

void ImapClient::uidFetch(std::string_view uid_set, std::string_view items,
                          const std::function<void(FetchData&&)>& on_message) {
  Command command("UID FETCH ");
  command.text(uid_set).text(" ").text(items);
  runOk(command, [&on_message](Response& r) {
    if (r.type == Response::Type::kFetch && r.fetch.uid) on_message(std::move(r.fetch));
  });
}

void ImapClient::uidStore(std::string_view uid_set, std::string_view action) {
  Command command("UID STORE ");
  runOk(command.text(uid_set).text(" ").text(action));
}

void ImapClient::uidMove(std::string_view uid_set, std::string_view mailbox) {
  Command command("UID MOVE ");
  runOk(command.text(uid_set).mailbox(mailbox));
}

void ImapClient::uidCopy(std::string_view uid_set, std::string_view mailbox) {
  Command command("UID COPY ");
  runOk(command.text(uid_set).mailbox(mailbox));
}

void ImapClient::create(std::string_view mailbox) {
  runOk(Command("CREATE").mailbox(mailbox));
}

void ImapClient::uidExpunge(std::string_view uid_set) {
  Command command("UID EXPUNGE ");
  runOk(command.text(uid_set));
}

void ImapClient::expunge() {
  runOk(Command("EXPUNGE"));
}

}  // namespace hd::imap
