#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <pqxx/pqxx>
#include <string_view>

#include "tests/support/random_name.hpp"

namespace hd::test {
namespace {

struct LoadedEnv {
  TestEnv env;
  std::vector<std::string> missing;
};

std::string readVar(const char* name, std::vector<std::string>& missing) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    missing.emplace_back(name);
    return {};
  }
  return value;
}

int readPort(const char* name, std::vector<std::string>& missing) {
  const std::string text = readVar(name, missing);
  if (text.empty()) return 0;
  try {
    return std::stoi(text);
  } catch (const std::exception&) {
    missing.push_back(std::string(name) + " (not a number: " + text + ")");
    return 0;
  }
}

LoadedEnv load() {
  LoadedEnv loaded;
  auto& m = loaded.missing;
  TestEnv& e = loaded.env;
  e.pg_admin_url = readVar("HD_TEST_PG_URL", m);
  e.fault_pg_admin_url = readVar("HD_TEST_FAULT_PG_URL", m);
  e.fault_pg_ctl = readVar("HD_TEST_FAULT_PG_CTL", m);
  e.fault_imaps_port = readPort("HD_TEST_FAULT_IMAPS_PORT", m);
  e.fault_pop3s_port = readPort("HD_TEST_FAULT_POP3S_PORT", m);
  e.fault_dovecot_ctl = readVar("HD_TEST_FAULT_DOVECOT_CTL", m);
  e.mail_host = readVar("HD_TEST_MAIL_HOST", m);
  e.imaps_port = readPort("HD_TEST_IMAPS_PORT", m);
  e.imap_port = readPort("HD_TEST_IMAP_PORT", m);
  e.pop3s_port = readPort("HD_TEST_POP3S_PORT", m);
  e.pop3_port = readPort("HD_TEST_POP3_PORT", m);
  e.ca_file = readVar("HD_TEST_CA_FILE", m);
  e.other_ca_file = readVar("HD_TEST_OTHER_CA_FILE", m);
  e.server_cert_file = readVar("HD_TEST_SERVER_CERT_FILE", m);
  e.server_key_file = readVar("HD_TEST_SERVER_KEY_FILE", m);
  e.wrong_name_cert_file = readVar("HD_TEST_WRONG_NAME_CERT_FILE", m);
  e.wrong_name_key_file = readVar("HD_TEST_WRONG_NAME_KEY_FILE", m);
  e.mail_root = readVar("HD_TEST_MAIL_ROOT", m);
  e.mail_password = readVar("HD_TEST_MAIL_PASSWORD", m);
  e.mail_uid = readPort("HD_TEST_MAIL_UID", m);
  e.mail_gid = readPort("HD_TEST_MAIL_GID", m);
  e.dovecot_conf = readVar("HD_TEST_DOVECOT_CONF", m);
  e.oauth_port = readPort("HD_TEST_OAUTH_PORT", m);
  return loaded;
}

// postgresql://user@host:port/dbname[?params] -> the same URL naming `database`.
std::string withDatabase(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  const auto query = url.find('?');
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::string params = query == std::string::npos ? "" : url.substr(query);
  const std::string base =
      slash == std::string::npos || (query != std::string::npos && slash > query)
          ? url.substr(0, query)
          : url.substr(0, slash);
  return base + "/" + database + params;
}

}  // namespace

const TestEnv& TestEnv::get() {
  static const LoadedEnv loaded = load();
  for (const auto& name : loaded.missing) {
    ADD_FAILURE() << "integration test environment variable " << name
                  << " is not set: run ./deploy/local.sh test (or `./deploy/local.sh up` and "
                     "source the env.sh it prints)";
  }
  return loaded.env;
}

ScratchDatabase::ScratchDatabase() : ScratchDatabase(TestEnv::get().pg_admin_url) {}

ScratchDatabase::ScratchDatabase(const std::string& admin_url) : admin_url_(admin_url) {
  name_ = "hd_test_" + randomName(12);
  url_ = withDatabase(admin_url_, name_);
  pqxx::connection admin(admin_url_);
  pqxx::nontransaction tx(admin);
  // CREATE DATABASE cannot run inside a transaction block.
  tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
}

ScratchDatabase::~ScratchDatabase() {
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    // WITH (FORCE) (PostgreSQL 13+) ends sessions a test or the service left open.
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "warning: could not drop scratch database " << name_ << ": " << e.what() << "\n";
  }
}

std::string ScratchDatabase::scalar(const std::string& sql) const {
  pqxx::connection connection(url_);
  pqxx::nontransaction tx(connection);
  const pqxx::result rows = tx.exec(sql);
  if (rows.empty() || rows.columns() == 0 || rows[0][0].is_null()) return {};
  return rows[0][0].c_str();
}

}  // namespace hd::test
