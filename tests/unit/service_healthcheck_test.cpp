// --healthcheck without a URL: the URL comes from http.listen of the configuration.

#include "service/healthcheck.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "service/config.hpp"

namespace hd::service {
namespace {

TEST(HealthzUrl, AConcreteHostIsUsedAsItIs) {
  EXPECT_EQ(healthzUrl("127.0.0.1", 9123), "http://127.0.0.1:9123/healthz");
  EXPECT_EQ(healthzUrl("localhost", 8080), "http://localhost:8080/healthz");
}

TEST(HealthzUrl, AWildcardHostIsReachedOverLoopback) {
  EXPECT_EQ(healthzUrl("0.0.0.0", 8081), "http://127.0.0.1:8081/healthz");
  EXPECT_EQ(healthzUrl("::", 8082), "http://[::1]:8082/healthz");
}

TEST(HealthzUrl, AnIpv6LiteralGetsItsBracketsBack) {
  EXPECT_EQ(healthzUrl("::1", 80), "http://[::1]:80/healthz");
  EXPECT_EQ(healthzUrl("fd00::5", 8080), "http://[fd00::5]:8080/healthz");
}

class HealthcheckUrl : public ::testing::Test {
 protected:
  std::string write(const std::string& http) {
    std::ofstream(path_) << R"({"database": {"url": "postgresql://x"}, "http": )" << http
                         << R"(, "mailboxes": [{"name": "a", "host": "h", "username": "u",
                               "password": "p"}]})";
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::filesystem::path path_ = std::filesystem::temp_directory_path() /
                                ("hd-healthcheck-" + std::to_string(::getpid()) + ".json");
};

TEST_F(HealthcheckUrl, AGivenUrlWinsWithoutReadingTheConfiguration) {
  EXPECT_EQ(healthcheckUrl("http://10.0.0.1:1/x", "/nonexistent/config.json"),
            "http://10.0.0.1:1/x");
}

TEST_F(HealthcheckUrl, FollowsTheConfiguredListenAddress) {
  EXPECT_EQ(healthcheckUrl("", write(R"({"listen": "0.0.0.0:9090"})")),
            "http://127.0.0.1:9090/healthz");
  EXPECT_EQ(healthcheckUrl("", write(R"({"listen": "[::]:9091"})")), "http://[::1]:9091/healthz");
}

TEST_F(HealthcheckUrl, TheDefaultListenAddressWhenTheConfigurationHasNone) {
  EXPECT_EQ(healthcheckUrl("", write("{}")), "http://127.0.0.1:8080/healthz");
}

TEST_F(HealthcheckUrl, PortZeroCannotBeCheckedAndNamesTheKey) {
  try {
    healthcheckUrl("", write(R"({"listen": "127.0.0.1:0"})"));
    FAIL() << "port 0 was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "http.listen");
  }
}

TEST_F(HealthcheckUrl, AMissingConfigurationIsAConfigError) {
  EXPECT_THROW(healthcheckUrl("", "/nonexistent/helpdesk-ingest.json"), ConfigError);
}

}  // namespace
}  // namespace hd::service
