#include "service/mailbox_overlap.hpp"

#include <string>

#include "service/folder_identity.hpp"

namespace hd::service {
namespace {

std::string key(std::size_t index, const char* field) {
  return "mailboxes[" + std::to_string(index) + "]." + field;
}

}  // namespace

void rejectOverlappingMailboxes(const std::vector<MailboxConfig>& mailboxes) {
  for (std::size_t i = 0; i < mailboxes.size(); ++i) {
    const MailboxConfig& box = mailboxes[i];
    for (std::size_t j = 0; j < i; ++j) {
      const MailboxConfig& earlier = mailboxes[j];
      if (accountIdentity(box) == accountIdentity(earlier) &&
          folderRead(box) == folderRead(earlier)) {
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
      if (accountIdentity(reader) != accountIdentity(box) || folderRead(reader) != target) continue;
      throw ConfigError(key(i, "after_ingest"),
                        "moves mail into " + target + ", which mailbox \"" + reader.name +
                            "\" reads: every message would be ingested again");
    }
  }
}

}  // namespace hd::service
