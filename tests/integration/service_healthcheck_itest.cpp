// `helpdesk-ingest --healthcheck` (the image's HEALTHCHECK) against a running service: without a
// URL it follows the http.listen of the configuration it is given, so a service on any port is
// checked where it listens; the URL forms (`--healthcheck URL`, `--healthcheck=URL`) still work.

#include <Poco/Net/ServerSocket.h>

#include <csignal>
#include <filesystem>

#include "service/healthcheck.hpp"
#include "tests/integration/api_test_support.hpp"

namespace hd::test {
namespace {

// A port nothing listens on right now (bound and released at once).
int freeLoopbackPort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  return socket.address().port();
}

std::string configOnPort(const ScratchDatabase& db, const TestMailbox& box, int port) {
  std::string config = apiConfigJson(db.url(), box.user(), "");
  const std::string any_port = "127.0.0.1:0";
  return config.replace(config.find(any_port), any_port.size(),
                        "127.0.0.1:" + std::to_string(port));
}

TEST(ServiceHealthcheck, WithoutAUrlItChecksTheConfiguredListenPort) {
  ScratchDatabase db;
  TestMailbox box{"health"};
  const int port = freeLoopbackPort();
  TempFile config(configOnPort(db, box, port));
  ServiceProcess service({"--config", config.path()});
  ASSERT_EQ(waitForPort(service), port);

  auto health = runService({"--healthcheck", "--config", config.path()}, {}, 30);
  EXPECT_EQ(health.exit_code, 0) << health.output;

  // The same probe with a configuration naming another port fails: the port is read, not assumed.
  TempFile elsewhere(configOnPort(db, box, freeLoopbackPort()));
  auto refused = runService({"--healthcheck", "--config", elsewhere.path()}, {}, 30);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("/healthz"), std::string::npos) << refused.output;

  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  EXPECT_EQ(runService({"--healthcheck", url}, {}, 30).exit_code, 0);
  EXPECT_EQ(runService({"--healthcheck=" + url}, {}, 30).exit_code, 0);

  service.signal(SIGTERM);
  EXPECT_EQ(service.wait(40).exit_code, 0);
  auto stopped = runService({"--healthcheck", "--config", config.path()}, {}, 30);
  EXPECT_EQ(stopped.exit_code, 1) << "the service is stopped: " << stopped.output;
}

TEST(ServiceHealthcheck, WithoutConfigItReadsTheImagesConfigurationPath) {
  if (std::filesystem::exists(service::kDefaultConfigPath))
    GTEST_SKIP() << service::kDefaultConfigPath << " exists on this machine";
  auto result = runService({"--healthcheck"}, {}, 30);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find(service::kDefaultConfigPath), std::string::npos) << result.output;
}

TEST(ServiceHealthcheck, AListenPortOfZeroIsAnErrorNamingTheKeyNotExitCode2) {
  ScratchDatabase db;
  TestMailbox box{"health"};
  TempFile config(apiConfigJson(db.url(), box.user(), ""));
  auto result = runService({"--healthcheck", "--config", config.path()}, {}, 30);
  // Docker reserves exit code 2 of a HEALTHCHECK command.
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("http.listen"), std::string::npos) << result.output;
}

TEST(ServiceHealthcheck, AFailedProbeDoesNotEchoThePasswordOfTheUrl) {
  const std::string url =
      "http://probe:s3cret-pass@127.0.0.1:" + std::to_string(freeLoopbackPort()) + "/healthz";
  auto result = runService({"--healthcheck", url}, {}, 30);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("127.0.0.1"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("s3cret-pass"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace hd::test
