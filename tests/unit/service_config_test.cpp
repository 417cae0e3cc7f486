#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "service/config.hpp"

namespace hd::service {
namespace {

EnvLookup fakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string withMailbox(const std::string& mailbox_fields, const std::string& top_fields = "") {
  return R"({ "database": {"url": "postgresql://u@127.0.0.1/db"}, )" + top_fields +
         R"( "mailboxes": [{"name": "support", "host": "imap.example.com", "username": "u", "password": "p")" +
         mailbox_fields + "}]}";
}

// Parses and returns the key of the ConfigError (or "" when the config is accepted).
std::string errorKey(const std::string& json, const EnvLookup& env = fakeEnv({})) {
  try {
    parseConfig(json, env);
    return "";
  } catch (const ConfigError& e) {
    return e.key();
  }
}

TEST(Config, MinimalImapMailboxGetsSafeDefaults) {
  Config config = parseConfig(withMailbox(""), fakeEnv({}));
  ASSERT_EQ(config.mailboxes.size(), 1u);
  const auto& box = config.mailboxes[0];
  EXPECT_EQ(box.protocol, Protocol::kImap);
  EXPECT_EQ(box.endpoint.port, 993);
  EXPECT_EQ(box.endpoint.tls, net::TlsMode::kImplicit);
  EXPECT_EQ(box.folder, "INBOX");
  EXPECT_EQ(box.after_ingest.action, source::AfterIngest::Action::kSeen);
  EXPECT_EQ(box.poll_interval, std::chrono::seconds(60));
  EXPECT_EQ(config.http_host, "127.0.0.1");
  EXPECT_EQ(config.http_port, 8080);
  EXPECT_EQ(config.ticket_prefix, "HD-");
}

TEST(Config, Pop3DefaultsToDeleteAndPort995) {
  Config config = parseConfig(withMailbox(R"(, "protocol": "pop3")"), fakeEnv({}));
  EXPECT_EQ(config.mailboxes[0].endpoint.port, 995);
  EXPECT_EQ(config.mailboxes[0].after_ingest.action, source::AfterIngest::Action::kDelete);
}

TEST(Config, IdleIsOnForImapByDefaultAndRefusedForPop3) {
  EXPECT_TRUE(parseConfig(withMailbox(""), fakeEnv({})).mailboxes[0].idle);
  EXPECT_FALSE(parseConfig(withMailbox(R"(, "idle": false)"), fakeEnv({})).mailboxes[0].idle);
  EXPECT_FALSE(parseConfig(withMailbox(R"(, "protocol": "pop3")"), fakeEnv({})).mailboxes[0].idle);
  EXPECT_EQ(errorKey(withMailbox(R"(, "protocol": "pop3", "idle": true)")), "mailboxes[0].idle");
  EXPECT_EQ(errorKey(withMailbox(R"(, "idle": "yes")")), "mailboxes[0].idle");
}

TEST(Config, StartTlsDefaultsToPort143) {
  Config config = parseConfig(withMailbox(R"(, "tls": "starttls")"), fakeEnv({}));
  EXPECT_EQ(config.mailboxes[0].endpoint.port, 143);
}

TEST(Config, MoveTakesAFolder) {
  Config config = parseConfig(withMailbox(R"(, "after_ingest": "move:Done Items")"), fakeEnv({}));
  EXPECT_EQ(config.mailboxes[0].after_ingest.action, source::AfterIngest::Action::kMove);
  EXPECT_EQ(config.mailboxes[0].after_ingest.folder, "Done Items");
}

TEST(Config, CommentsAreAllowed) {
  std::string json = "// helpdesk\n" + withMailbox(R"(, "tls": "implicit" // the default)"
                                                   "\n");
  EXPECT_NO_THROW(parseConfig(json, fakeEnv({})));
}

TEST(Config, UnknownKeysAreRefusedByPath) {
  EXPECT_EQ(errorKey(withMailbox(R"(, "pasword": "x")")), "mailboxes[0].pasword");
  EXPECT_EQ(errorKey(withMailbox("", R"("htttp": {},)")), "htttp");
  EXPECT_EQ(errorKey(withMailbox("", R"("http": {"listen": "0.0.0.0:80", "x": 1},)")), "http.x");
}

TEST(Config, BadValuesNameTheKey) {
  EXPECT_EQ(errorKey(withMailbox(R"(, "port": 70000)")), "mailboxes[0].port");
  EXPECT_EQ(errorKey(withMailbox(R"(, "port": "993")")), "mailboxes[0].port");
  EXPECT_EQ(errorKey(withMailbox(R"(, "tls": "maybe")")), "mailboxes[0].tls");
  EXPECT_EQ(errorKey(withMailbox(R"(, "after_ingest": "archive")")), "mailboxes[0].after_ingest");
  EXPECT_EQ(errorKey(withMailbox(R"(, "protocol": "pop3", "after_ingest": "seen")")),
            "mailboxes[0].after_ingest");
  EXPECT_EQ(errorKey(withMailbox(R"(, "name": "has space")")), "mailboxes[0].name");
  EXPECT_EQ(errorKey(withMailbox(R"(, "poll_interval_seconds": 0)")),
            "mailboxes[0].poll_interval_seconds");
  EXPECT_EQ(errorKey(withMailbox("", R"("http": {"listen": "nonsense"},)")), "http.listen");
  EXPECT_EQ(errorKey(R"({"mailboxes": []})"), "database");
  EXPECT_EQ(errorKey(R"({"database": {"url": "x"}, "mailboxes": []})"), "mailboxes");
  EXPECT_EQ(errorKey("{ not json"), "(file)");
}

// A silent server fails the pass after the read timeout (tests/integration/fault_network_itest):
// two minutes by default, its own key, and the older "timeout_seconds" still sets both timeouts.
TEST(Config, ReadTimeoutHasItsOwnKeyAndTimeoutSecondsStillSetsBoth) {
  const auto box = [](const std::string& fields) {
    return parseConfig(withMailbox(fields), fakeEnv({})).mailboxes[0].endpoint;
  };
  EXPECT_EQ(box("").read_timeout, std::chrono::seconds(120));
  EXPECT_EQ(box("").connect_timeout, std::chrono::seconds(30));
  EXPECT_EQ(box(R"(, "read_timeout_seconds": 5)").read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(box(R"(, "read_timeout_seconds": 5)").connect_timeout, std::chrono::seconds(30));
  EXPECT_EQ(box(R"(, "timeout_seconds": 7)").read_timeout, std::chrono::seconds(7));
  EXPECT_EQ(box(R"(, "timeout_seconds": 7)").connect_timeout, std::chrono::seconds(7));
  const auto both = box(R"(, "timeout_seconds": 7, "read_timeout_seconds": 5)");
  EXPECT_EQ(both.read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(both.connect_timeout, std::chrono::seconds(7));
}

TEST(Config, BadReadTimeoutsNameTheKey) {
  for (const char* value :
       {"0", "-1", "3601", "1e9", "2.5", "\"60\"", "true", "[60]", "99999999999999999999"}) {
    EXPECT_EQ(errorKey(withMailbox(std::string(R"(, "read_timeout_seconds": )") + value)),
              "mailboxes[0].read_timeout_seconds")
        << value;
  }
}

TEST(Config, PlainTextNeedsExplicitConsent) {
  EXPECT_EQ(errorKey(withMailbox(R"(, "tls": "none")")), "mailboxes[0].tls");
  EXPECT_EQ(errorKey(withMailbox(R"(, "tls": "none", "allow_insecure": true)")), "");
}

TEST(Config, DuplicateMailboxNamesAreRefused) {
  std::string json = R"({"database": {"url": "x"}, "mailboxes": [
      {"name": "a", "host": "h", "username": "u", "password": "p"},
      {"name": "a", "host": "h", "username": "u", "password": "p"}]})";
  EXPECT_EQ(errorKey(json), "mailboxes[1].name");
}

TEST(Config, EnvironmentReferencesAreExpanded) {
  std::string json = R"({"database": {"url": "postgresql://${DB_HOST}/db"}, "mailboxes": [
      {"name": "a", "host": "h", "username": "u", "password": "${MAIL_PW}x"}]})";
  Config config = parseConfig(json, fakeEnv({{"MAIL_PW", "s3cret"}, {"DB_HOST", "db.local"}}));
  EXPECT_EQ(config.mailboxes[0].password, "s3cretx");
  EXPECT_EQ(config.database_url, "postgresql://db.local/db");
  EXPECT_EQ(errorKey(withMailbox(R"(, "ca_file": "${NOPE}")")), "mailboxes[0].ca_file");
}

