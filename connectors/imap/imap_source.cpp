#include "connectors/imap/imap_source.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "connectors/imap/errors.hpp"
#include "connectors/imap/uid_set.hpp"
#include "connectors/net/errors.hpp"
#include "connectors/net/tls_socket_stream.hpp"

namespace hd::imap {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.imap");
}

std::vector<std::uint64_t> uidsOf(std::span<const source::MessageRef> refs) {
  std::vector<std::uint64_t> uids;
  uids.reserve(refs.size());
  for (const source::MessageRef& ref : refs) uids.push_back(ref.uid);
  return uids;
}

// The UIDVALIDITY inside "imap:<mailbox>:<uidvalidity>:<uid>"; the mailbox name may itself
// contain ':', so it is read from the end.
std::optional<std::uint64_t> uidValidityOfKey(const std::string& key) {
  const std::size_t last = key.rfind(':');
  if (last == std::string::npos || last == 0) return std::nullopt;
  const std::size_t before = key.rfind(':', last - 1);
  if (before == std::string::npos) return std::nullopt;
  try {
    return std::stoull(key.substr(before + 1, last - before - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

ImapSource::ImapSource(ImapSourceOptions options, StreamFactory stream_factory)
    : options_(std::move(options)), stream_factory_(std::move(stream_factory)) {
  if (!stream_factory_) {
    stream_factory_ = [](const net::Endpoint& endpoint) -> std::unique_ptr<net::ByteStream> {
      return net::TlsSocketStream::connect(endpoint);
    };
  }
}

ImapSource::~ImapSource() {
  close();
}

std::string ImapSource::sourceKey(std::uint64_t uidvalidity, std::uint64_t uid) const {
  return "imap:" + options_.mailbox_name + ":" + std::to_string(uidvalidity) + ":" +
         std::to_string(uid);
}

ImapClient& ImapSource::client() {
  if (!client_) throw net::NetworkError("IMAP source " + options_.mailbox_name + " is not open");
  return *client_;
}

void ImapSource::open() {
  close();
  const net::Endpoint& endpoint = options_.endpoint;
  logger().information("connecting " + options_.mailbox_name + " to " + endpoint.host + ":" +
                       std::to_string(endpoint.port));
  stream_ = stream_factory_(endpoint);
  client_ = std::make_unique<ImapClient>(*stream_, options_.limits, options_.spill);
  const bool preauth = client_->readGreeting();
  if (endpoint.tls == net::TlsMode::kStartTls) {
    if (preauth) {
      // RFC 3501 section 6.2.1: STARTTLS is only allowed before authentication.
      throw net::TlsError("IMAP server pre-authenticated the session; STARTTLS is impossible");
    }
    if (client_->capabilities().empty()) client_->refreshCapabilities();
    client_->startTls();
  } else if (endpoint.tls == net::TlsMode::kNone) {
    logger().warning("mailbox " + options_.mailbox_name + " uses IMAP without TLS");
  }
  if (client_->capabilities().empty()) client_->refreshCapabilities();
  if (!preauth) {
    net::signInReportingRefusal(options_.credentials,
                                [&] { client_->signIn(options_.credentials); });
  }
}

source::Listing ImapSource::listPending(const source::Checkpoint& checkpoint) {
  ImapClient& imap = client();
  selected_ = imap.select(options_.folder);
  // Mail announced after this point may be missing from the listing: waitForNewMail() then
  // starts the next pass at once. (Counting from SELECT, not SEARCH, errs on an extra pass.)
  exists_notices_at_listing_ = imap.existsNotices();
  const std::uint64_t uidvalidity = selected_->uidvalidity;

  std::vector<std::uint64_t> uids;
  const bool same_folder = checkpoint.uidvalidity == uidvalidity;
  const std::uint64_t first = same_folder ? checkpoint.last_uid + 1 : 1;
  if (selected_->exists > 0 && (selected_->uidnext == 0 || selected_->uidnext > first)) {
    uids = imap.uidSearch(same_folder ? "UID " + std::to_string(first) + ":*" : "ALL");
  }
  // RFC 3501 section 6.4.8: "n:*" always matches the highest UID, even one below n.
  std::erase_if(uids, [first](std::uint64_t uid) { return uid < first; });
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());

  std::unordered_map<std::uint64_t, std::uint64_t> sizes;
  for (const std::string& set : splitUidSets(uids)) {
    imap.uidFetch(set, "(UID RFC822.SIZE)", [&sizes](FetchData&& data) {
      if (data.rfc822_size) sizes[*data.uid] = *data.rfc822_size;
    });
  }

  source::Listing listing;
  listing.uidvalidity = uidvalidity;
  listing.pending.reserve(uids.size());
  for (std::uint64_t uid : uids) {
    source::MessageRef ref;
    ref.source_key = sourceKey(uidvalidity, uid);
    ref.uid = uid;
    // A UID that SEARCH listed and FETCH did not (Exchange does this, outlook.md) stays listed
    // with size 0: it must hold the checkpoint back until it is really fetched and stored.
    const auto size = sizes.find(uid);
    ref.size = size != sizes.end() ? size->second : 0;
    listing.pending.push_back(std::move(ref));
  }
  logger().information("mailbox " + options_.mailbox_name + ": " +
                       std::to_string(listing.pending.size()) + " pending in " + options_.folder +
                       (same_folder ? " above UID " + std::to_string(checkpoint.last_uid)
                                    : " (new UIDVALIDITY " + std::to_string(uidvalidity) + ")"));
  return listing;
}

void ImapSource::requireSelected() {
  if (!selected_) selected_ = client().select(options_.folder);
}

void ImapSource::checkUidValidity(std::span<const source::MessageRef> refs) const {
  for (const source::MessageRef& ref : refs) {
    const std::optional<std::uint64_t> uidvalidity = uidValidityOfKey(ref.source_key);
    if (uidvalidity != selected_->uidvalidity) {
      throw net::CommandError("message " + ref.source_key + " does not belong to UIDVALIDITY " +
                              std::to_string(selected_->uidvalidity) + " of folder " +
                              options_.folder);
    }
  }
}

std::vector<source::FetchedMessage> ImapSource::fetch(std::span<const source::MessageRef> refs) {
  requireSelected();
  checkUidValidity(refs);
  ImapClient& imap = client();

  // The caller (MailboxPass) bounds the batch; the sets are split only to bound the line length.
  std::map<std::uint64_t, source::FetchedMessage> answers;
  const std::vector<std::uint64_t> uids = uidsOf(refs);
  const std::unordered_set<std::uint64_t> wanted(uids.begin(), uids.end());
  for (const std::string& set : splitUidSets(uids)) {
    imap.uidFetch(set, "(UID RFC822.SIZE BODY.PEEK[])", [&answers, &wanted](FetchData&& data) {
      if (!data.body && data.body_over_limit == 0) return;  // a flag update, not our answer
      if (!data.uid || !wanted.count(*data.uid)) return;
      source::FetchedMessage& answer = answers[*data.uid];
      // Moved, never copied: a big body is a spill file and stays one.
      if (data.body) answer.raw = std::move(*data.body);
      answer.over_limit_size = data.body_over_limit;
    });
  }
  return inRefOrder(refs, answers, "FETCH");
}

std::vector<source::FetchedMessage> ImapSource::fetchHeaders(
    std::span<const source::MessageRef> refs, std::uint64_t max_bytes) {
  requireSelected();
  checkUidValidity(refs);
  const std::vector<std::uint64_t> uids = uidsOf(refs);
  std::map<std::uint64_t, source::FetchedMessage> answers;
  // A partial fetch (RFC 3501 6.4.5 "<0.n>") so that the server itself bounds the header; PEEK
  // leaves \Seen alone: the message stays on the server untouched.
  const std::string items = "(UID BODY.PEEK[HEADER]<0." + std::to_string(max_bytes) + ">)";
  for (const std::string& set : splitUidSets(uids)) {
    client().uidFetch(set, items, [&answers, &uids, max_bytes](FetchData&& data) {
      if (!data.header) return;
      if (std::find(uids.begin(), uids.end(), *data.uid) == uids.end()) return;
      std::string header = std::move(*data.header);
      if (header.size() > max_bytes) header.resize(static_cast<std::size_t>(max_bytes));
      answers[*data.uid].raw = std::move(header);
    });
  }
  return inRefOrder(refs, answers, "FETCH of the header");
}

std::vector<source::FetchedMessage> ImapSource::inRefOrder(
    std::span<const source::MessageRef> refs,
    std::map<std::uint64_t, source::FetchedMessage>& answers, const char* what) const {
  std::vector<source::FetchedMessage> fetched;
  fetched.reserve(answers.size());
  for (const source::MessageRef& ref : refs) {
    auto answer = answers.find(ref.uid);
    if (answer == answers.end()) {
      logger().warning("mailbox " + options_.mailbox_name + ": UID " + std::to_string(ref.uid) +
                       " was not returned by " + what);
      continue;
    }
    answer->second.ref = ref;
    fetched.push_back(std::move(answer->second));
    answers.erase(answer);
  }
  return fetched;
}

std::vector<source::MessageRef> ImapSource::lookUp(std::span<const std::string> source_keys) {
  requireSelected();
  const std::string prefix = sourceKey(selected_->uidvalidity, 0);  // "...:<uidvalidity>:0"
  const std::string head = prefix.substr(0, prefix.size() - 1);
  std::vector<std::uint64_t> uids;
  for (const std::string& key : source_keys) {
    if (key.size() <= head.size() || key.compare(0, head.size(), head) != 0) continue;
    const std::string digits = key.substr(head.size());
    if (digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    uids.push_back(std::stoull(digits));
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::map<std::uint64_t, std::uint64_t> sizes;
  for (const std::string& set : splitUidSets(uids)) {
    client().uidFetch(set, "(UID RFC822.SIZE)", [&sizes, &uids](FetchData&& data) {
      if (!data.rfc822_size) return;
      if (std::binary_search(uids.begin(), uids.end(), *data.uid)) {
        sizes[*data.uid] = *data.rfc822_size;
      }
    });
  }
  std::vector<source::MessageRef> refs;
  for (const auto& [uid, size] : sizes) {
    source::MessageRef ref;
    ref.source_key = sourceKey(selected_->uidvalidity, uid);
    ref.uid = uid;
    ref.size = size;
    refs.push_back(std::move(ref));
  }
  return refs;
}

void ImapSource::flagAndExpunge(const std::vector<std::uint64_t>& uids) {
  ImapClient& imap = client();
  for (const std::string& set : splitUidSets(uids)) imap.uidStore(set, "+FLAGS.SILENT (\\Deleted)");
  if (imap.hasCapability("UIDPLUS")) {
    for (const std::string& set : splitUidSets(uids)) imap.uidExpunge(set);
  } else {
    // Without UIDPLUS (RFC 4315) only a plain EXPUNGE exists, and it also removes messages that
    // someone else marked \Deleted in this folder.
    logger().warning("server lacks UIDPLUS: EXPUNGE of all \\Deleted messages in " +
                     options_.folder);
    imap.expunge();
  }
}

void ImapSource::moveOrCopy(const std::string& uid_set) {
  ImapClient& imap = client();
  const std::string& folder = options_.after_ingest.folder;
  const auto transfer = [&] {
    if (imap.hasCapability("MOVE")) {
      imap.uidMove(uid_set, folder);
    } else {
      imap.uidCopy(uid_set, folder);
    }
  };
  try {
    transfer();
    return;
  } catch (const MissingMailboxError&) {
    // RFC 3501 7.1: [TRYCREATE] — the target folder does not exist yet. Create it once, then
    // transfer again (seen on UW imapd 2007f and Dovecot; Exchange creates nothing implicitly).
    logger().information("mailbox " + options_.mailbox_name + ": folder \"" + folder +
                         "\" (after_ingest) does not exist; creating it");
  }
  try {
    imap.create(folder);
  } catch (const net::CommandError& e) {
    throw net::CommandError("after_ingest move: folder \"" + folder +
                            "\" does not exist and the server refused to create it (" + e.what() +
                            "); create it on the server or change after_ingest");
  }
  transfer();
}

void ImapSource::acknowledge(std::span<const source::MessageRef> refs) {
  using Action = source::AfterIngest::Action;
  const Action action = options_.after_ingest.action;
  if (refs.empty() || action == Action::kKeep) return;
  requireSelected();
  checkUidValidity(refs);
  ImapClient& imap = client();
  const std::vector<std::uint64_t> uids = uidsOf(refs);

  switch (action) {
    case Action::kSeen:
      for (const std::string& set : splitUidSets(uids)) {
        imap.uidStore(set, "+FLAGS.SILENT (\\Seen)");
      }
      break;
    case Action::kDelete:
      flagAndExpunge(uids);
      break;
    case Action::kMove:
      for (const std::string& set : splitUidSets(uids)) moveOrCopy(set);
      if (!imap.hasCapability("MOVE")) flagAndExpunge(uids);
      break;
    case Action::kKeep:
      break;
  }
  logger().information("mailbox " + options_.mailbox_name + ": acknowledged " +
                       std::to_string(uids.size()) + " message(s)");
}

bool ImapSource::canWaitForNewMail() const {
  return options_.idle && client_ && selected_ && client_->hasCapability("IDLE");
}

source::WaitOutcome ImapSource::waitForNewMail(std::chrono::milliseconds max_wait,
                                               const std::function<bool()>& interrupted) {
  using Clock = std::chrono::steady_clock;
  if (!canWaitForNewMail()) return source::WaitOutcome::kUnsupported;
  if (client_->existsNotices() > exists_notices_at_listing_) return source::WaitOutcome::kNewMail;
  const auto deadline = Clock::now() + max_wait;
  for (;;) {
    const auto now = Clock::now();
    if (now >= deadline) return source::WaitOutcome::kTimeout;
    // A fresh IDLE command at least every idle_renewal: Exchange drops a longer one silently.
    const auto slice = std::min<std::chrono::milliseconds>(
        options_.idle_renewal, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    switch (client_->idle(slice, interrupted)) {
      case ImapClient::IdleOutcome::kNewMail:
        return source::WaitOutcome::kNewMail;
      case ImapClient::IdleOutcome::kInterrupted:
        return source::WaitOutcome::kInterrupted;
      case ImapClient::IdleOutcome::kTimeout:
        break;
    }
  }
}

void ImapSource::close() noexcept {
  if (client_) client_->logout();
  client_.reset();
  stream_.reset();
  selected_.reset();
}

std::unique_ptr<source::MailSource> makeImapSource(ImapSourceOptions options,
                                                   StreamFactory stream_factory) {
  return std::make_unique<ImapSource>(std::move(options), std::move(stream_factory));
}

}  // namespace hd::imap
