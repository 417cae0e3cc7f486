// The real binary at start with limits.spill_directory (issue 11, big mail): a directory that
// cannot hold spill files stops it with exit 2 naming the key and the reason, before any database
// or mailbox is touched; leftovers of a crash are removed and counted, in the configured
// directory and in $TMPDIR when none is configured. Needs no server: the database URL points at
// a closed port, so a --once that starts ends with exit 1 after the clean-up.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "connectors/spill/spill_file.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace {

namespace fs = std::filesystem;

std::string config(const std::string& limits) {
  return R"({"database": {"url": "postgresql://u@127.0.0.1:1/db"}, )" + limits +
         R"( "mailboxes": [{"name": "support", "host": "127.0.0.1", "port": 1, "username": "u",
             "password": "mail-pw"}]})";
}

class SpillStartup : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spill-startup-itest-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path plantLeftover() const {
    const fs::path leftover = dir_ / (std::string(spill::kNamedSpillFilePrefix) + "Q7x9Zk");
    std::ofstream(leftover) << "a crash between mkstemp and unlink";
    return leftover;
  }

  fs::path dir_;
};

TEST_F(SpillStartup, AMissingDirectoryStopsTheServiceNamingTheKeyAndTheReason) {
  TempFile file(
      config(R"("limits": {"spill_directory": ")" + (dir_ / "missing").string() + R"("},)"));
  const ProcessResult result = runService({"--config", file.path(), "--once"}, {}, 60);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("limits.spill_directory"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("No such file or directory"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("database"), std::string::npos)
      << "the database was tried before the directory was checked:\n"
      << result.output;
}

TEST_F(SpillStartup, AFileInsteadOfADirectoryStopsTheService) {
  std::ofstream(dir_ / "a-file") << "not a directory";
  TempFile file(
      config(R"("limits": {"spill_directory": ")" + (dir_ / "a-file").string() + R"("},)"));
  const ProcessResult result = runService({"--config", file.path()}, {}, 60);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("limits.spill_directory"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("is not a directory"), std::string::npos) << result.output;
}

TEST_F(SpillStartup, ALeftoverInTheConfiguredDirectoryIsRemovedAndCounted) {
  const fs::path leftover = plantLeftover();
  TempFile file(config(R"("limits": {"spill_directory": ")" + dir_.string() + R"("},)"));
  const ProcessResult result = runService({"--config", file.path(), "--once"}, {}, 60);
  EXPECT_FALSE(fs::exists(leftover));
  EXPECT_NE(result.output.find("removed 1 leftover spill file(s)"), std::string::npos)
      << result.output;
  EXPECT_EQ(result.exit_code, 1) << "the closed database port ends the pass:\n" << result.output;
}

TEST_F(SpillStartup, WithoutTheKeyTmpdirIsTheSpillDirectory) {
  const fs::path leftover = plantLeftover();
  TempFile file(config(""));
  const ProcessResult result =
      runService({"--config", file.path(), "--once"}, {"TMPDIR=" + dir_.string()}, 60);
  EXPECT_FALSE(fs::exists(leftover));
  EXPECT_NE(result.output.find("spill directory " + dir_.string() + ": writable"),
            std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace hd::test
