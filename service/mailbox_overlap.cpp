#include "service/mailbox_overlap.hpp"

#include <string>

#include "connectors/mime/ascii.hpp"

namespace hd::service {
namespace {

using mime::asciiLower;

// Host names that reach the same Outlook.com / Microsoft 365 mail store (../README: the legacy
// names still answer). Other hosts compare by name: we cannot know which names share a server.
std::string serviceOf(const std::string& host) {
  const std::string name = asciiLower(host);
  if (name == "outlook.office365.com" || name == "imap-mail.outlook.com" ||
      name == "pop-mail.outlook.com" || name == "outlook.office.com") {
    return "outlook.office365.com";
  }
  return name;
}

std::string accountOf(const MailboxConfig& box) {
  return serviceOf(box.endpoint.host) + "\n" + asciiLower(box.username);
}

// RFC 3501 5.1: INBOX is case-insensitive; every other mailbox name is compared as written.
std::string folderName(const std::string& folder) {
  return asciiLower(folder) == "inbox" ? "INBOX" : folder;
}

std::string folderRead(const MailboxConfig& box) {
  return box.protocol == Protocol::kPop3 ? "INBOX" : folderName(box.folder);
}

std::string key(std::size_t index, const char* field) {
  return "mailboxes[" + std::to_string(index) + "]." + field;
}

}  // namespace

void rejectOverlappingMailboxes(const std::vector<MailboxConfig>& mailboxes) {
  for (std::size_t i = 0; i < mailboxes.size(); ++i) {
    const MailboxConfig& box = mailboxes[i];
    for (std::size_t j = 0; j < i; ++j) {
      const MailboxConfig& earlier = mailboxes[j];
      if (accountOf(box) == accountOf(earlier) && folderRead(box) == folderRead(earlier)) {
        throw ConfigError(key(i, "folder"), "mailboxes \"" + earlier.name + "\" and \"" + box.name +
                                                "\" both read " + folderRead(box) + " of " +
                                                box.username + " on " + box.endpoint.host +
                                                ": every message would be ingested twice");
      }
    }
    if (box.after_ingest.action != source::AfterIngest::Action::kMove) continue;
    const std::string target = folderName(box.after_ingest.folder);
    for (std::size_t j = 0; j < mailboxes.size(); ++j) {
      const MailboxConfig& reader = mailboxes[j];
      if (accountOf(reader) != accountOf(box) || folderRead(reader) != target) continue;
      throw ConfigError(key(i, "after_ingest"),
                        "moves mail into " + target + ", which mailbox \"" + reader.name +
                            "\" reads: every message would be ingested again");
    }
  }
}

}  // namespace hd::service
