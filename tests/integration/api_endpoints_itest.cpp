// Every HTTP endpoint of the running service (real PostgreSQL and Dovecot from deploy/local.sh),
// with its errors, authentication, the OpenAPI schemas checked against real answers, and
// `promtool check metrics` on real /metrics output.

#include <csignal>
#include <cstdio>
#include <fstream>
#include <set>

#include "connectors/crypto/sha256.hpp"
#include "tests/integration/api_test_support.hpp"
#include "tests/support/sample_mail.hpp"

namespace hd::test {
namespace {

std::string plainMessage(const std::string& id, const std::string& subject) {
  return "From: Jane Doe <jane@example.com>\nTo: support@example.com\nSubject: " + subject +
         "\nMessage-ID: <" + id +
         ">\nDate: Thu, 26 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; "
         "charset=utf-8\n\n"
         "Hello, this is " +
         subject + ".\n";
}

const std::string kReadToken = "read-only-token-9d2e";

class ApiEndpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 6; ++i)
      box_.deliver(makeSampleMessage(i));  // i % 3 == 2: with an attachment
    box_.deliver(plainMessage("big@example.com", "Too big") + std::string(6000, 'x') + "\n");
    config_ = std::make_unique<TempFile>(
        apiConfigJson(db_.url(), box_.user(),
                      R"("api_token": ")" + kApiToken + R"(", "api_read_token": ")" + kReadToken +
                          R"(", "protect_status": true)",
                      R"("limits": {"max_message_bytes": 4096},)"));
    service_ =
        std::make_unique<ServiceProcess>(std::vector<std::string>{"--config", config_->path()});
    port_ = waitForPort(*service_);
    ASSERT_NE(port_, 0);
    // The service migrates the fresh database right after it starts listening.
    for (int i = 0; i < 300 && httpGet(port_, "/readyz", "").status != 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (int i = 0; i < 300 && db_.scalar("SELECT count(*) FROM messages") != "6"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(db_.scalar("SELECT count(*) FROM messages"), "6") << service_->output();
    ASSERT_EQ(db_.scalar("SELECT count(*) FROM quarantine"), "1") << service_->output();
    openapi_ = httpGet(port_, "/api/v1/openapi.json").json();
  }

  void TearDown() override {
    if (!service_) return;
    service_->signal(SIGTERM);
    service_->wait(40);
  }

  void expectValid(const std::string& schema, const nlohmann::json& value) {
    auto errors = schemaErrors(openapi_, schema, value);
    EXPECT_TRUE(errors.empty()) << schema << ": " << (errors.empty() ? "" : errors.front()) << " ("
                                << errors.size() << " errors)\n"
                                << value.dump(2).substr(0, 4000);
  }

  void expectError(const HttpAnswer& answer, int status) {
    EXPECT_EQ(answer.status, status) << answer.body;
    auto body = nlohmann::json::parse(answer.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << answer.body;
    expectValid("Error", body);
    EXPECT_EQ(answer.body.find("SELECT"), std::string::npos) << answer.body;
  }

  ScratchDatabase db_;
  TestMailbox box_{"api"};
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<ServiceProcess> service_;
  int port_ = 0;
  nlohmann::json openapi_;
};

TEST_F(ApiEndpoints, HealthReadinessStatusAndMetrics) {
  auto health = httpGet(port_, "/healthz", "");
  EXPECT_EQ(health.status, 200);
  auto ready = httpGet(port_, "/readyz", "");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.json()["status"], "ready");

  expectError(httpGet(port_, "/status", ""), 401);  // protect_status
  auto status = httpGet(port_, "/status");
  ASSERT_EQ(status.status, 200);
  auto doc = status.json();
  EXPECT_EQ(doc["database"]["ok"], true);
  EXPECT_EQ(doc["database"]["schema_current"], true);
  auto box = doc["mailboxes"][0];
  EXPECT_EQ(box["ingested"], 6);
  EXPECT_EQ(box["quarantined"], 1);
  EXPECT_EQ(
      box["tickets"].get<int>() + box["follow_ups"].get<int>() +
          [&] {
            int n = 0;
            for (auto& [k, v] : box["recorded"].items()) n += v.get<int>();
            return n;
          }(),
      6)
      << box.dump();
  EXPECT_TRUE(box["checkpoint"].contains("last_uid"));
  EXPECT_EQ(box["lease"], "held");  // the only replica
  EXPECT_TRUE(box.contains("token_expires_at"));
  EXPECT_TRUE(box["token_expires_at"].is_null()) << box.dump();  // a password mailbox

  // The rows above are committed before their pass ends (acknowledge, checkpoint, report): the
  // pass's figures appear when it has ended, so wait for that (bounded), then read them.
  const std::string pass_duration =
      "helpdesk_ingest_pass_duration_seconds_bucket{mailbox=\"support\"";
  auto metrics = httpGet(port_, "/metrics", "");  // not protected
  for (int i = 0; i < 300 && metrics.body.find(pass_duration) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    metrics = httpGet(port_, "/metrics", "");
  }
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("helpdesk_ingest_build_info{version="), std::string::npos);
  EXPECT_NE(metrics.body.find(pass_duration), std::string::npos);
  // The service's own passes stored the mail above, so their commit stage took some time.
  const std::string committing =
      "helpdesk_ingest_pass_stage_seconds_total{mailbox=\"support\",stage=\"committing\"} ";
  const auto at = metrics.body.find(committing);
  ASSERT_NE(at, std::string::npos) << metrics.body;
  EXPECT_GT(std::stod(metrics.body.substr(at + committing.size())), 0.0) << metrics.body;
  EXPECT_NE(
      metrics.body.find(
          "helpdesk_ingest_http_requests_total{route=\"/status\",method=\"GET\",status=\"401\"} 1"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(
      metrics.body.find("helpdesk_ingest_mailbox_quarantined_messages{mailbox=\"support\"} 1"),
      std::string::npos);

  // promtool is part of deploy/packages-test.txt: its absence is a failure, not a skip.
  TempFile scraped(metrics.body, ".prom");
  std::string command = "promtool check metrics < " + scraped.path() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) out += buffer;
  int rc = pclose(pipe);
  EXPECT_EQ(rc, 0) << "promtool check metrics:\n" << out;
  EXPECT_EQ(out.find("problem"), std::string::npos) << out;
}

