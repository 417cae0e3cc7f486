#include "service/runtime.hpp"

#include <Poco/Logger.h>

#include <atomic>
#include <future>
#include <thread>

#include "db/event_listener.hpp"
#include "db/mailbox_lease.hpp"
#include "db/raw_contents.hpp"
#include "service/http/api_server.hpp"
#include "service/mailbox_binding.hpp"
#include "service/oauth_access.hpp"
#include "service/oauth_token_store.hpp"
#include "service/schema_startup.hpp"
#include "service/source_factory.hpp"

namespace hd::service {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("hd.service");
}

// Wraps a source so that the mailbox's name is checked against what it reads
// (service/mailbox_binding.hpp) when the pass opens the mailbox.
class BindingCheckingSource : public source::MailSource {
 public:
  BindingCheckingSource(std::unique_ptr<source::MailSource> inner,
                        std::function<void()> verify_binding)
      : inner_(std::move(inner)), verify_binding_(std::move(verify_binding)) {}
  void open() override {
    verify_binding_();
    inner_->open();
  }
  source::Listing listPending(const source::Checkpoint& c) override {
    return inner_->listPending(c);
  }
  std::vector<source::FetchedMessage> fetch(std::span<const source::MessageRef> refs) override {
    return inner_->fetch(refs);
  }
  std::vector<source::FetchedMessage> fetchHeaders(std::span<const source::MessageRef> refs,
                                                   std::uint64_t max_bytes) override {
    return inner_->fetchHeaders(refs, max_bytes);
  }
  std::vector<source::MessageRef> lookUp(std::span<const std::string> source_keys) override {
    return inner_->lookUp(source_keys);
  }
  void acknowledge(std::span<const source::MessageRef> refs) override { inner_->acknowledge(refs); }
  bool canWaitForNewMail() const override { return inner_->canWaitForNewMail(); }
  source::WaitOutcome waitForNewMail(std::chrono::milliseconds max_wait,
                                     const std::function<bool()>& interrupted) override {
    return inner_->waitForNewMail(max_wait, interrupted);
  }
  void close() noexcept override { inner_->close(); }

 private:
  std::unique_ptr<source::MailSource> inner_;
  std::function<void()> verify_binding_;
};

// Workers and quarantine retries (HTTP) parse and decide with the same settings.
mime::Limits mimeLimits(const Config& config) {
  mime::Limits limits;
  limits.max_message_bytes = config.limits.max_message_bytes;
  limits.max_parts = config.limits.max_parts;
  limits.max_depth = config.limits.max_depth;
  limits.max_header_bytes = config.limits.max_header_bytes;
  limits.spill = config.limits.spill;
  return limits;
}

ingest::Policy ticketPolicy(const Config& config) {
  ingest::Policy policy;
  policy.reference_prefix = config.ticket_prefix;
  policy.new_tickets_per_sender_per_hour = config.new_tickets_per_sender_per_hour;
  policy.own_addresses = config.own_addresses;
  return policy;
}

}  // namespace

Runtime::Runtime(Config config, RuntimeHooks hooks)
    : config_(std::move(config)), hooks_(std::move(hooks)) {
  for (const auto& mailbox : config_.mailboxes)
    board_.add(mailbox.name, toString(mailbox.protocol));
}

Runtime::~Runtime() {
  joinWorkers();
}

