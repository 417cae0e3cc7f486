#include "service/folder_identity.hpp"

#include "connectors/mime/ascii.hpp"

namespace hd::service {
namespace {

using mime::asciiLower;

// Host names that reach the same Outlook.com / Microsoft 365 mail store (the legacy names still
// answer). Other hosts compare by name: we cannot know which names share a server.
std::string serviceOf(const std::string& host) {
  const std::string name = asciiLower(host);
  if (name == "outlook.office365.com" || name == "imap-mail.outlook.com" ||
      name == "pop-mail.outlook.com" || name == "outlook.office.com") {
    return "outlook.office365.com";
  }
  return name;
}

}  // namespace

std::string accountIdentity(const MailboxConfig& box) {
  return asciiLower(box.username) + "@" + serviceOf(box.endpoint.host);
}

std::string folderName(const std::string& folder) {
  return asciiLower(folder) == "inbox" ? "INBOX" : folder;
}

std::string folderRead(const MailboxConfig& box) {
  return box.protocol == Protocol::kPop3 ? "INBOX" : folderName(box.folder);
}

std::string mailboxIdentity(const MailboxConfig& box) {
  return toString(box.protocol) + "://" + accountIdentity(box) + "/" + folderRead(box);
}

}  // namespace hd::service