TEST_F(ApiEndpoints, TicketsMessagesAttachmentsAndTheirSchemas) {
  auto list = httpGet(port_, "/api/v1/tickets?limit=100");
  ASSERT_EQ(list.status, 200) << list.body;
  expectValid("TicketPage", list.json());
  ASSERT_FALSE(list.json()["tickets"].empty());
  auto page = httpGet(port_, "/api/v1/tickets?limit=2&mailbox=support&status=open").json();
  ASSERT_EQ(page["tickets"].size(), 2u);
  auto next = page["next_after"];
  ASSERT_TRUE(next.is_number_integer());
  auto rest =
      httpGet(port_, "/api/v1/tickets?limit=100&after=" + std::to_string(next.get<long long>()))
          .json();
  EXPECT_EQ(rest["tickets"].size() + 2, list.json()["tickets"].size());
  EXPECT_TRUE(httpGet(port_, "/api/v1/tickets?status=closed").json()["tickets"].empty());

  long long attachment_id = 0, message_id = 0;
  const auto tickets = list.json();  // range-for over a temporary's member would dangle
  for (const auto& summary : tickets["tickets"]) {
    auto ticket =
        httpGet(port_, "/api/v1/tickets/" + std::to_string(summary["id"].get<long long>()));
    ASSERT_EQ(ticket.status, 200);
    const auto doc = ticket.json();
    expectValid("Ticket", doc);
    for (const auto& m : doc["messages"]) {
      message_id = m["id"];
      if (!m["attachments"].empty()) attachment_id = m["attachments"][0]["id"];
    }
  }
  ASSERT_NE(message_id, 0) << list.body;
  ASSERT_NE(attachment_id, 0);

  auto message = httpGet(port_, "/api/v1/messages/" + std::to_string(message_id));
  ASSERT_EQ(message.status, 200);
  expectValid("Message", message.json());
  auto raw = httpGet(port_, "/api/v1/messages/" + std::to_string(message_id) + "/raw");
  ASSERT_EQ(raw.status, 200);
  EXPECT_EQ(raw.headers["Content-Type"], "message/rfc822");
  // The bytes the row holds, or those written ahead that it names (db/raw_contents.hpp).
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM raw_messages r"
                       " LEFT JOIN raw_contents c ON c.sha256 = r.content_sha256"
                       " WHERE r.message_id = " +
                       std::to_string(message_id) +
                       " AND encode(sha256(coalesce(r.raw, c.raw)), 'hex') = '" +
                       message.json()["raw_sha256"].get<std::string>() + "'"),
            "1");
  EXPECT_EQ(crypto::sha256Hex(raw.body), message.json()["raw_sha256"].get<std::string>());
  EXPECT_EQ(raw.body.size(), message.json()["raw_size"].get<std::size_t>());

  auto attachment = httpGet(port_, "/api/v1/attachments/" + std::to_string(attachment_id));
  ASSERT_EQ(attachment.status, 200) << service_->output();
  EXPECT_EQ(attachment.headers["Content-Disposition"].rfind("attachment; filename=\"", 0), 0u)
      << attachment.headers["Content-Disposition"];
  EXPECT_EQ(attachment.headers["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(db_.scalar("SELECT size || ':' || sha256 FROM attachments WHERE id = " +
                       std::to_string(attachment_id)),
            std::to_string(attachment.body.size()) + ":" + crypto::sha256Hex(attachment.body));

  // The feed shows an event once no older transaction of the cluster is in flight (other tests
  // run in parallel on the same server), so wait for them rather than read once.
  const std::size_t stored_events = std::stoul(db_.scalar("SELECT count(*) FROM events"));
  const auto events = eventsOnceVisible(port_, "after=0&limit=1000", stored_events);
  expectValid("EventPage", events);
  EXPECT_EQ(events["events"].size(), stored_events);
}