std::unique_ptr<MailboxWorker> Runtime::makeWorker(const MailboxConfig& mailbox) {
  WorkerSettings settings;
  settings.mailbox = mailbox.name;
  settings.poll_interval = mailbox.poll_interval;
  if (mailbox.auth == AuthMethod::kXoauth2 && mailbox.oauth2.client_credentials) {
    // App-only: nobody signs in; `auth login` refuses these mailboxes.
    settings.auth_hint =
        "check the app registration (IMAP.AccessAsApp / POP.AccessAsApp with admin consent), its "
        "client secret, and the mailbox permission (New-ServicePrincipal, Add-MailboxPermission)";
  } else if (mailbox.auth == AuthMethod::kXoauth2) {
    settings.auth_hint = "run `helpdesk-ingest auth login --config FILE --mailbox " + mailbox.name +
                         "` with this configuration to sign in again";
  }
  settings.backoff_initial = config_.backoff.initial;
  settings.backoff_max = config_.backoff.max;
  settings.limits.max_message_bytes = config_.limits.max_message_bytes;
  settings.limits.batch_messages = config_.limits.fetch_batch_messages;
  settings.limits.batch_bytes = config_.limits.fetch_batch_bytes;
  settings.limits.mime = mimeLimits(config_);
  settings.policy = ticketPolicy(config_);
  settings.faults = hooks_.faults;

  auto store = std::make_unique<db::TicketStore>(config_.database_url,
                                                 db::StoreOptions{config_.ticket_prefix});
  std::optional<AccessTokenSource> tokens;
  if (mailbox.auth == AuthMethod::kXoauth2) {
    tokens = makeAccessTokenSource(config_, mailbox);
    settings.forget_access_token = tokens->invalidate;
    if (!mailbox.oauth2.client_credentials) {
      // A new `auth login` ends an auth_required backoff early: no restart needed.
      settings.sign_in_stamp = [url = config_.database_url, name = mailbox.name] {
        return oauthSignInStamp(url, name);
      };
    }
    // /status shows when the token in use expires.
    tokens->token = [this, name = mailbox.name, token = tokens->token,
                     expires_at = tokens->expires_at] {
      std::string value = token();
      board_.update(name, [&](MailboxStatus& s) { s.token_expires_at = expires_at(); });
      return value;
    };
  }
  auto make_inner = makeSourceFactory(mailbox, config_.limits, std::move(tokens));
  // Checked until it succeeds once per process: a binding does not change while we run.
  auto bound = std::make_shared<std::atomic<bool>>(false);
  auto verify_binding = [url = config_.database_url, mailbox, bound] {
    if (*bound) return;
    verifyMailboxBinding(url, mailbox);
    *bound = true;
  };
  SourceFactory make_source = [make_inner,
                               verify_binding]() -> std::unique_ptr<source::MailSource> {
    return std::make_unique<BindingCheckingSource>(make_inner(), verify_binding);
  };
  if (record_metrics_) settings.metrics = &metrics_;
  auto worker = std::make_unique<MailboxWorker>(std::move(settings), std::move(make_source),
                                                std::move(store), board_);
  // Several replicas may share the database: only the holder of the mailbox's lease polls it.
  worker->setLease(std::make_unique<db::MailboxLease>(config_.database_url, mailbox.name));
  // A second connection writes each batch's raw bytes beside the commit of the batch before.
  worker->writeRawAheadWith(std::make_unique<db::RawContents>(config_.database_url));
  return worker;
}

bool Runtime::runOnce(const StopSignal& stop) {
  if (!migrateSchemaAtStart(config_.database_url, config_.backoff, stop, false)) return false;
  std::vector<std::unique_ptr<MailboxWorker>> workers;
  for (const auto& mailbox : config_.mailboxes) workers.push_back(makeWorker(mailbox));
  std::vector<std::future<bool>> results;
  for (auto& worker : workers) {
    results.push_back(
        std::async(std::launch::async, [&worker, &stop] { return worker->runOnce(stop); }));
  }
  bool all_ok = true;
  for (auto& result : results) all_ok = result.get() && all_ok;
  return all_ok;
}

