// The event feed across a database restore (pg_dump | psql into another database, as an operator
// moving the service would do): a cursor handed out by the old database gets 409 with a resync
// hint instead of silently hiding every new event, reading from the start returns the old events
// in their old order, and events written after the move follow them. The move to a cluster whose
// transaction ids are lower than the old ones is reproduced by giving the restored events ids from
// the "future".

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "tests/integration/api_test_support.hpp"

namespace hd::test {
namespace {

std::string pgTool(const std::string& name) {
  const std::string versioned = "/usr/lib/postgresql/15/bin/" + name;
  return std::filesystem::exists(versioned) ? versioned : name;
}

// Copies schema and rows of `from` into the empty database `to`, as a restore does.
void dumpAndRestore(const ScratchDatabase& from, const ScratchDatabase& to) {
  const std::string command = pgTool("pg_dump") + " --no-owner --dbname='" + from.url() + "' | " +
                              pgTool("psql") + " -q -v ON_ERROR_STOP=1 --dbname='" + to.url() +
                              "' >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

class Service {
 public:
  Service(const ScratchDatabase& db, const TestMailbox& box)
      : config_(apiConfigJson(db.url(), box.user(), R"("api_token": ")" + kApiToken + R"(")", "",
                              3600)),
        process_({"--config", config_.path()}),
        port_(waitForPort(process_)) {}
  ~Service() {
    process_.signal(SIGTERM);
    process_.wait(40);
  }
  int port() const { return port_; }
  ServiceProcess& process() { return process_; }

 private:
  TempFile config_;
  ServiceProcess process_;
  int port_;
};

std::vector<std::string> eventKeys(const nlohmann::json& page) {
  std::vector<std::string> keys;
  for (const auto& event : page["events"]) {
    keys.push_back(event["type"].get<std::string>() + "#" + event["ticket_id"].dump() + "#" +
                   event["message_id"].dump());
  }
  return keys;
}

TEST(ApiFeedGeneration, CursorOfTheOldDatabaseIsRefusedAndTheRestoredFeedResumes) {
  ScratchDatabase old_db;
  TestMailbox box{"feedgen"};
  db::TicketStore old_store(old_db.url());
  old_store.migrate();
  commitNewTicket(old_store, "before-1");
  commitNewTicket(old_store, "before-2");

  std::string old_cursor, legacy_cursor;
  std::vector<std::string> old_events;
  {
    Service old_service(old_db, box);
    const auto page = eventsOnceVisible(old_service.port(), "after=0", 4);
    ASSERT_EQ(page["events"].size(), 4u) << page.dump();
    old_events = eventKeys(page);
    old_cursor = page["next"].get<std::string>();
    ASSERT_EQ(old_cursor[0], 'd');
    // The same position as a client saved it before cursors carried a generation.
    legacy_cursor = "c" + old_cursor.substr(17);
    const auto legacy = httpGet(old_service.port(), "/api/v1/events?after=" + legacy_cursor);
    EXPECT_EQ(legacy.status, 200) << legacy.body;  // nothing was moved: still good here
    EXPECT_TRUE(legacy.json()["events"].empty());
  }

  ScratchDatabase new_db;
  dumpAndRestore(old_db, new_db);
  // Another cluster's transaction ids: the restored events look far ahead of this cluster's.
  new_db.scalar(
      "UPDATE events SET xid = (pg_current_xact_id()::text::bigint + 1000000)::text::xid8");

  Service service(new_db, box);
  for (const std::string& cursor : {old_cursor, legacy_cursor}) {
    const auto stale = httpGet(service.port(), "/api/v1/events?after=" + cursor);
    EXPECT_EQ(stale.status, 409) << cursor << ": " << stale.body;
    EXPECT_EQ(stale.json()["resync"], true) << stale.body;
  }
  waitForLog(service.process(), "restored or moved");
  EXPECT_EQ(new_db.scalar("SELECT rebased_at IS NOT NULL FROM feed_generation"), "t");

  // From the start: the old events, in their old order, then what is written after the move.
  const auto again = eventsOnceVisible(service.port(), "after=0", 4);
  EXPECT_EQ(eventKeys(again), old_events);
  const std::string resumed = again["next"].get<std::string>();
  EXPECT_NE(resumed, old_cursor);

  db::TicketStore new_store(new_db.url());
  commitNewTicket(new_store, "after-1");
  const auto next = eventsOnceVisible(service.port(), "after=" + resumed, 2);
  ASSERT_EQ(next["events"].size(), 2u) << next.dump();
  EXPECT_EQ(next["events"][0]["type"], "ticket.created");
  EXPECT_EQ(next["events"][1]["type"], "message.added");
  // And a reader starting over sees all six, the new ones last.
  const auto all = eventsOnceVisible(service.port(), "after=0", 6);
  ASSERT_EQ(all["events"].size(), 6u) << all.dump();
  const auto keys = eventKeys(all);
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 4), old_events);
}

TEST(ApiFeedGeneration, LegacyCursorAheadOfTheDatabaseIsRefused) {
  ScratchDatabase db;
  TestMailbox box{"feedgen"};
  db::TicketStore(db.url()).migrate();
  Service service(db, box);
  // A cursor without generation whose transaction id this database has not reached: it can only
  // come from another database.
  const auto answer =
      httpGet(service.port(), "/api/v1/events?after=c00000fffffffffff0000000000000001");
  EXPECT_EQ(answer.status, 409) << answer.body;
}

}  // namespace
}  // namespace hd::test
