// Configuration errors never show a secret: JSON syntax errors report line and column only,
// malformed database URLs are refused without quoting them, and secret files are bounded regular
// files. Every such error is a ConfigError naming the key.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "connectors/net/redact.hpp"
#include "service/config.hpp"

namespace hd::service {
namespace {

const EnvLookup kNoEnv = [](const std::string&) -> std::optional<std::string> {
  return std::nullopt;
};

const std::string kPassword = "Pw-7c1e9a";

std::string config(const std::string& database_url, const std::string& mailbox_extra = "") {
  return R"({"database": {"url": ")" + database_url +
         R"("}, "mailboxes": [{"name": "a", "host": "h", "username": "u")" + mailbox_extra + "}]}";
}

ConfigError errorOf(const std::string& json, const std::string& base_dir = ".") {
  try {
    parseConfig(json, kNoEnv, base_dir);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << json;
  return ConfigError("", "");
}

TEST(ConfigSecrets, MalformedDatabaseUrlIsRefusedWithoutQuotingIt) {
  for (const std::string& url :
       {"postgresql://u:" + kPassword + "@[::1/db",
        "postgresql://u:" + kPassword + "%ZZ@localhost/db", "host=localhost " + kPassword}) {
    const auto error = errorOf(config(url, R"(, "password": "p")"));
    EXPECT_EQ(error.key(), "database.url") << url;
    EXPECT_EQ(std::string(error.what()).find(kPassword.substr(0, 5)), std::string::npos)
        << error.what();
  }
  const auto error =
      errorOf(config("postgresql://u:" + kPassword + "@[::1/db", R"(, "password": "p")"));
  EXPECT_NE(std::string(error.what()).find("IPv6"), std::string::npos) << error.what();
}

TEST(ConfigSecrets, JsonSyntaxErrorNamesLineAndColumnNotTheText) {
  // A bad escape right after the password: nlohmann would quote '"Pw-7c1e9a\q'.
  const std::string after =
      "{\n  \"database\": {\"url\": \"postgresql://x\"},\n  \"mailboxes\": [{"
      "\"password\": \"" +
      kPassword + "\\q\"}]\n}";
  auto error = errorOf(after);
  EXPECT_EQ(error.key(), "(file)");
  EXPECT_NE(std::string(error.what()).find("line 3, column"), std::string::npos) << error.what();
  EXPECT_EQ(std::string(error.what()).find(kPassword.substr(0, 3)), std::string::npos)
      << error.what();
  // An unterminated comment before the password made nlohmann print the rest of the file.
  error = errorOf("{\"log\": {} /* note\n\"database\": {\"url\": \"postgresql://u:" + kPassword +
                  "@h/db\"}}");
  EXPECT_NE(std::string(error.what()).find("line 2, column"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("comment"), std::string::npos) << error.what();
  EXPECT_EQ(std::string(error.what()).find(kPassword.substr(0, 3)), std::string::npos)
      << error.what();
  EXPECT_EQ(std::string(error.what()).find("database"), std::string::npos) << error.what();
}

TEST(ConfigSecrets, NumberOverflowNamesTheKey) {
  auto error = errorOf(config("postgresql://x", R"(, "password": "p", "port": 1e400)"));
  EXPECT_EQ(error.key(), "mailboxes[0].port") << error.what();
  error = errorOf(config("postgresql://x", R"(, "password": "p", "port": -1e999)"));
  EXPECT_EQ(error.key(), "mailboxes[0].port") << error.what();
  error = errorOf(R"({"limits": {"max_parts": 1)" + std::string(400, '0') + "}}");
  EXPECT_EQ(error.key(), "limits.max_parts") << error.what();
}

TEST(ConfigSecrets, NumberOverflowInsideBrokenJsonIsAConfigError) {
  // Found by config_loader_fuzz: the lexer overflowed on the number before it reached the syntax
  // error, and nlohmann's out_of_range escaped as exit 70.
  const std::string fuzz_input = R"({"d_f44<44444$444444444{name_le{ne":916610.4e44444.0{n224)";
  const auto error = errorOf(fuzz_input);
  // The key is not one of ours, so it is not printed (it could be a misplaced secret).
  EXPECT_EQ(error.key(), "(key)") << error.what();
  EXPECT_NE(std::string(error.what()).find("number out of range"), std::string::npos)
      << error.what();
  EXPECT_EQ(std::string(error.what()).find("d_f44"), std::string::npos) << error.what();
}

class SecretFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("hd_secret_files_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content, mode_t mode) {
    const auto path = dir_ / name;
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
    return path.string();
  }

  Config parse(const std::string& password_file) {
    return parseConfig(config("postgresql://x", R"(, "password_file": ")" + password_file + "\""),
                       kNoEnv, dir_.string());
  }

  std::filesystem::path dir_;
};

TEST_F(SecretFiles, DevicesDirectoriesAndLargeFilesAreRefusedNamingTheKey) {
  const std::string large = write("large", std::string(kMaxSecretFileBytes + 1, 'x'), 0600);
  for (const std::string& file :
       {std::string("/dev/zero"), dir_.string(), large, (dir_ / "missing").string()}) {
    try {
      parse(file);
      ADD_FAILURE() << "accepted " << file;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "mailboxes[0].password_file") << file << ": " << e.what();
    }
  }
}

TEST_F(SecretFiles, ASymlinkToARegularFileIsFineAndAWorldReadableFileIsWarnedAbout) {
  // Kubernetes secret volumes: name -> ..data/name -> the file.
  write("real", kPassword + "\n", 0600);
  std::filesystem::create_symlink(dir_ / "real", dir_ / "link");
  auto config = parse("link");
  EXPECT_EQ(config.mailboxes[0].password, kPassword);
  EXPECT_TRUE(config.warnings.empty());

  write("open", kPassword + "\n", 0644);
  config = parse("open");
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_NE(config.warnings[0].find("mailboxes[0].password_file"), std::string::npos);
  EXPECT_EQ(config.warnings[0].find(kPassword), std::string::npos);
}

TEST_F(SecretFiles, SecretsReadFromTheConfigAreMaskedInErrorTexts) {
  write("pw", "Zq-4411-secret\n", 0600);
  parse("pw");
  EXPECT_EQ(net::redactSecrets("server said Zq-4411-secret"), "server said <redacted>");
}

TEST(ConfigFile, ADeviceIsRefusedAsTheConfigFile) {
  try {
    loadConfig("/dev/zero", kNoEnv);
    ADD_FAILURE() << "accepted /dev/zero";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "--config");
  }
}

}  // namespace
}  // namespace hd::service