TEST(Config, SecretsCanComeFromFiles) {
  std::string path = testing::TempDir() + "hd_config_test_password";
  {
    std::ofstream out(path);
    out << "from-file\n";
  }
  std::string json =
      R"({"database": {"url_file": ")" + path +
      R"("}, "mailboxes": [{"name": "a", "host": "h", "username": "u", "password_file": ")" + path +
      R"("}]})";
  Config config = parseConfig(json, fakeEnv({}));
  EXPECT_EQ(config.mailboxes[0].password, "from-file");
  EXPECT_EQ(config.database_url, "from-file");
  std::string both =
      R"({"database": {"url": "x"}, "mailboxes": [{"name": "a", "host": "h", "username": "u",
      "password": "p", "password_file": ")" +
      path + R"("}]})";
  EXPECT_EQ(errorKey(both), "mailboxes[0].password");
  std::string missing =
      R"({"database": {"url": "x"}, "mailboxes": [{"name": "a", "host": "h", "username": "u",
      "password_file": "/nonexistent/secret"}]})";
  EXPECT_EQ(errorKey(missing), "mailboxes[0].password_file");
  std::remove(path.c_str());
}

TEST(Config, PasswordIsRequiredForPasswordAuth) {
  std::string json =
      R"({"database": {"url": "x"}, "mailboxes": [{"name": "a", "host": "h", "username": "u"}]})";
  EXPECT_EQ(errorKey(json), "mailboxes[0].password");
}

