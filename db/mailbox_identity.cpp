#include "db/mailbox_identity.hpp"

#include <pqxx/pqxx>

#include "db/pqxx_errors.hpp"

namespace hd::db {
namespace {

constexpr const char* kBoundIdentity = "SELECT identity FROM mailbox_identity WHERE mailbox = $1";
constexpr const char* kNameOfIdentity =
    "SELECT mailbox FROM mailbox_identity WHERE identity = $1 AND mailbox <> $2"
    " ORDER BY mailbox LIMIT 1";
// Two replicas binding one name at once: the first wins, the second reads it back.
constexpr const char* kBind =
    "INSERT INTO mailbox_identity (mailbox, identity) VALUES ($1, $2)"
    " ON CONFLICT (mailbox) DO NOTHING";

}  // namespace

IdentityVerdict bindMailboxIdentity(const std::string& url, const std::string& mailbox,
                                    const std::string& identity) {
  IdentityVerdict verdict;
  std::unique_ptr<pqxx::connection> connection;
  translatePqxxErrors(
      "bind mailbox identity",
      [&] {
        connection = std::make_unique<pqxx::connection>(url);
        pqxx::work tx(*connection);
        const auto stored = tx.exec_params(kBoundIdentity, mailbox);
        if (stored.empty()) {
          const auto other = tx.exec_params(kNameOfIdentity, identity, mailbox);
          if (!other.empty()) {
            verdict = {IdentityVerdict::Kind::kRenamed, other[0][0].as<std::string>()};
            return;  // the new name stays unbound
          }
          tx.exec_params0(kBind, mailbox, identity);
        }
        const auto bound = tx.exec_params1(kBoundIdentity, mailbox)[0].as<std::string>();
        tx.commit();
        if (bound != identity) {
          verdict = {IdentityVerdict::Kind::kChanged, bound};
        } else {
          verdict.kind =
              stored.empty() ? IdentityVerdict::Kind::kBound : IdentityVerdict::Kind::kSame;
        }
      },
      [&] { return connection != nullptr && connection->is_open(); },
      [](const std::exception& e) {
        return DatabaseError(std::string("mailbox identity: ") + e.what());
      });
  return verdict;
}

}  // namespace hd::db
