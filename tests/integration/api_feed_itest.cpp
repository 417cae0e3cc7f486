// The event feed under concurrent writers: 4 threads commit 10,000 events through
// TicketStore::commitMessage while a client polls GET /api/v1/events; every event is seen exactly
// once and in a consistent order. Plus: a transaction that commits late is not skipped, and a
// long poll wakes up when an event is committed.

#include <atomic>
#include <csignal>
#include <memory>
#include <pqxx/pqxx>
#include <set>

#include "db/ticket_store.hpp"
#include "tests/integration/api_test_support.hpp"

namespace hd::test {
namespace {

class ApiFeed : public ::testing::Test {
 protected:
  void SetUp() override {
    db::TicketStore(db_.url()).migrate();
    config_ = std::make_unique<TempFile>(
        apiConfigJson(db_.url(), box_.user(), R"("api_token": ")" + kApiToken + R"(")", "", 3600));
    service_ =
        std::make_unique<ServiceProcess>(std::vector<std::string>{"--config", config_->path()});
    port_ = waitForPort(*service_);
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    service_->signal(SIGTERM);
    service_->wait(40);
  }

  ScratchDatabase db_;
  TestMailbox box_{"feed"};
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<ServiceProcess> service_;
  int port_ = 0;
};

TEST_F(ApiFeed, FourConcurrentWritersTenThousandEventsNoneSkippedOrRepeated) {
  constexpr int kWriters = 4;
  constexpr int kMessagesPerWriter = 1250;  // 2 events each: 10,000 events
  constexpr std::size_t kEvents = 2u * kWriters * kMessagesPerWriter;
  std::atomic<int> writers_done{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      db::TicketStore store(db_.url());
      for (int i = 0; i < kMessagesPerWriter; ++i)
        commitNewTicket(store, "w" + std::to_string(w) + "-" + std::to_string(i));
      ++writers_done;
    });
  }

  std::set<long long> messages_seen, tickets_seen;
  std::set<std::string> cursors;
  std::size_t events_seen = 0, duplicates = 0, order_errors = 0, schema_errors = 0;
  auto openapi = httpGet(port_, "/api/v1/openapi.json").json();
  std::string after = "0";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (events_seen < kEvents && std::chrono::steady_clock::now() < deadline) {
    auto answer = httpGet(port_, "/api/v1/events?after=" + after + "&limit=700&wait=2");
    ASSERT_EQ(answer.status, 200) << answer.body;
    auto page = answer.json();
    if (!schemaErrors(openapi, "EventPage", page).empty()) ++schema_errors;
    for (const auto& event : page["events"]) {
      ++events_seen;
      if (!cursors.insert(event["cursor"].get<std::string>()).second) ++duplicates;
      const long long ticket = event["ticket_id"];
      if (event["type"] == "ticket.created") {
        if (!tickets_seen.insert(ticket).second) ++duplicates;
      } else {
        if (!messages_seen.insert(event["message_id"].get<long long>()).second) ++duplicates;
        if (!tickets_seen.count(ticket)) ++order_errors;  // message.added before its ticket.created
      }
    }
    after = page["next"];
  }
  for (auto& t : writers) t.join();
  ASSERT_EQ(writers_done.load(), kWriters);
  EXPECT_EQ(duplicates, 0u);
  EXPECT_EQ(order_errors, 0u);
  EXPECT_EQ(schema_errors, 0u);
  EXPECT_EQ(events_seen, kEvents);
  EXPECT_EQ(messages_seen.size(), kEvents / 2);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM events"), std::to_string(kEvents));
  // Nothing more arrives later: the feed is complete.
  auto tail = httpGet(port_, "/api/v1/events?after=" + after + "&limit=10").json();
  EXPECT_TRUE(tail["events"].empty()) << tail.dump();
  EXPECT_EQ(tail["next"], after);
}

TEST_F(ApiFeed, AnEventCommittedLateBehindNewerOnesIsNotSkipped) {
  db::TicketStore store(db_.url());
  commitNewTicket(store, "first");
  auto first = eventsOnceVisible(port_, "after=0", 2);
  ASSERT_EQ(first["events"].size(), 2u);
  std::string after = first["next"];

  // A transaction takes its xid (by writing an event) and stays open while newer events commit.
  pqxx::connection slow(db_.url());
  pqxx::work slow_tx(slow);
  slow_tx.exec("INSERT INTO events (type) VALUES ('message.added')");
  commitNewTicket(store, "second");
  auto held = httpGet(port_, "/api/v1/events?after=" + after).json();
  EXPECT_TRUE(held["events"].empty())
      << "handing out newer events now would skip the open transaction's event";
  EXPECT_EQ(held["next"], after);

  slow_tx.commit();
  // Another session of the cluster may still hold the horizon back for a moment: wait for it.
  nlohmann::json all;
  for (int i = 0; i < 50; ++i) {
    all = httpGet(port_, "/api/v1/events?after=" + after + "&wait=1").json();
    if (all["events"].size() >= 3) break;
  }
  ASSERT_EQ(all["events"].size(), 3u) << all.dump();
  EXPECT_TRUE(all["events"][0]["ticket_id"].is_null());  // the late one comes first: lower xid
  EXPECT_EQ(all["events"][1]["type"], "ticket.created");
  EXPECT_EQ(all["events"][2]["type"], "message.added");
}

