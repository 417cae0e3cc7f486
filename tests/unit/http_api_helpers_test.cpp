// Pure pieces of the HTTP API: feed cursors, the bearer token check, download headers, metrics
// exposition, the /status document and the embedded OpenAPI document.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "db/feed_cursor.hpp"
#include "service/http/bearer_auth.hpp"
#include "service/http/content_disposition.hpp"
#include "service/http/metrics.hpp"
#include "service/http/openapi_document.hpp"
#include "service/http/status_report.hpp"

namespace hd::service::http {
namespace {

TEST(FeedCursor, RoundTripsAndStartsAtZero) {
  EXPECT_EQ(db::encodeCursor({}), "0");
  EXPECT_EQ(db::decodeCursor("0"), db::FeedCursor{});
  EXPECT_EQ(db::decodeCursor(""), db::FeedCursor{});
  for (db::FeedCursor c : {db::FeedCursor{1, 1, 3}, db::FeedCursor{0xffffffffffULL, 42, 1},
                           db::FeedCursor{7, INT64_MAX, UINT64_MAX}}) {
    auto text = db::encodeCursor(c);
    EXPECT_EQ(text[0], 'd');
    EXPECT_EQ(db::decodeCursor(text), c) << text;
  }
}

TEST(FeedCursor, ReadsCursorsSavedBeforeGenerationsWithoutOne) {
  // "c" + xid + id, as handed out before the feed knew its generation.
  EXPECT_EQ(db::decodeCursor("c00000000000003e8000000000000002a"), (db::FeedCursor{1000, 42, 0}));
}

TEST(FeedCursor, RefusesAnythingItDidNotHandOut) {
  auto good = db::encodeCursor({5, 9, 77});
  for (std::string bad :
       {std::string("1"), std::string("-1"), good.substr(1), good + "0", "x" + good.substr(1),
        "c" + good.substr(1), std::string("d") + std::string(48, 'G'),
        std::string("d") + std::string(48, 'F'), std::string("c") + std::string(32, 'G'),
        std::string("c") + std::string(32, 'F'),
        std::string("c") + std::string(16, '0') + "8000000000000000",
        // generation 0 is never handed out
        std::string("d") + std::string(16, '0') + good.substr(17)}) {
    EXPECT_FALSE(db::decodeCursor(bad)) << bad;
  }
}

TEST(BearerAuth, AcceptsOnlyTheConfiguredToken) {
  BearerAuth auth("s3cret-token");
  EXPECT_TRUE(auth.configured());
  EXPECT_TRUE(auth.allows("Bearer s3cret-token"));
  EXPECT_TRUE(auth.allows("bearer s3cret-token"));  // RFC 6750: the scheme is case-insensitive
  EXPECT_FALSE(auth.allows("Bearer s3cret-tokeN"));
  EXPECT_FALSE(auth.allows("Bearer s3cret-token "));
  EXPECT_FALSE(auth.allows("Bearer "));
  EXPECT_FALSE(auth.allows("Basic s3cret-token"));
  EXPECT_FALSE(auth.allows(""));
}

TEST(BearerAuth, TheReadTokenOnlyReads) {
  using Grant = BearerAuth::Grant;
  BearerAuth both("full-token", "read-token");
  EXPECT_EQ(both.grantFor("Bearer full-token"), Grant::kFull);
  EXPECT_EQ(both.grantFor("Bearer read-token"), Grant::kRead);
  EXPECT_EQ(both.grantFor("Bearer other"), Grant::kNone);
  EXPECT_EQ(both.grantFor("Bearer "), Grant::kNone);

  BearerAuth read_only("", "read-token");
  EXPECT_TRUE(read_only.configured());
  EXPECT_EQ(read_only.grantFor("Bearer read-token"), Grant::kRead);
  EXPECT_EQ(read_only.grantFor("Bearer "), Grant::kNone) << "an unset full token matches nothing";
}

TEST(BearerAuth, WithoutATokenNothingIsAllowed) {
  BearerAuth auth("");
  EXPECT_FALSE(auth.configured());
  EXPECT_FALSE(auth.allows("Bearer "));
  EXPECT_FALSE(auth.allows("Bearer x"));
}

TEST(ContentDisposition, NeutralisesHostileNames) {
  EXPECT_EQ(contentDisposition("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
  auto traversal = contentDisposition("../../etc/passwd");
  EXPECT_EQ(traversal.find(".."), std::string::npos) << traversal;
  EXPECT_EQ(traversal.find('/'), std::string::npos) << traversal;
  auto injected = contentDisposition("a\"b\r\nSet-Cookie: x=1.txt");
  EXPECT_EQ(injected.find('\r'), std::string::npos);
  EXPECT_EQ(injected.find('\n'), std::string::npos);
  EXPECT_EQ(injected.find("a\"b"), std::string::npos) << injected;
  EXPECT_EQ(contentDisposition(""),
            "attachment; filename=\"attachment\"; filename*=UTF-8''attachment");
  // Names stored before parsing removed bidi controls: "gpj.exe" must not read as "exe.jpg".
  EXPECT_EQ(contentDisposition("invoice\xE2\x80\xAEgpj.exe"),
            "attachment; filename=\"invoicegpj.exe\"; filename*=UTF-8''invoicegpj.exe");
  EXPECT_EQ(contentDisposition("Grüße.txt"),
            "attachment; filename=\"Gr____e.txt\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt");
  EXPECT_LT(contentDisposition(std::string(5000, 'a')).size(), 400u);
}

TEST(ContentDisposition, SafeContentTypeKeepsOnlyTokenPairs) {
  EXPECT_EQ(safeContentType("application/PDF"), "application/pdf");
  EXPECT_EQ(safeContentType("text/plain; charset=utf-8"), "text/plain");
  EXPECT_EQ(safeContentType("text/html\r\nX-Evil: 1"), "application/octet-stream");
  EXPECT_EQ(safeContentType("nonsense"), "application/octet-stream");
  EXPECT_EQ(safeContentType("/x"), "application/octet-stream");
  EXPECT_EQ(safeContentType("a/b/c"), "application/octet-stream");
}

TEST(Metrics, SumsEachStageOfThePassesPerMailbox) {
  using namespace std::chrono_literals;
  Metrics metrics;
  PassTimings first;
  first.fetching = 1500ms;
  first.committing = 2s;
  PassTimings second;
  second.fetching = 250ms;
  second.waiting_for_mail = 125ms;
  metrics.recordPassStages("support", first);
  metrics.recordPassStages("support", second);
  const auto text = metrics.render({}, std::nullopt);
  for (const char* line :
       {"# TYPE helpdesk_ingest_pass_stage_seconds_total counter\n",
        "helpdesk_ingest_pass_stage_seconds_total{mailbox=\"support\",stage=\"fetching\"} 1.75\n",
        "helpdesk_ingest_pass_stage_seconds_total{mailbox=\"support\",stage=\"parsing\"} 0\n",
        "helpdesk_ingest_pass_stage_seconds_total{mailbox=\"support\",stage=\"committing\"} 2\n",
        "helpdesk_ingest_pass_stage_seconds_total{mailbox=\"support\",stage=\"waiting_for_mail\"} "
        "0.125\n",
        "helpdesk_ingest_pass_stage_seconds_total{mailbox=\"support\",stage=\"acknowledging\"} 0\n",
        // stages alone make a series the pass histogram can render (no pass counted yet)
        "helpdesk_ingest_pass_duration_seconds_count{mailbox=\"support\"} 0\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

TEST(Metrics, RendersCountersGaugesAndACumulativeHistogram) {
  Metrics metrics;
  metrics.recordPass("support", true, std::chrono::milliseconds(300), 3, 1);
  metrics.recordPass("support", false, std::chrono::milliseconds(700000), 0, 0);
  metrics.recordHttp("/status", "GET", 200);
  metrics.recordHttp("/status", "GET", 200);
  MailboxStatus box;
  box.name = "sup\"port";
  box.state = MailboxState::kFailing;
  std::map<std::string, db::MailboxStats> stats;
  stats["support"].recorded_by_classification["auto_reply"] = 2;
  auto text = metrics.render({box}, stats);
  EXPECT_NE(text.find("helpdesk_ingest_build_info{version=\"" HD_VERSION "\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("helpdesk_ingest_mailbox_state{mailbox=\"sup\\\"port\",state=\"failing\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("helpdesk_ingest_passes_total{mailbox=\"support\",result=\"failure\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("helpdesk_ingest_pass_duration_seconds_bucket{mailbox=\"support\",le=\"0.5\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("helpdesk_ingest_pass_duration_seconds_bucket{mailbox=\"support\",le=\"600\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "helpdesk_ingest_pass_duration_seconds_bucket{mailbox=\"support\",le=\"+Inf\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("helpdesk_ingest_pass_duration_seconds_count{mailbox=\"support\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("helpdesk_ingest_http_requests_total{route=\"/"
                      "status\",method=\"GET\",status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "helpdesk_ingest_mailbox_messages{mailbox=\"support\",classification=\"auto_reply\","
          "ticketed=\"false\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("helpdesk_ingest_database_up 1\n"), std::string::npos);
  EXPECT_NE(metrics.render({}, std::nullopt).find("helpdesk_ingest_database_up 0\n"),
            std::string::npos);
}

TEST(Metrics, TokenExpiryGaugeOnlyForMailboxesWithAToken) {
  MailboxStatus oauth;
  oauth.name = "outlook";
  oauth.token_expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));
  MailboxStatus password;
  password.name = "dovecot";
  auto text = Metrics().render({oauth, password}, std::nullopt);
  EXPECT_NE(text.find("# TYPE helpdesk_ingest_mailbox_token_expiry_timestamp_seconds gauge\n"),
            std::string::npos);
  EXPECT_NE(text.find("helpdesk_ingest_mailbox_token_expiry_timestamp_seconds{mailbox=\"outlook\"} "
                      "1800000000\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("token_expiry_timestamp_seconds{mailbox=\"dovecot\"}"), std::string::npos);
}

TEST(StatusReport, ShowsLeaseAndTokenExpiryPerMailbox) {
  StatusBoard board;
  board.add("outlook", "imap");
  board.add("dovecot", "pop3");
  board.update("outlook", [](MailboxStatus& s) {
    s.lease = LeaseState::kHeld;
    s.token_expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));
  });
  board.update("dovecot", [](MailboxStatus& s) { s.lease = LeaseState::kStandby; });
  StatusReport report(
      board, []() -> DatabaseSnapshot { throw std::runtime_error("down"); },
      std::chrono::steady_clock::now());
  auto doc = report.build();
  EXPECT_EQ(doc["mailboxes"][0]["lease"], "held");
  EXPECT_EQ(doc["mailboxes"][0]["token_expires_at"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(doc["mailboxes"][1]["lease"], "standby");
  EXPECT_TRUE(doc["mailboxes"][1]["token_expires_at"].is_null());
}

TEST(OpenApiDocument, IsJsonAndDescribesEveryApiRoute) {
  auto doc = nlohmann::json::parse(openApiDocument());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  for (const char* path :
       {"/api/v1/events", "/api/v1/tickets", "/api/v1/tickets/{id}", "/api/v1/messages/{id}",
        "/api/v1/messages/{id}/raw", "/api/v1/attachments/{id}", "/api/v1/quarantine",
        "/api/v1/quarantine/{id}/retry", "/api/v1/openapi.json"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
  // Every $ref resolves.
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& node) {
    if (node.is_object()) {
      if (node.contains("$ref")) {
        auto ref = node["$ref"].get<std::string>();
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
        EXPECT_FALSE(
            doc.value(nlohmann::json::json_pointer(ref.substr(1)), nlohmann::json()).is_null())
            << ref;
      }
      for (const auto& [key, value] : node.items()) walk(value);
    } else if (node.is_array()) {
      for (const auto& value : node) walk(value);
    }
  };
  walk(doc);
}

}  // namespace
}  // namespace hd::service::http