bool Runtime::serve(const StopSignal& stop, std::chrono::seconds grace) {
  record_metrics_ = true;
  http::ReaderPool pool(config_.database_url, db::StoreOptions{config_.ticket_prefix}, 4);
  std::vector<std::string> names;
  for (const auto& mailbox : config_.mailboxes) names.push_back(mailbox.name);
  http::SnapshotReader snapshot = [&pool, names] {
    auto db = pool.acquire();
    http::DatabaseSnapshot result;
    result.schema = db->stats.schema();
    result.stats = db->stats.read(names);
    return result;
  };
  http::StatusReport report(board_, snapshot, std::chrono::steady_clock::now());
  db::EventListener listener(config_.database_url);
  listener.start();
  http::ApiLimits limits;
  limits.threads = config_.http_edge.threads;
  limits.max_long_polls = config_.http_edge.max_long_polls;
  limits.request_timeout = config_.http_edge.request_timeout;
  limits.max_pending_connections = config_.http_edge.max_pending_connections;
  http::ApiEndpoints endpoints;
  endpoints.health = std::make_unique<http::HealthEndpoint>();
  endpoints.ready = std::make_unique<http::ReadyEndpoint>(snapshot);
  endpoints.status = std::make_unique<http::StatusEndpoint>(report);
  endpoints.metrics = std::make_unique<http::MetricsEndpoint>(metrics_, board_, snapshot);
  endpoints.openapi = std::make_unique<http::OpenApiEndpoint>();
  endpoints.events = std::make_unique<http::EventsEndpoint>(pool, &listener, limits.max_page,
                                                            limits.max_wait, limits.max_long_polls);
  endpoints.tickets =
      std::make_unique<http::ReadEndpoint>(http::serveTickets, pool, limits.max_page);
  endpoints.ticket = std::make_unique<http::ReadEndpoint>(http::serveTicket, pool);
  endpoints.message = std::make_unique<http::ReadEndpoint>(http::serveMessage, pool);
  endpoints.raw_message = std::make_unique<http::ReadEndpoint>(http::serveRawMessage, pool);
  endpoints.attachment = std::make_unique<http::ReadEndpoint>(http::serveAttachment, pool);
  endpoints.quarantine =
      std::make_unique<http::ReadEndpoint>(http::serveQuarantine, pool, limits.max_page);
  endpoints.quarantine_retry = std::make_unique<http::QuarantineRetryEndpoint>(
      pool, mimeLimits(config_), ticketPolicy(config_), config_.limits.spill);
  http::ApiAccess access{http::BearerAuth(config_.api_token, config_.api_read_token),
                         config_.protect_status, config_.protect_metrics};
  http::ApiServer server(config_.http_host, config_.http_port, std::move(endpoints),
                         std::move(access), limits, metrics_);
  server.start();
  if (config_.api_token.empty())
    logger().warning("no http.api_token configured: every /api request gets 401");
  logger().information("HTTP endpoint listening on %s:%d", config_.http_host, server.port());
  // Once, before any worker starts (they wait while the database is unreachable), so that the API
  // works on a fresh database and a replica that only stands by still brings the schema up to
  // date. After the server started: an unreachable database must not make /healthz fail.
  // Meanwhile every mailbox shows the reason on /status (failing, last_error), as a pass would.
  const auto show_on_every_mailbox = [this](const std::string& error) {
    const auto now = std::chrono::system_clock::now();
    for (const auto& mailbox : config_.mailboxes) {
      board_.update(mailbox.name, [&](MailboxStatus& s) {
        s.state = MailboxState::kFailing;
        s.last_error = "database: schema migration at start: " + error;
        s.last_error_at = now;
        ++s.consecutive_failures;
      });
    }
  };
  if (!migrateSchemaAtStart(config_.database_url, config_.backoff, stop, true,
                            show_on_every_mailbox)) {
    server.stop();
    listener.stop();
    return true;  // stopped before any worker started
  }

  // One thread per mailbox, owned by this Runtime and joined below (or, when a pass is stuck in a
  // read past the grace period, left to the process exit that follows).
  workers_.remaining = config_.mailboxes.size();
  for (const auto& mailbox : config_.mailboxes) {
    MailboxWorker& worker = *workers_.workers.emplace_back(makeWorker(mailbox));
    workers_.threads.emplace_back([this, &worker, &stop] {
      worker.runUntil(stop);
      std::lock_guard lock(workers_.mutex);
      --workers_.remaining;
      workers_.done.notify_all();
    });
  }
  logger().information("started %z mailbox worker(s)", config_.mailboxes.size());

  while (!stop.waitFor(std::chrono::hours(1))) {
  }
  logger().information("shutting down: waiting up to %s s for mailbox passes to finish",
                       std::to_string(grace.count()));
  bool finished = false;
  {
    std::unique_lock lock(workers_.mutex);
    finished = workers_.done.wait_for(lock, grace, [&] { return workers_.remaining == 0; });
  }
  server.stop();
  listener.stop();
  if (!finished) {
    // Safe: nothing is acknowledged before its commit, so an interrupted pass is redone next time.
    logger().warning("a mailbox pass did not finish within %s s; exiting anyway",
                     std::to_string(grace.count()));
    return false;
  }
  joinWorkers();
  return true;
}

void Runtime::joinWorkers() {
  for (auto& thread : workers_.threads) {
    if (thread.joinable()) thread.join();
  }
  workers_.threads.clear();
}

}  // namespace hd::service