TEST_F(ApiFeed, TheCursorSurvivesARestartOfTheService) {
  db::TicketStore store(db_.url());
  for (const char* id : {"r1", "r2", "r3"}) commitNewTicket(store, id);
  auto first = eventsOnceVisible(port_, "after=0&limit=2", 2);
  ASSERT_EQ(first["events"].size(), 2u);
  std::string after = first["next"];

  service_->signal(SIGTERM);
  ASSERT_EQ(service_->wait(40).exit_code, 0);
  service_ =
      std::make_unique<ServiceProcess>(std::vector<std::string>{"--config", config_->path()});
  port_ = waitForPort(*service_);
  ASSERT_NE(port_, 0);

  auto rest = eventsOnceVisible(port_, "after=" + after + "&limit=100", 4);
  ASSERT_EQ(rest["events"].size(), 4u) << rest.dump();
  std::set<std::string> cursors;
  for (const auto& page : {first, rest}) {
    for (const auto& event : page["events"])
      EXPECT_TRUE(cursors.insert(event["cursor"].get<std::string>()).second);
  }
  // Each ticket's ticket.created comes right before its message.added.
  EXPECT_EQ(first["events"][0]["type"], "ticket.created");
  EXPECT_EQ(first["events"][1]["ticket_id"], first["events"][0]["ticket_id"]);
  EXPECT_EQ(rest["events"][0]["type"], "ticket.created");
  EXPECT_NE(rest["events"][0]["ticket_id"], first["events"][0]["ticket_id"]);
  EXPECT_EQ(rest["events"][1]["type"], "message.added");
  EXPECT_EQ(rest["events"][1]["ticket_id"], rest["events"][0]["ticket_id"]);
}

// A notification whose events an older transaction still hides (the visibility horizon) is not
// forgotten: the long poll looks again until they show, not only at the 5-second fallback.
TEST_F(ApiFeed, LongPollAnswersSoonAfterAnOlderTransactionReleasesTheHorizon) {
  std::string after = httpGet(port_, "/api/v1/events?after=0").json()["next"];
  pqxx::connection holder_connection(db_.url());
  auto holder = std::make_unique<pqxx::work>(holder_connection);
  holder->exec("SELECT txid_current()");  // an xid older than the event's: the horizon

  std::chrono::steady_clock::time_point released;
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    db::TicketStore store(db_.url());
    commitNewTicket(store, "hidden");  // notified, but not visible to the feed yet
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    holder->abort();
    released = std::chrono::steady_clock::now();
  });
  auto woken = httpGet(port_, "/api/v1/events?after=" + after + "&wait=30").json();
  auto answered = std::chrono::steady_clock::now();
  writer.join();
  ASSERT_EQ(woken["events"].size(), 2u) << woken.dump();
  EXPECT_GE(answered, released);
  EXPECT_LT(answered - released, std::chrono::milliseconds(1500))
      << "looked again after the notification, not only at the 5-second fallback";
}

TEST_F(ApiFeed, LongPollWakesUpWhenAnEventIsCommitted) {
  auto start = httpGet(port_, "/api/v1/events?after=0").json();
  std::string after = start["next"];
  // Nothing to wait for: answers empty after the wait.
  auto t0 = std::chrono::steady_clock::now();
  auto empty = httpGet(port_, "/api/v1/events?after=" + after + "&wait=1").json();
  EXPECT_TRUE(empty["events"].empty());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(900));

  std::chrono::steady_clock::time_point committed;
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    db::TicketStore store(db_.url());
    commitNewTicket(store, "wake");
    committed = std::chrono::steady_clock::now();
  });
  auto t1 = std::chrono::steady_clock::now();
  auto woken = httpGet(port_, "/api/v1/events?after=" + after + "&wait=30").json();
  auto answered = std::chrono::steady_clock::now();
  writer.join();
  ASSERT_EQ(woken["events"].size(), 2u) << woken.dump();
  EXPECT_GE(answered - t1, std::chrono::milliseconds(1400));
  // Woken by NOTIFY, not by the 5-second fallback poll.
  EXPECT_LT(answered - committed, std::chrono::milliseconds(2000));
}

}  // namespace
}  // namespace hd::test