TEST_F(ApiEndpoints, QuarantineListAndRetry) {
  auto list = httpGet(port_, "/api/v1/quarantine");
  ASSERT_EQ(list.status, 200);
  expectValid("QuarantinePage", list.json());
  ASSERT_EQ(list.json()["entries"].size(), 1u);
  auto big = list.json()["entries"][0];
  EXPECT_EQ(big["retrying"], false);

  // The read-only token reads everything but may not change anything.
  const std::string big_retry =
      "/api/v1/quarantine/" + std::to_string(big["id"].get<long long>()) + "/retry";
  EXPECT_EQ(httpGet(port_, "/api/v1/quarantine", kReadToken).status, 200);
  EXPECT_EQ(httpGet(port_, "/status", kReadToken).status, 200);
  expectError(httpCall(port_, "POST", big_retry, kReadToken), 403);
  EXPECT_EQ(httpGet(port_, "/api/v1/quarantine").json()["entries"][0]["attempts"], big["attempts"])
      << "a refused retry is not attempted";

  // Too large to fetch: only its header is here, the message is on the mail server. A retry
  // says so (409) while the limit still refuses it, and changes nothing.
  EXPECT_EQ(big["on_server"], true);
  EXPECT_GT(big["size"].get<long long>(), 4096);
  EXPECT_TRUE(big["raw_size"].is_null());
  auto again = httpCall(port_, "POST", big_retry);
  expectError(again, 409);
  EXPECT_NE(again.json()["error"].get<std::string>().find("on the mail server"), std::string::npos)
      << again.body;
  EXPECT_NE(again.json()["error"].get<std::string>().find("max_message_bytes (4096)"),
            std::string::npos)
      << again.body;
  auto after = httpGet(port_, "/api/v1/quarantine").json()["entries"][0];
  EXPECT_EQ(after["source_key"], big["source_key"]);
  EXPECT_EQ(after["retrying"], false);
  EXPECT_EQ(after["on_server"], true);
  // The operator sees it on /status too.
  auto status = httpGet(port_, "/status").json();
  EXPECT_EQ(status["mailboxes"][0]["quarantined"], 1) << status.dump();

  // A parseable entry (e.g. quarantined while the database refused it) is stored by a retry, and
  // the quarantine row disappears in the same transaction.
  const std::string key = "imap:support:1:900001";
  const std::string raw = plainMessage("retry-me@example.com", "Retried message");
  db_.scalar("INSERT INTO quarantine (source_key, mailbox, raw, error) VALUES ('" + key +
             "', 'support', '" + raw + "'::bytea, 'database refused') RETURNING id");
  auto id = db_.scalar("SELECT id FROM quarantine WHERE source_key = '" + key + "'");
  auto retried = httpCall(port_, "POST", "/api/v1/quarantine/" + id + "/retry");
  ASSERT_EQ(retried.status, 200) << retried.body;
  expectValid("RetryResult", retried.json());
  EXPECT_EQ(retried.json()["result"], "inserted");
  EXPECT_EQ(retried.json()["source_key"], key);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM quarantine WHERE source_key LIKE '%900001'"), "0");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM messages WHERE source_key = '" + key + "'"), "1");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM events WHERE message_id = " +
                       std::to_string(retried.json()["message_id"].get<long long>())),
            "2");
  expectError(httpCall(port_, "POST", "/api/v1/quarantine/" + id + "/retry"), 404);
}