TEST(Config, ErrorMessageNamesTheKey) {
  try {
    parseConfig(withMailbox(R"(, "port": -1)"), fakeEnv({}));
    FAIL() << "accepted a negative port";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("mailboxes[0].port"), std::string::npos) << e.what();
  }
}

TEST(Config, MissingFileIsAConfigError) {
  try {
    loadConfig("/nonexistent/helpdesk.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "--config");
  }
}

// limits.spill_directory and limits.spill_threshold_bytes: where big mail is spilled and from
// what size (issue 11, big mail). Whether the directory is usable is checked at start
// (service_spill_directory_test.cpp), not by the parser.
std::string withLimits(const std::string& limits) {
  return withMailbox("", limits.empty() ? "" : R"("limits": {)" + limits + "},");
}

spill::SpillPolicy spillOf(const std::string& limits, std::map<std::string, std::string> env = {}) {
  return parseConfig(withLimits(limits), fakeEnv(std::move(env))).limits.spill;
}

std::string spillErrorKey(const std::string& limits, std::map<std::string, std::string> env = {}) {
  return errorKey(withLimits(limits), fakeEnv(std::move(env)));
}

TEST(ConfigSpill, DefaultsToTmpAndFourMebibytes) {
  EXPECT_EQ(spillOf("").directory, "/tmp");
  EXPECT_EQ(spillOf("").threshold_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(spillOf(R"("max_parts": 10)").directory, "/tmp");
  // The library's own default is the service's: code that builds a policy itself agrees.
  EXPECT_EQ(spill::SpillPolicy{}.threshold_bytes, 4u * 1024 * 1024);
}

TEST(ConfigSpill, DefaultDirectoryIsTmpdirWhenSet) {
  EXPECT_EQ(spillOf("", {{"TMPDIR", "/var/spool/hd"}}).directory, "/var/spool/hd");
  EXPECT_EQ(spillOf(R"("max_parts": 10)", {{"TMPDIR", "/var/spool/hd"}}).directory,
            "/var/spool/hd");
  EXPECT_EQ(spillOf("", {{"TMPDIR", ""}}).directory, "/tmp");  // set but empty: unset
}

TEST(ConfigSpill, ConfiguredValuesWinOverTheEnvironment) {
  const auto spill = spillOf(R"("spill_directory": "/srv/spill", "spill_threshold_bytes": 65536)",
                             {{"TMPDIR", "/var/tmp"}});
  EXPECT_EQ(spill.directory, "/srv/spill");
  EXPECT_EQ(spill.threshold_bytes, 65536u);
  EXPECT_EQ(spillOf(R"("spill_directory": "${SPILL}")", {{"SPILL", "/data/spill"}}).directory,
            "/data/spill");
  EXPECT_EQ(spillOf(R"("spill_threshold_bytes": 67108864)").threshold_bytes, 67108864u);
}

TEST(ConfigSpill, BadThresholdsNameTheKey) {
  for (const char* value :
       {"0", "-1", "65535", "67108865", "1073741824", "-4194304", "4194304.5", "4e6", "\"4194304\"",
        "true", "[4194304]", "{}", "18446744073709551615", "99999999999999999999"}) {
    EXPECT_EQ(spillErrorKey(std::string(R"("spill_threshold_bytes": )") + value),
              "limits.spill_threshold_bytes")
        << value;
  }
}

TEST(ConfigSpill, BadDirectoriesNameTheKey) {
  for (const char* value :
       {R"("")", R"("tmp")", R"("./spill")", R"("../tmp")", R"("~/spill")", R"(" /tmp")",
        R"("/tmp\u0000/etc")", "42", "true", "[\"/tmp\"]", "{}", R"("${UNSET_VARIABLE}")"}) {
    EXPECT_EQ(spillErrorKey(std::string(R"("spill_directory": )") + value),
              "limits.spill_directory")
        << value;
  }
}

TEST(ConfigSpill, ARelativeTmpdirIsRefusedNamingTheKeyAndTheVariable) {
  try {
    parseConfig(withLimits(""), fakeEnv({{"TMPDIR", "scratch"}}));
    FAIL() << "a relative $TMPDIR was taken";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "limits.spill_directory");
    EXPECT_NE(std::string(e.what()).find("$TMPDIR"), std::string::npos) << e.what();
  }
}

TEST(ConfigSpill, UnknownSpillKeysAreRefused) {
  EXPECT_EQ(spillErrorKey(R"("spill_dir": "/tmp")"), "limits.spill_dir");
  EXPECT_EQ(spillErrorKey(R"("spill_threshold": 65536)"), "limits.spill_threshold");
}

}  // namespace
}  // namespace hd::service
