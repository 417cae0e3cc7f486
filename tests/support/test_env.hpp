#pragma once
// What integration tests know about the servers that deploy/local.sh started on 127.0.0.1.
// Every value comes from an HD_TEST_* environment variable exported by `deploy/local.sh test`
// (and printed by `deploy/local.sh up`). When they are missing, integration tests fail with a
// message saying how to run them: they never pass silently.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hd::test {

struct TestEnv {
  std::string pg_admin_url;  // HD_TEST_PG_URL: superuser DSN of the private PostgreSQL
  // A second private PostgreSQL that fault tests stop like a crash and start again with the
  // script HD_TEST_FAULT_PG_CTL (`stop`: pg_ctl -m immediate, `start`); one test at a time.
  std::string fault_pg_admin_url;  // HD_TEST_FAULT_PG_URL
  std::string fault_pg_ctl;        // HD_TEST_FAULT_PG_CTL
  // A second Dovecot serving the same mail (same users, same password) that fault tests stop and
  // start again with HD_TEST_FAULT_DOVECOT_CTL stop|start; one test at a time.
  int fault_imaps_port = 0;       // HD_TEST_FAULT_IMAPS_PORT
  int fault_pop3s_port = 0;       // HD_TEST_FAULT_POP3S_PORT
  std::string fault_dovecot_ctl;  // HD_TEST_FAULT_DOVECOT_CTL
  std::string mail_host;          // HD_TEST_MAIL_HOST (127.0.0.1)
  int imaps_port = 0;             // HD_TEST_IMAPS_PORT: implicit TLS
  int imap_port = 0;              // HD_TEST_IMAP_PORT: plain, STARTTLS offered
  int pop3s_port = 0;             // HD_TEST_POP3S_PORT
  int pop3_port = 0;              // HD_TEST_POP3_PORT: plain, STLS offered
  std::string ca_file;            // HD_TEST_CA_FILE: the CA that signed Dovecot's certificate
  std::string other_ca_file;      // HD_TEST_OTHER_CA_FILE: an unrelated CA
  // For TLS servers that tests run themselves: Dovecot's own certificate (signed by ca_file, SAN
  // IP:127.0.0.1 + DNS:localhost), and one signed by ca_file for "wrong.example" only.
  std::string server_cert_file, server_key_file;  // HD_TEST_SERVER_CERT_FILE / _KEY_FILE
  std::string wrong_name_cert_file,
      wrong_name_key_file;          // HD_TEST_WRONG_NAME_CERT_FILE / _KEY_FILE
  std::filesystem::path mail_root;  // HD_TEST_MAIL_ROOT: <mail_root>/<user>/Maildir
  std::string mail_password;        // HD_TEST_MAIL_PASSWORD: every user's password
  int mail_uid = 0, mail_gid = 0;   // HD_TEST_MAIL_UID/GID: owner of files in the Maildirs
  std::string dovecot_conf;         // HD_TEST_DOVECOT_CONF (for doveadm -c)
  // HD_TEST_OAUTH_PORT: the fixed port Dovecot's oauth2 passdb introspects (XOAUTH2 tests run
  // their FakeIdentityServer there).
  int oauth_port = 0;

  // Reads the environment once. Every call ADD_FAILURE()s, naming each missing variable, while
  // any is unset, so every integration test fails instead of passing silently.
  static const TestEnv& get();
};

// A fresh database on the private PostgreSQL, dropped in the destructor.
class ScratchDatabase {
 public:
  ScratchDatabase();  // name: hd_test_<random>
  // The same on another server (e.g. TestEnv::fault_pg_admin_url).
  explicit ScratchDatabase(const std::string& admin_url);
  ~ScratchDatabase();
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // Runs one SQL statement and returns the first column of the first row ("" when no rows).
  std::string scalar(const std::string& sql) const;

 private:
  std::string admin_url_, name_, url_;
};

// A fresh Dovecot user (any name logs in with the shared password); its Maildir is written
// directly, so seeding thousands of messages is fast.
class TestMailbox {
 public:
  explicit TestMailbox(const std::string& prefix = "user");  // user: <prefix>_<random>
  ~TestMailbox();                                            // removes the user's home
  const std::string& user() const { return user_; }
  std::filesystem::path maildir() const;  // <mail_root>/<user>/Maildir
  // The Maildir++ directory of `folder` (INBOX: maildir(); "A/B" or "A.B": maildir()/.A.B).
  // Dovecot's Maildir++ hierarchy separator is '.', so IMAP clients see "A.B" in LIST.
  std::filesystem::path folderDir(const std::string& folder = "INBOX") const;

  // Writes one message (bytes as given; LF or CRLF) into `folder` ("INBOX" or a subfolder name,
  // created on demand as Maildir++ ".<name>"). Returns the file path.
  std::filesystem::path deliver(const std::string& raw, const std::string& folder = "INBOX");

  // Number of messages in the folder (new/ + cur/), and how many carry flag `flag` ('S' seen,
  // 'T' deleted) in their Maildir file name.
  std::size_t count(const std::string& folder = "INBOX") const;
  std::size_t countFlagged(char flag, const std::string& folder = "INBOX") const;

  // Makes Dovecot assign a new UIDVALIDITY to the folder (drops its uidlist and index files, so
  // the UIDs are assigned afresh too), always another than before. Only while no session has the
  // folder open.
  void resetUidValidity(const std::string& folder = "INBOX");

  // Gives the folder UIDVALIDITY `value` through Dovecot itself (doveadm mailbox update), as a
  // restored or migrated server would: the UIDs stay, every source key changes. Deterministic,
  // unlike resetUidValidity(), whose new value follows the old one.
  void setUidValidity(std::uint32_t value, const std::string& folder = "INBOX");
  // Removes \Seen from every message of the folder (doveadm flags remove).
  void clearSeen(const std::string& folder = "INBOX");

 private:
  std::string user_;
};

// Writes a JSON config file for the service to a temporary path (removed in the destructor).
class TempFile {
 public:
  explicit TempFile(const std::string& content, const std::string& suffix = ".json");
  ~TempFile();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;
  std::string output;   // stdout + stderr
  long max_rss_kb = 0;  // peak resident set size of the process (getrusage of the child)
};

// Runs build/helpdesk-ingest with `args` and extra environment "K=V" entries; kills it after
// `timeout_seconds` (and fails the test).
ProcessResult runService(const std::vector<std::string>& args,
                         const std::vector<std::string>& extra_env = {}, int timeout_seconds = 300);

// Reads a file under tests/ (e.g. "corpus/plain.eml").
std::string readTestFile(const std::string& relative_path);

}  // namespace hd::test
