// The "http" section of the configuration: API token (inline or from a file) and which of
// /status and /metrics need it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "service/config.hpp"

namespace hd::service {
namespace {

std::string configWithHttp(const std::string& http) {
  return R"({"database": {"url": "postgresql://x"}, "http": )" + http +
         R"(, "mailboxes": [{"name": "a", "host": "h", "username": "u", "password": "p"}]})";
}

const EnvLookup kNoEnv = [](const std::string&) -> std::optional<std::string> {
  return std::nullopt;
};

// The key of the ConfigError for this "http" section, or "(accepted)".
std::string keyOf(const std::string& http) {
  try {
    parseConfig(configWithHttp(http), kNoEnv);
  } catch (const ConfigError& e) {
    return e.key();
  }
  return "(accepted)";
}

TEST(HttpConfig, DefaultsLeaveTheApiClosedAndStatusOpen) {
  auto config = parseConfig(configWithHttp("{}"), kNoEnv);
  EXPECT_TRUE(config.api_token.empty());
  EXPECT_FALSE(config.protect_status);
  EXPECT_FALSE(config.protect_metrics);
}

TEST(HttpConfig, TokenFromAFileWithoutItsTrailingNewline) {
  auto dir =
      std::filesystem::temp_directory_path() / ("hd_http_config_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "s3cret\n";
  auto config = parseConfig(
      configWithHttp(
          R"({"api_token_file": "token", "protect_status": true, "protect_metrics": true})"),
      kNoEnv, dir.string());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(config.api_token, "s3cret");
  EXPECT_TRUE(config.protect_status);
  EXPECT_TRUE(config.protect_metrics);
}

TEST(HttpConfig, BadValuesNameTheKey) {
  EXPECT_EQ(keyOf(R"({"api_token": "a", "api_token_file": "b"})"), "http.api_token");
  EXPECT_EQ(keyOf(R"({"api_token_file": "/nonexistent/token"})"), "http.api_token_file");
  EXPECT_EQ(keyOf(R"({"protect_status": "yes"})"), "http.protect_status");
  EXPECT_EQ(keyOf(R"({"api_token": "same", "api_read_token": "same"})"), "http.api_read_token");
  EXPECT_EQ(keyOf(R"({"api_token": "a", "api_read_token": "b"})"), "(accepted)");
  EXPECT_EQ(keyOf(R"({"protect_everything": true})"), "http.protect_everything");
}

TEST(HttpConfig, EdgeLimitsHaveDefaultsAndBounds) {
  auto config = parseConfig(configWithHttp("{}"), kNoEnv);
  EXPECT_EQ(config.http_edge.threads, 16);
  EXPECT_EQ(config.http_edge.max_long_polls, 8);
  EXPECT_EQ(config.http_edge.request_timeout, std::chrono::seconds(10));
  EXPECT_EQ(config.http_edge.max_pending_connections, 256u);
  config = parseConfig(configWithHttp(R"({"threads": 6, "request_timeout_seconds": 3,
                                          "max_pending_connections": 1000})"),
                       kNoEnv);
  EXPECT_EQ(config.http_edge.threads, 6);
  EXPECT_EQ(config.http_edge.max_long_polls, 3);  // half of the threads unless given
  EXPECT_EQ(config.http_edge.request_timeout, std::chrono::seconds(3));
  EXPECT_EQ(config.http_edge.max_pending_connections, 1000u);

  EXPECT_EQ(keyOf(R"({"threads": 1})"), "http.threads");
  EXPECT_EQ(keyOf(R"({"threads": "8"})"), "http.threads");
  EXPECT_EQ(keyOf(R"({"threads": 1e400})"), "http.threads");
  // Long polls must leave at least one thread for everything else.
  EXPECT_EQ(keyOf(R"({"threads": 4, "max_long_polls": 4})"), "http.max_long_polls");
  EXPECT_EQ(keyOf(R"({"threads": 4, "max_long_polls": 0})"), "(accepted)");
  EXPECT_EQ(keyOf(R"({"request_timeout_seconds": 0})"), "http.request_timeout_seconds");
  EXPECT_EQ(keyOf(R"({"max_pending_connections": 1})"), "http.max_pending_connections");
}

}  // namespace
}  // namespace hd::service