TEST_F(ApiEndpoints, ErrorsAreJsonWithTheRightStatus) {
  expectError(httpGet(port_, "/api/v1/tickets", ""), 401);
  auto wrong = httpGet(port_, "/api/v1/tickets", "not-the-token");
  expectError(wrong, 401);
  EXPECT_EQ(wrong.headers["WWW-Authenticate"].rfind("Bearer", 0), 0u);
  expectError(httpGet(port_, "/api/v1/nothing-here", ""), 401);  // no probing without a token
  expectError(httpGet(port_, "/api/v1/nothing-here"), 404);
  expectError(httpGet(port_, "/nothing-here", ""), 404);
  expectError(httpGet(port_, "/api/v1/tickets/999999"), 404);
  expectError(httpGet(port_, "/api/v1/messages/999999"), 404);
  expectError(httpGet(port_, "/api/v1/messages/999999/raw"), 404);
  expectError(httpGet(port_, "/api/v1/attachments/999999"), 404);
  expectError(httpGet(port_, "/api/v1/tickets/abc"), 400);
  expectError(httpGet(port_, "/api/v1/tickets/0"), 400);
  expectError(httpGet(port_, "/api/v1/tickets?limit=0"), 400);
  expectError(httpGet(port_, "/api/v1/tickets?limit=abc"), 400);
  expectError(httpGet(port_, "/api/v1/tickets?mailbox=a%20b"), 400);
  expectError(httpGet(port_, "/api/v1/tickets?bogus=1"), 400);
  expectError(httpGet(port_, "/api/v1/events?after=garbage"), 400);
  expectError(httpGet(port_, "/api/v1/events?wait=3600"), 400);
  auto not_allowed = httpCall(port_, "POST", "/api/v1/tickets");
  expectError(not_allowed, 405);
  EXPECT_EQ(not_allowed.headers["Allow"], "GET");
  expectError(httpCall(port_, "DELETE", "/healthz", ""), 405);
  expectError(httpCall(port_, "GET", "/api/v1/quarantine/1/retry"), 405);
  {
    // Only the head is sent: the server must refuse by Content-Length without reading the body.
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request("POST", "/api/v1/quarantine/1/retry", "HTTP/1.1");
    request.set("Authorization", "Bearer " + kApiToken);
    request.setContentLength(70000);
    session.sendRequest(request).flush();
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpAnswer answer{
        static_cast<int>(response.getStatus()),
        {},
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())};
    expectError(answer, 413);
  }
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 80; ++i) many.emplace_back("X-Filler-" + std::to_string(i), "1");
  expectError(httpCall(port_, "GET", "/api/v1/tickets", kApiToken, many), 400);
  // The service still answers normally afterwards.
  EXPECT_EQ(httpGet(port_, "/api/v1/tickets").status, 200);
}

TEST(ApiWithoutToken, EveryApiRequestIsRefused) {
  ScratchDatabase db;
  TestMailbox box{"api_notoken"};
  TempFile config(apiConfigJson(db.url(), box.user(), ""));
  ServiceProcess service({"--config", config.path()});
  int port = waitForPort(service);
  ASSERT_NE(port, 0);
  auto answer = httpGet(port, "/api/v1/tickets", "anything");
  EXPECT_EQ(answer.status, 401);
  EXPECT_NE(answer.json()["error"].get<std::string>().find("no API token"), std::string::npos);
  EXPECT_EQ(httpGet(port, "/api/v1/openapi.json", "").status, 401);
  EXPECT_EQ(httpGet(port, "/status", "").status, 200);  // open by default
  EXPECT_NE(service.output().find("no http.api_token configured"), std::string::npos);
  service.signal(SIGTERM);
  EXPECT_EQ(service.wait(40).exit_code, 0);
}

TEST(ApiDatabaseDown, AnswersWith503AndNoDetails) {
  TestMailbox box{"api_nodb"};
  // A port where nothing listens: the database is unreachable.
  TempFile config(
      apiConfigJson("postgresql://nobody:secret@127.0.0.1:9/none?connect_timeout=2", box.user()));
  ServiceProcess service({"--config", config.path()});
  int port = waitForPort(service);
  ASSERT_NE(port, 0);
  auto ready = httpGet(port, "/readyz", "");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.json()["reason"], "database unavailable");
  auto tickets = httpGet(port, "/api/v1/tickets");
  EXPECT_EQ(tickets.status, 503);
  EXPECT_EQ(tickets.json()["error"], "database unavailable");
  EXPECT_EQ(tickets.body.find("secret"), std::string::npos);
  auto status = httpGet(port, "/status", "").json();
  EXPECT_EQ(status["database"]["ok"], false);
  EXPECT_EQ(status["mailboxes"][0]["ingested"], nullptr);
  EXPECT_EQ(httpGet(port, "/healthz", "").status, 200);
  EXPECT_NE(httpGet(port, "/metrics", "").body.find("helpdesk_ingest_database_up 0"),
            std::string::npos);
  service.signal(SIGTERM);
  service.wait(40);
}

}  // namespace
}  // namespace hd::test
