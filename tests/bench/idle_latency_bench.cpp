// Issue 10's IDLE figure: how long a message delivered while the service waits in IMAP IDLE
// takes to be committed, over several deliveries (median, min, max). The service runs as in
// production (no --once) with a 10-minute poll interval, so only IDLE can explain a short
// figure. Prints figures; asserts nothing about time.
//
//   idle_latency_bench [--deliveries N]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/bench_figures.hpp"
#include "tests/integration/api_test_support.hpp"
#include "tests/support/sample_mail.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/test_env.hpp"

using namespace hd::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kPollSeconds = 600;

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds step) {
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(step);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) try {
  int deliveries = 10;
  if (argc == 3 && std::string(argv[1]) == "--deliveries") deliveries = std::stoi(argv[2]);
  ScratchDatabase db;
  TestMailbox box("idlebench");
  box.deliver(makeSampleMessage(0));
  TempFile config(apiConfigJson(db.url(), box.user(), "", "", kPollSeconds));
  ServiceProcess service({"--config", config.path()});
  const int port = waitForPort(service);
  if (port == 0 || !waitFor([&] { return storedMessages(db) == 1 && idleOnStatus(port); },
                            std::chrono::milliseconds(100))) {
    std::cerr << "idle_latency_bench: the service did not store the first message and idle\n"
              << service.output();
    return 2;
  }
  std::vector<double> latencies_ms;
  for (int i = 1; i <= deliveries; ++i) {
    // After each wake-up the worker runs a pass and goes back to IDLE: deliver only then.
    if (!waitFor([&] { return idleOnStatus(port); }, std::chrono::milliseconds(20))) break;
    const auto delivered = Clock::now();
    box.deliver(makeSampleMessage(i));
    if (!waitFor([&] { return storedMessages(db) == i + 1; }, std::chrono::milliseconds(5))) break;
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - delivered).count());
  }
  if (static_cast<int>(latencies_ms.size()) != deliveries) {
    std::cerr << "idle_latency_bench: only " << latencies_ms.size() << " of " << deliveries
              << " deliveries were committed\n"
              << service.output();
    return 1;
  }
  std::vector<double> sorted = latencies_ms;
  std::sort(sorted.begin(), sorted.end());
  const double median = hd::bench::median(latencies_ms);
  std::printf(
      "IMAP IDLE: delivery to commit over %d deliveries (poll interval %d s): median %.0f ms, "
      "min %.0f ms, max %.0f ms (target: median < 1000 ms)\n",
      deliveries, kPollSeconds, median, sorted.front(), sorted.back());
  return 0;
} catch (const std::exception& e) {
  std::cerr << "idle_latency_bench: " << e.what() << "\n";
  return 2;
}
