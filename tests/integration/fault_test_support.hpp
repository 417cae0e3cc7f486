#pragma once
// Shared by the fault tests (fault_*_itest.cpp): progress and state read from outside the service,
// waiting on a condition, and the control scripts of the fault servers (HD_TEST_FAULT_*_CTL).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "tests/integration/api_test_support.hpp"

namespace hd::test::fault {

using test::storedMessages;

// Polls `condition` every 50 ms for up to `seconds`; true once it held.
template <typename Condition>
bool eventually(int seconds, Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The first mailbox's state on /status ("ok", "failing", ...), or why there is none.
inline std::string mailboxState(int port) {
  try {
    const auto status = nlohmann::json::parse(httpGet(port, "/status").body);
    return status.at("mailboxes").at(0).at("state").get<std::string>();
  } catch (const std::exception& e) {
    return std::string("(no status: ") + e.what() + ")";
  }
}

// Stops a fault server with its control script (`stop`) and starts it again when the test is
// over, also when a failed assertion ends it early, so later tests find the server running.
class StoppedServer {
 public:
  explicit StoppedServer(std::string control_script) : script_(std::move(control_script)) {
    run("stop");
  }
  ~StoppedServer() {
    if (stopped_) std::system((script_ + " start >/dev/null 2>&1").c_str());
  }
  StoppedServer(const StoppedServer&) = delete;
  StoppedServer& operator=(const StoppedServer&) = delete;

  void start() { run("start"); }

 private:
  void run(const std::string& action) {
    const std::string command = script_ + " " + action + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    stopped_ = action == "stop";
  }

  std::string script_;
  bool stopped_ = false;
};

}  // namespace hd::test::fault
