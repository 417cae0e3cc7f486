#pragma once
// Database handles for HTTP request threads: POCO's HTTPServer runs handlers on a thread pool,
// and neither ReadConnection nor TicketStore is thread-safe, so each request borrows one set of
// handles for its duration and gives it back. Idle sets (and their connections) are kept up to
// `max_idle`; more are opened when more requests run at once. Thread-safe.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/feed_reader.hpp"
#include "db/mailbox_stats.hpp"
#include "db/quarantine_queue.hpp"
#include "db/read_connection.hpp"
#include "db/ticket_reader.hpp"
#include "db/ticket_store.hpp"

namespace hd::service::http {

struct DbHandles {
  DbHandles(const std::string& url, const db::StoreOptions& options)
      : connection(url),
        feed(connection),
        tickets(connection),
        quarantine(connection),
        stats(connection),
        store(url, options) {}
  db::ReadConnection connection;
  db::FeedReader feed;
  db::TicketReader tickets;
  db::QuarantineQueue quarantine;
  db::MailboxStatsReader stats;
  db::TicketStore store;  // quarantine retries commit through it; connects on first use
};

class ReaderPool {
 public:
  ReaderPool(std::string url, db::StoreOptions options, std::size_t max_idle);

  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<DbHandles> handles)
        : pool_(pool), handles_(std::move(handles)) {}
    ~Lease() { pool_.giveBack(std::move(handles_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    DbHandles* operator->() { return handles_.get(); }

   private:
    ReaderPool& pool_;
    std::unique_ptr<DbHandles> handles_;
  };

  Lease acquire();

 private:
  void giveBack(std::unique_ptr<DbHandles> handles);

  std::string url_;
  db::StoreOptions options_;
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<DbHandles>> idle_;
};

}  // namespace hd::service::http
