// The spill directory at start: refused with limits.spill_directory and the reason when big mail
// could not be spilled there; leftovers of a crash removed, nothing else (issue 11, big mail).

#include "service/spill_directory.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "connectors/spill/spill_file.hpp"
#include "service/config.hpp"

namespace hd::service {
namespace {

namespace fs = std::filesystem;

class SpillDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spill-directory-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }

  void plant(const std::string& name) const { std::ofstream(dir_ / name) << "left behind"; }
  std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  fs::path dir_;
};

// The refusal's text, or "" when the directory is accepted.
std::string refusal(const fs::path& directory) {
  try {
    checkSpillDirectory(spill::SpillPolicy{.directory = directory.string()});
    return "";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "limits.spill_directory");
    return e.what();
  }
}

TEST_F(SpillDirectory, AWritableDirectoryIsAcceptedAndLeftAsItWas) {
  EXPECT_EQ(refusal(dir_), "");
  EXPECT_EQ(entries(), 0u) << "the probe left a file behind";
}

TEST_F(SpillDirectory, AMissingDirectoryIsRefusedWithTheReason) {
  const std::string text = refusal(dir_ / "missing");
  EXPECT_NE(text.find("limits.spill_directory"), std::string::npos) << text;
  EXPECT_NE(text.find((dir_ / "missing").string()), std::string::npos) << text;
  EXPECT_NE(text.find("No such file or directory"), std::string::npos) << text;
}

TEST_F(SpillDirectory, AFileIsNotADirectory) {
  plant("a-file");
  const std::string text = refusal(dir_ / "a-file");
  EXPECT_NE(text.find("is not a directory"), std::string::npos) << text;
}

TEST_F(SpillDirectory, ASymlinkToADirectoryIsFollowed) {
  fs::create_directory(dir_ / "real");
  fs::create_directory_symlink(dir_ / "real", dir_ / "link");
  EXPECT_EQ(refusal(dir_ / "link"), "");
}

// /proc takes no new files, not even from root: neither O_TMPFILE nor mkstemp.
TEST_F(SpillDirectory, AFileSystemThatTakesNoFilesIsRefused) {
  const std::string text = refusal("/proc");
  EXPECT_NE(text.find("cannot hold spill files"), std::string::npos) << text;
}

// A directory without write permission. Root may write anywhere, so the check runs in a child
// that first becomes nobody (65534) when the test runs as root.
TEST_F(SpillDirectory, ADirectoryWithoutWritePermissionIsRefused) {
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                            fs::perms::group_exec | fs::perms::others_read |
                            fs::perms::others_exec);
  EXPECT_EXIT(
      {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) std::_Exit(4);
        const std::string text = refusal(dir_);
        std::cerr << text << std::endl;
        std::_Exit(text.empty() ? 0 : 3);
      },
      ::testing::ExitedWithCode(3), "limits.spill_directory.*Permission denied");
}

TEST_F(SpillDirectory, LeftoversOfACrashAreRemovedAndCounted) {
  const std::string prefix(spill::kNamedSpillFilePrefix);
  plant(prefix + "a1B2c3");
  plant(prefix + "ZZZZZZ");
  EXPECT_EQ(removeLeftoverSpillFiles(dir_.string()), 2u);
  EXPECT_EQ(entries(), 0u);
  EXPECT_EQ(removeLeftoverSpillFiles(dir_.string()), 0u);
}

TEST_F(SpillDirectory, NothingButLeftoversIsRemoved) {
  const std::string prefix(spill::kNamedSpillFilePrefix);
  for (const std::string& name :
       {std::string("notes.txt"), prefix + "a1B2c", prefix + "a1B2c3d", prefix + "a1-2c3",
        prefix + "a1B2c3.bak", "x" + prefix + "a1B2c3", std::string("helpdesk-ingest-spill")}) {
    plant(name);
  }
  fs::create_directory(dir_ / (prefix + "DIR123"));
  plant("target");
  fs::create_symlink(dir_ / "target", dir_ / (prefix + "LNK123"));
  const std::size_t before = entries();
  EXPECT_EQ(removeLeftoverSpillFiles(dir_.string()), 0u);
  EXPECT_EQ(entries(), before);
  EXPECT_TRUE(fs::exists(dir_ / "target"));
}

TEST_F(SpillDirectory, AMissingDirectoryHasNoLeftovers) {
  EXPECT_EQ(removeLeftoverSpillFiles((dir_ / "missing").string()), 0u);
}

}  // namespace
}  // namespace hd::service
