#include "db/mailbox_lease.hpp"

#include <Poco/Logger.h>

#include <pqxx/pqxx>

#include "db/errors.hpp"

namespace hd::db {
namespace {

// 64-bit key from the name; the prefix keeps it apart from other advisory locks (migrations).
constexpr const char* kTryLock =
    "SELECT pg_try_advisory_lock(hashtextextended('helpdesk-ingest mailbox ' || $1, 0))";
constexpr const char* kAlive = "SELECT 1";

}  // namespace

struct MailboxLease::Session {
  explicit Session(const std::string& url) : pg(url) {}
  pqxx::connection pg;
};

MailboxLease::MailboxLease(std::string url, std::string mailbox)
    : url_(std::move(url)), mailbox_(std::move(mailbox)) {}

MailboxLease::~MailboxLease() = default;

bool MailboxLease::tryAcquire() {
  try {
    if (held_) {
      pqxx::nontransaction tx(session_->pg);
      tx.exec1(kAlive);
      return true;
    }
    if (!session_) {
      session_ = std::make_unique<Session>(url_);
      pqxx::nontransaction setup(session_->pg);
      setup.exec("SET application_name = 'helpdesk-ingest lease'");
    }
    pqxx::nontransaction tx(session_->pg);
    held_ = tx.exec_params1(kTryLock, mailbox_)[0].as<bool>();
    return held_;
  } catch (const std::exception& e) {
    // The session (and with it any lock) is gone or unusable: start over next time.
    if (held_) Poco::Logger::get("hd.db").warning("mailbox %s: lease session lost", mailbox_);
    held_ = false;
    session_.reset();
    throw DatabaseError(std::string("mailbox lease: ") + e.what());
  }
}

}  // namespace hd::db
