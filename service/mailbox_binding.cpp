#include "service/mailbox_binding.hpp"

#include <Poco/Logger.h>

#include "db/mailbox_identity.hpp"
#include "service/folder_identity.hpp"

namespace hd::service {

void verifyMailboxBinding(const std::string& database_url, const MailboxConfig& box) {
  const std::string identity = mailboxIdentity(box);
  const db::IdentityVerdict verdict = db::bindMailboxIdentity(database_url, box.name, identity);
  using Kind = db::IdentityVerdict::Kind;
  switch (verdict.kind) {
    case Kind::kSame:
      return;
    case Kind::kBound:
      Poco::Logger::get("hd.service")
          .information("mailbox %s: bound to %s (its checkpoint and source keys describe it)",
                       box.name, identity);
      return;
    case Kind::kChanged:
      throw MailboxIdentityError(
          "mailbox \"" + box.name + "\" was ingested from " + verdict.other +
          ", but the configuration now reads " + identity +
          ": its checkpoint and source keys describe the old folder, so mail of the new one would "
          "be skipped or acknowledged unread. Give the new folder a new mailbox name; if it is the "
          "same mailbox under another name (a host alias), confirm it with: UPDATE "
          "mailbox_identity SET identity = '" +
          identity + "' WHERE mailbox = '" + box.name + "'");
    case Kind::kRenamed:
      throw MailboxIdentityError(
          identity + " was already ingested as mailbox \"" + verdict.other +
          "\": under the name \"" + box.name +
          "\" every message would become a ticket again. Keep the name \"" + verdict.other +
          "\"; to ingest it again on purpose, first run: DELETE FROM mailbox_identity WHERE "
          "mailbox = '" +
          verdict.other + "'");
  }
}

}  // namespace hd::service
