#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "tests/support/random_name.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {
namespace fs = std::filesystem;
namespace {

void chownToMailUser(const fs::path& path) {
  const TestEnv& env = TestEnv::get();
  if (::lchown(path.c_str(), env.mail_uid, env.mail_gid) != 0) {
    throw std::system_error(errno, std::generic_category(), "chown " + path.string());
  }
}

// Creates `dir` and its missing parents up to `stop`, each owned by the mail user, so Dovecot
// (running as that user) can write index files and move messages.
void makeOwnedDirs(const fs::path& dir, const fs::path& stop) {
  if (dir == stop || fs::exists(dir)) return;
  makeOwnedDirs(dir.parent_path(), stop);
  fs::create_directory(dir);
  chownToMailUser(dir);
}

// Maildir file names must be unique per folder (maildir(5)): time, pid and a process counter.
std::string uniqueFileName() {
  static std::atomic<unsigned> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count() % 1000000;
  return std::to_string(seconds) + ".M" + std::to_string(micros) + "P" +
         std::to_string(::getpid()) + "Q" + std::to_string(++counter) + "_" + randomName(6) +
         ".hd-test";
}

// Maildir++ flags follow ":2," at the end of a file name in cur/.
std::string flagsOf(const std::string& file_name) {
  const auto pos = file_name.rfind(":2,");
  return pos == std::string::npos ? std::string() : file_name.substr(pos + 3);
}

std::size_t countFiles(const fs::path& dir, char flag) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    if (flag == '\0' || flagsOf(entry.path().filename().string()).find(flag) != std::string::npos) {
      ++n;
    }
  }
  return n;
}

}  // namespace

TestMailbox::TestMailbox(const std::string& prefix) : user_(prefix + "_" + randomName(10)) {
  const TestEnv& env = TestEnv::get();
  makeOwnedDirs(env.mail_root / user_, env.mail_root);
  for (const char* sub : {"cur", "new", "tmp"}) makeOwnedDirs(maildir() / sub, env.mail_root);
}

TestMailbox::~TestMailbox() {
  std::error_code ec;
  fs::remove_all(TestEnv::get().mail_root / user_, ec);
  if (ec)
    std::cerr << "warning: could not remove mailbox " << user_ << ": " << ec.message() << "\n";
}

fs::path TestMailbox::maildir() const {
  return TestEnv::get().mail_root / user_ / "Maildir";
}

fs::path TestMailbox::folderDir(const std::string& folder) const {
  if (folder == "INBOX") return maildir();
  std::string name = folder;
  // Maildir++ stores "A/B" as ".A.B" with '.' as the hierarchy separator.
  for (char& c : name) {
    if (c == '/') c = '.';
  }
  return maildir() / ("." + name);
}

fs::path TestMailbox::deliver(const std::string& raw, const std::string& folder) {
  const fs::path dir = folderDir(folder);
  const fs::path stop = TestEnv::get().mail_root;
  if (!fs::exists(dir / "new")) {
    for (const char* sub : {"cur", "new", "tmp"}) makeOwnedDirs(dir / sub, stop);
    if (folder != "INBOX") {
      // Dovecot's Maildir++ marks subfolders with an empty "maildirfolder" file.
      std::ofstream(dir / "maildirfolder").flush();
      chownToMailUser(dir / "maildirfolder");
    }
  }
  const std::string name = uniqueFileName();
  const fs::path tmp = dir / "tmp" / name;
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(raw.data(), static_cast<std::streamsize>(raw.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  chownToMailUser(tmp);
  // maildir(5): write into tmp/, then rename into new/, so Dovecot never sees a partial file.
  const fs::path target = dir / "new" / name;
  fs::rename(tmp, target);
  return target;
}

std::size_t TestMailbox::count(const std::string& folder) const {
  const fs::path dir = folderDir(folder);
  return countFiles(dir / "new", '\0') + countFiles(dir / "cur", '\0');
}

std::size_t TestMailbox::countFlagged(char flag, const std::string& folder) const {
  return countFiles(folderDir(folder) / "cur", flag);
}

void TestMailbox::resetUidValidity(const std::string& folder) {
  const fs::path dir = folderDir(folder);
  // The uidlist's header names the current UIDVALIDITY ("3 V1795891540 N7 ...").
  std::optional<std::uint32_t> old;
  if (std::ifstream uidlist(dir / "dovecot-uidlist"); uidlist) {
    std::string version, validity;
    if (uidlist >> version >> validity && validity.size() > 1 && validity[0] == 'V') {
      old = static_cast<std::uint32_t>(std::stoul(validity.substr(1)));
    }
  }
  std::error_code ec;
  fs::remove(dir / "dovecot-uidlist", ec);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with("dovecot.index")) fs::remove(entry.path(), ec);
  }
  // Dovecot takes the new value from the clock in seconds: within the second the old one was
  // made, it would be the same. One more than the old is always another.
  if (old) setUidValidity(*old + 1, folder);
}

namespace {

// `doveadm <command> -u <user> <arguments>` on the test Dovecot; fails the test when it fails.
void doveadm(const std::string& command, const std::string& user, const std::string& arguments) {
  const std::string line = "doveadm -c '" + TestEnv::get().dovecot_conf + "' " + command + " -u '" +
                           user + "' " + arguments + " 2>&1";
  EXPECT_EQ(std::system(line.c_str()), 0) << line;
}

}  // namespace

void TestMailbox::setUidValidity(std::uint32_t value, const std::string& folder) {
  doveadm("mailbox update --uid-validity " + std::to_string(value), user_, "'" + folder + "'");
}

void TestMailbox::clearSeen(const std::string& folder) {
  doveadm("flags remove", user_, "'\\Seen' mailbox '" + folder + "' ALL");
}

}  // namespace hd::test
