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
  auto keyOf = [](const std::string& http) {
    try {
      parseConfig(configWithHttp(http), kNoEnv);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(keyOf(R"({"api_token": "a", "api_token_file": "b"})"), "http.api_token");
  EXPECT_EQ(keyOf(R"({"api_token_file": "/nonexistent/token"})"), "http.api_token_file");
  EXPECT_EQ(keyOf(R"({"protect_status": "yes"})"), "http.protect_status");
  EXPECT_EQ(keyOf(R"({"api_token": "same", "api_read_token": "same"})"), "http.api_read_token");
  EXPECT_EQ(keyOf(R"({"api_token": "a", "api_read_token": "b"})"), "(accepted)");
  EXPECT_EQ(keyOf(R"({"protect_everything": true})"), "http.protect_everything");
}

}  // namespace
}  // namespace hd::service
