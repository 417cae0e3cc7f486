// The real binary with configurations that used to leak the database password (into the log,
// stderr and /status) or end in exit 70: each now stops with exit 2 naming the key, and the
// password appears nowhere in what the process printed.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/api_test_support.hpp"

namespace hd::test {
namespace {

const std::string kPassword = "Leak-8f3d61";

std::string mailboxes() {
  return R"("mailboxes": [{"name": "support", "host": "127.0.0.1", "port": 1, "username": "u",
              "password": "mail-pw", "poll_interval_seconds": 1}])";
}

std::string withUrl(const std::string& url) {
  return R"({"database": {"url": ")" + url + R"("}, "http": {"listen": "127.0.0.1:0"},
    "backoff": {"initial_seconds": 1, "max_seconds": 1}, )" +
         mailboxes() + "}";
}

// Runs the service on `config`; when it comes up anyway (current behaviour before the fix), also
// reads /status. Returns everything it printed plus the /status body.
struct Outcome {
  int exit_code = -1;
  std::string printed;
};

Outcome run(const std::string& config_text) {
  TempFile config(config_text);
  ServiceProcess service({"--config", config.path()});
  Outcome outcome;
  std::string status;
  for (int i = 0; i < 50 && service.running(); ++i) {
    std::smatch port;
    const std::string output = service.output();
    if (std::regex_search(output, port, std::regex(R"(listening on 127\.0\.0\.1:(\d+))"))) {
      std::this_thread::sleep_for(std::chrono::seconds(3));  // a pass fails meanwhile
      try {
        status = httpCall(std::stoi(port[1].str()), "GET", "/status", "").body;
      } catch (const std::exception& e) {
        status = e.what();
      }
      service.signal(SIGTERM);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto result = service.wait(40);
  outcome.exit_code = result.exit_code;
  outcome.printed = service.output() + "\n/status: " + status;
  return outcome;
}

void expectRefusedWithoutPassword(const Outcome& outcome, const std::string& key) {
  EXPECT_EQ(outcome.exit_code, 2) << outcome.printed;
  EXPECT_NE(outcome.printed.find(key), std::string::npos) << outcome.printed;
  EXPECT_EQ(outcome.printed.find(kPassword), std::string::npos) << outcome.printed;
  // Not even a prefix of it (nlohmann quoted the text up to the error).
  EXPECT_EQ(outcome.printed.find(kPassword.substr(0, 6)), std::string::npos) << outcome.printed;
}

TEST(ConfigSecrets, MalformedIpv6DatabaseUrl) {
  expectRefusedWithoutPassword(run(withUrl("postgresql://u:" + kPassword + "@[::1/db")),
                               "database.url");
}

TEST(ConfigSecrets, BadPercentEncodingInThePassword) {
  expectRefusedWithoutPassword(run(withUrl("postgresql://u:" + kPassword + "%ZZ@127.0.0.1:1/db")),
                               "database.url");
}

TEST(ConfigSecrets, JsonSyntaxErrorAfterThePassword) {
  expectRefusedWithoutPassword(run(R"({"database": {"url": "postgresql://u:)" + kPassword +
                                   R"(@127.0.0.1:1/db" x},)" + mailboxes() + "}"),
                               "not valid JSON at line");
  expectRefusedWithoutPassword(run(R"({"database": {"url": "postgresql://u:)" + kPassword +
                                   R"(\q@127.0.0.1:1/db"},)" + mailboxes() + "}"),
                               "not valid JSON at line");
}

TEST(ConfigSecrets, UnterminatedCommentBeforeThePassword) {
  expectRefusedWithoutPassword(
      run("{ /* the database:\n" + withUrl("postgresql://u:" + kPassword + "@127.0.0.1:1/db")),
      "not valid JSON at line");
}

TEST(ConfigSecrets, UnreachableDatabaseKeepsThePasswordOffStatusAndTheLog) {
  // A valid URL the service accepts, to a database that is not there: the service runs, reports the
  // failure on /status (served without a token by default) and in the log, never the password.
  const Outcome outcome = run(withUrl("postgresql://u:" + kPassword + "@127.0.0.1:1/db"));
  EXPECT_NE(outcome.printed.find("/status: {"), std::string::npos) << outcome.printed;
  EXPECT_NE(outcome.printed.find(R"("state": "failing")"), std::string::npos) << outcome.printed;
  EXPECT_NE(outcome.printed.find("port 1 failed"), std::string::npos) << outcome.printed;
  EXPECT_EQ(outcome.printed.find(kPassword), std::string::npos) << outcome.printed;
  EXPECT_EQ(outcome.printed.find(kPassword.substr(0, 6)), std::string::npos) << outcome.printed;
}

TEST(ConfigSecrets, NumberOverflowAndDeviceSecretFileAreConfigErrors) {
  const Outcome overflow = run(R"({"database": {"url": "postgresql://u@127.0.0.1:1/db"},
    "mailboxes": [{"name": "support", "host": "h", "port": 1e400, "username": "u",
    "password": "p"}]})");
  EXPECT_EQ(overflow.exit_code, 2) << overflow.printed;
  EXPECT_NE(overflow.printed.find("mailboxes[0].port"), std::string::npos) << overflow.printed;

  const Outcome device = run(R"({"database": {"url": "postgresql://u@127.0.0.1:1/db"},
    "mailboxes": [{"name": "support", "host": "h", "username": "u",
    "password_file": "/dev/zero"}]})");
  EXPECT_EQ(device.exit_code, 2) << device.printed;
  EXPECT_NE(device.printed.find("mailboxes[0].password_file"), std::string::npos) << device.printed;
}

}  // namespace
}  // namespace hd::test
