#include "service/http/api_endpoints.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <optional>
#include <regex>
#include <thread>

#include "db/errors.hpp"
#include "service/http/content_disposition.hpp"
#include "service/http/handlers.hpp"
#include "service/http/openapi_document.hpp"
#include "service/http/stored_bytes_response.hpp"
#include "service/ingest_step.hpp"

namespace hd::service::http {
namespace {

using Query = std::map<std::string, std::string>;

Query queryOf(const Request& request) {
  Query query;
  Poco::URI::QueryParameters parameters;
  try {
    parameters = requestTarget(request).getQueryParameters();
  } catch (const Poco::SyntaxException&) {
    throw ClientError(400, "malformed percent-encoding in the query");
  }
  for (auto& [name, value] : parameters) {
    if (!query.emplace(name, value).second) throw ClientError(400, name + ": given more than once");
  }
  return query;
}

std::int64_t integer(const Query& query, const std::string& name, std::int64_t min,
                     std::int64_t max, std::int64_t fallback) {
  auto found = query.find(name);
  if (found == query.end()) return fallback;
  static const std::regex kDigits("[0-9]{1,18}");
  if (!std::regex_match(found->second, kDigits))
    throw ClientError(400, name + ": must be a non-negative integer");
  auto value = std::stoll(found->second);
  if (value < min || value > max) {
    throw ClientError(
        400, name + ": must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

std::string text(const Query& query, const std::string& name, const std::regex& allowed,
                 const char* what) {
  auto found = query.find(name);
  if (found == query.end()) return "";
  if (!std::regex_match(found->second, allowed)) throw ClientError(400, name + ": " + what);
  return found->second;
}

void rejectUnknown(const Query& query, std::initializer_list<const char*> known) {
  for (const auto& [name, value] : query) {
    bool ok = false;
    for (const char* k : known) ok = ok || name == k;
    if (!ok) throw ClientError(400, name + ": unknown query parameter");
  }
}

nlohmann::json nextAfter(const nlohmann::json& items, std::int64_t limit) {
  if (items.empty() || static_cast<std::int64_t>(items.size()) < limit) return nullptr;
  return items.back()["id"];
}

const std::regex kMailboxName("[A-Za-z0-9_.-]{1,64}");

// Holds one of the max_long_polls slots while a GET /api/v1/events waits; none when all are taken.
class LongPollSlot {
 public:
  LongPollSlot(std::atomic<int>& running, int max) : running_(running) {
    held_ = running_.fetch_add(1) < max;
    if (!held_) running_.fetch_sub(1);
  }
  ~LongPollSlot() {
    if (held_) running_.fetch_sub(1);
  }
  LongPollSlot(const LongPollSlot&) = delete;
  LongPollSlot& operator=(const LongPollSlot&) = delete;
  bool held() const { return held_; }

 private:
  std::atomic<int>& running_;
  bool held_ = false;
};

}  // namespace

Poco::URI requestTarget(const Request& request) {
  try {
    return Poco::URI(request.getURI());
  } catch (const Poco::SyntaxException&) {
    throw ClientError(400, "malformed percent-encoding in the request target");
  }
}

void HealthEndpoint::serve(Request& request, Response& response, const Ids&) {
  HealthHandler().handleRequest(request, response);
}

void StatusEndpoint::serve(Request& request, Response& response, const Ids&) {
  StatusHandler(report_).handleRequest(request, response);
}

void ReadyEndpoint::serve(Request&, Response& response, const Ids&) {
  try {
    auto snapshot = snapshot_();
    if (!snapshot.schema.current()) {
      sendJson(response, 503,
               {{"status", "not ready"},
                {"reason", "schema version " + std::to_string(snapshot.schema.applied_version) +
                               ", expected " + std::to_string(snapshot.schema.expected_version)}});
      return;
    }
    sendJson(response, 200,
             {{"status", "ready"}, {"schema_version", snapshot.schema.applied_version}});
  } catch (const std::exception& e) {
    sendJson(response, 503, {{"status", "not ready"}, {"reason", publicDatabaseError(e)}});
  }
}

void MetricsEndpoint::serve(Request&, Response& response, const Ids&) {
  std::optional<std::map<std::string, db::MailboxStats>> stats;
  try {
    stats = snapshot_().stats;
  } catch (const std::exception&) {
    // helpdesk_ingest_database_up 0 says it; the rest of the metrics are still worth scraping.
  }
  std::string body = metrics_.render(board_.all(), stats);
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("text/plain; version=0.0.4; charset=utf-8");
  response.set("Cache-Control", "no-store");
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send() << body;
}

void OpenApiEndpoint::serve(Request&, Response& response, const Ids&) {
  auto document = openApiDocument();
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("application/json");
  response.setContentLength(static_cast<std::streamsize>(document.size()));
  response.send().write(document.data(), static_cast<std::streamsize>(document.size()));
}

void EventsEndpoint::serve(Request& request, Response& response, const Ids&) {
  const Query query = queryOf(request);
  rejectUnknown(query, {"after", "limit", "wait"});
  auto after_text = query.count("after") ? query.at("after") : std::string();
  auto after = db::decodeCursor(after_text);
  if (!after)
    throw ClientError(400, "after: not a cursor of this feed (use \"0\" or a \"next\" value)");
  const auto limit = integer(query, "limit", 1, max_page_, 100);
  auto wait = std::chrono::seconds(integer(query, "wait", 0, max_wait_.count(), 0));
  // A waiting request holds an API thread: beyond max_long_polls, answer at once (the client
  // polls again with the same cursor), so long polls never take every thread.
  std::optional<LongPollSlot> slot;
  if (wait.count() > 0) slot.emplace(long_polls_, max_long_polls_);
  if (slot && !slot->held()) wait = std::chrono::seconds(0);
  const auto deadline = std::chrono::steady_clock::now() + wait;

  // After a notification whose events a read did not show yet (an older transaction still holds
  // the visibility horizon back, see db/feed_reader.hpp), look again soon, backing off to 1 s,
  // until they show or the deadline passes: the next notification may never come.
  std::chrono::milliseconds recheck{0};  // 0: no notification pending
  for (;;) {
    const std::uint64_t seen = events_ ? events_->generation() : 0;
    db::FeedPage page;
    {
      auto db = pool_.acquire();  // not held while waiting
      page = db->feed.read(*after, static_cast<std::size_t>(limit));
    }
    if (page.cursor_of_another_generation) {
      sendJson(response, 409,
               {{"error", "after: cursor of another database generation"},
                {"reason",
                 "the database was restored or moved since this cursor was handed out; read the "
                 "feed again from after=0 and skip events already processed (by message_id)"},
                {"resync", true}});
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!page.events.empty() || now >= deadline || stopping_) {
      sendJson(response, 200,
               {{"events", std::move(page.events)}, {"next", db::encodeCursor(page.next)}});
      return;
    }
    auto step = std::min<std::chrono::steady_clock::duration>(
        deadline - now, recheck.count() > 0 ? recheck : std::chrono::milliseconds(5000));
    const auto step_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(step) + std::chrono::milliseconds(1);
    if (events_) {
      if (events_->waitForChange(seen, step_ms) && recheck.count() == 0) {
        recheck = std::chrono::milliseconds(100);
      } else if (recheck.count() > 0) {
        recheck = std::min(recheck * 2, std::chrono::milliseconds(1000));
      }
    } else {
      std::this_thread::sleep_for(step_ms);
    }
  }
}

void serveTickets(ReaderPool& pool, std::int64_t max_page, Request& request, Response& response,
                  const Ids&) {
  const Query query = queryOf(request);
  rejectUnknown(query, {"status", "mailbox", "after", "limit"});
  static const std::regex kStatus("[a-z_]{1,32}");
  db::TicketFilter filter;
  filter.status = text(query, "status", kStatus, "must be a status such as open");
  filter.mailbox = text(query, "mailbox", kMailboxName, "must be a mailbox name");
  filter.after_id = integer(query, "after", 0, INT64_MAX, 0);
  filter.limit = integer(query, "limit", 1, max_page, 50);
  auto db = pool.acquire();
  auto tickets = db->tickets.tickets(filter);
  auto next = nextAfter(tickets, filter.limit);
  sendJson(response, 200, {{"tickets", std::move(tickets)}, {"next_after", next}});
}

void serveTicket(ReaderPool& pool, std::int64_t, Request&, Response& response, const Ids& ids) {
  auto db = pool.acquire();
  auto ticket = db->tickets.ticket(ids.at(0));
  if (!ticket) throw ClientError(404, "no ticket " + std::to_string(ids.at(0)));
  sendJson(response, 200, *ticket);
}

void serveMessage(ReaderPool& pool, std::int64_t, Request&, Response& response, const Ids& ids) {
  auto db = pool.acquire();
  auto message = db->tickets.message(ids.at(0));
  if (!message) throw ClientError(404, "no message " + std::to_string(ids.at(0)));
  sendJson(response, 200, *message);
}

void serveRawMessage(ReaderPool& pool, std::int64_t, Request&, Response& response, const Ids& ids) {
  std::optional<db::StoredBytes> raw;
  {
    auto db = pool.acquire();
    raw = db->tickets.rawMessage(ids.at(0));
  }
  if (!raw) throw ClientError(404, "no message " + std::to_string(ids.at(0)));
  sendStoredBytes(pool, response, "message/rfc822",
                  contentDisposition("message-" + std::to_string(ids.at(0)) + ".eml"), *raw);
}

void serveAttachment(ReaderPool& pool, std::int64_t, Request&, Response& response, const Ids& ids) {
  std::optional<db::AttachmentContent> attachment;
  {
    auto db = pool.acquire();
    attachment = db->tickets.attachment(ids.at(0));
  }
  if (!attachment) throw ClientError(404, "no attachment " + std::to_string(ids.at(0)));
  sendStoredBytes(pool, response, safeContentType(attachment->content_type),
                  contentDisposition(attachment->filename), attachment->content);
}

void serveQuarantine(ReaderPool& pool, std::int64_t max_page, Request& request, Response& response,
                     const Ids&) {
  const Query query = queryOf(request);
  rejectUnknown(query, {"mailbox", "after", "limit"});
  const auto mailbox = text(query, "mailbox", kMailboxName, "must be a mailbox name");
  const auto after = integer(query, "after", 0, INT64_MAX, 0);
  const auto limit = integer(query, "limit", 1, max_page, 50);
  auto db = pool.acquire();
  auto entries = db->quarantine.list(mailbox, after, limit);
  auto next = nextAfter(entries, limit);
  sendJson(response, 200, {{"entries", std::move(entries)}, {"next_after", next}});
}

void QuarantineRetryEndpoint::serve(Request&, Response& response, const Ids& ids) {
  auto db = pool_.acquire();
  if (const auto on_server = db->quarantine.leftOnServer(ids.at(0))) {
    // Only the header is here; the message itself is on the mail server.
    const auto limit = mime_limits_.max_message_bytes;
    if (on_server->size > limit) {
      throw ClientError(
          409, "the message is on the mail server, not here: " + std::to_string(on_server->size) +
                   " bytes, over limits.max_message_bytes (" + std::to_string(limit) +
                   "); raise the limit and retry to have it fetched");
    }
    // The limit was raised since: the mailbox's next pass fetches and stores it.
    db->quarantine.requestFetch(ids.at(0));
    sendJson(response, 202,
             {{"result", "fetch_requested"},
              {"source_key", on_server->source_key},
              {"message_id", nullptr},
              {"ticket_id", nullptr},
              {"ticket_created", false},
              {"detail", "the next pass of mailbox " + on_server->mailbox +
                             " fetches the message from the server and stores it"}});
    return;
  }
  const auto entry = db->quarantine.find(ids.at(0), spill_);
  if (!entry) throw ClientError(404, "no quarantine entry " + std::to_string(ids.at(0)));
  if (!entry->raw) {
    db->quarantine.recordRetryFailure(entry->id, "no raw bytes were stored to retry from");
    throw ClientError(409, "no raw bytes are stored for this entry");
  }
  // The pass's own ingest step: size limit, guarded parse, decide() inside the commit.
  PreparedBatch batch(mime_limits_.max_message_bytes, mime_limits_);
  batch.add(entry->source_key, entry->mailbox, *entry->raw);
  const IncomingMessage& in = batch.messages().front();
  if (in.parsed == nullptr) {
    db->quarantine.recordRetryFailure(entry->id, in.quarantine_reason);
    sendJson(response, 422,
             {{"error", "the message still cannot be parsed"},
              {"result", "quarantined"},
              {"reason", in.quarantine_reason}});
    return;
  }
  // Stores the message and deletes the entry in one transaction.
  const RetryResult retried = batch.commitRetry(db->store, policy_, entry->id);
  if (retried.kind == RetryResult::Kind::kGone) {
    throw ClientError(409,
                      "quarantine entry " + std::to_string(entry->id) + " was retried meanwhile");
  }
  if (retried.kind == RetryResult::Kind::kRefused) {
    db->quarantine.recordRetryFailure(entry->id,
                                      "retry refused by the database: " + retried.sqlstate);
    sendJson(response, 422,
             {{"error", "the database refused the message"},
              {"result", "quarantined"},
              {"reason", "SQLSTATE " + retried.sqlstate}});
    return;
  }
  const CommitResult& result = retried.commit;
  static const char* kResults[] = {"inserted", "already_ingested", "duplicate_content"};
  sendJson(response, 200,
           {{"result", kResults[static_cast<int>(result.status)]},
            {"source_key", entry->source_key},
            {"message_id",
             result.message_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(result.message_id)},
            {"ticket_id",
             result.ticket_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(result.ticket_id)},
            {"ticket_created", result.ticket_created}});
}

}  // namespace hd::service::http
