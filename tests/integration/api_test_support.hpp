#pragma once
// Helpers for the HTTP API integration tests (tests/integration/api_*_itest.cpp): a running
// service with its port read from the log, plain HTTP requests, and a validator for the subset of
// JSON Schema that service/http/openapi_document.cpp uses.

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/mime/parse.hpp"
#include "db/ticket_store.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/test_env.hpp"

namespace hd::test {

inline const std::string kApiToken = "test-token-5a1c";

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

inline HttpAnswer httpCall(int port, const std::string& method, const std::string& path_and_query,
                           const std::string& token = kApiToken,
                           const std::vector<std::pair<std::string, std::string>>& headers = {},
                           const std::string& body = "", int timeout_seconds = 90) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(timeout_seconds, 0));
  Poco::Net::HTTPRequest request(method, path_and_query, "HTTP/1.1");
  if (!token.empty()) request.set("Authorization", "Bearer " + token);
  for (const auto& [name, value] : headers) request.add(name, value);
  if (!body.empty() || method == "POST")
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpAnswer answer;
  answer.status = static_cast<int>(response.getStatus());
  for (const auto& [name, value] : response) answer.headers[name] = value;
  answer.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return answer;
}

inline HttpAnswer httpGet(int port, const std::string& path, const std::string& token = kApiToken) {
  return httpCall(port, "GET", path, token);
}

// Waits until `process` printed a line matching `pattern`; returns capture group 1 (or "").
inline std::string waitForLog(ServiceProcess& process, const std::string& pattern,
                              int seconds = 30) {
  std::regex re(pattern);
  std::smatch match;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string output = process.output();
    if (std::regex_search(output, match, re)) return match.size() > 1 ? match[1].str() : "";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "no log line matching " << pattern << " within " << seconds << " s:\n"
                << process.output();
  return "";
}

// Waits (up to 30 s) until /readyz answers 200: a service on a fresh database migrates it right
// after it starts listening.
inline bool waitUntilReady(int port) {
  for (int i = 0; i < 300; ++i) {
    if (httpGet(port, "/readyz", "").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Whether /status shows the (first) mailbox's worker waiting in IMAP IDLE.
inline bool idleOnStatus(int port) {
  const auto status = httpGet(port, "/status", "");
  if (status.status != 200) return false;
  const auto boxes = status.json()["mailboxes"];
  return !boxes.empty() && boxes[0]["idle"] == true;
}

// Rows in `messages`; -1 while the service has not created its schema yet (or the database is
// down), so a test can poll it from the first moment.
inline long storedMessages(const ScratchDatabase& db) {
  try {
    return std::stol(db.scalar("SELECT count(*) FROM messages"));
  } catch (const std::exception&) {
    return -1;
  }
}

inline int waitForPort(ServiceProcess& process) {
  auto port = waitForLog(process, R"(listening on 127\.0\.0\.1:(\d+))");
  return port.empty() ? 0 : std::stoi(port);
}

// A service configuration: one IMAPS mailbox on the test Dovecot, HTTP on a free port.
inline std::string apiConfigJson(const std::string& db_url, const std::string& user,
                                 const std::string& http_extra = R"("api_token": ")" + kApiToken +
                                                                 R"(")",
                                 const std::string& top_extra = "", int poll_seconds = 1) {
  const auto& env = TestEnv::get();
  return R"({
    "database": {"url": ")" +
         db_url + R"("},
    "http": {"listen": "127.0.0.1:0")" +
         (http_extra.empty() ? "" : ", " + http_extra) + R"(},
    "log": {"level": "information"},
    "backoff": {"initial_seconds": 1, "max_seconds": 2},
    )" + top_extra +
         R"(
    "mailboxes": [{
      "name": "support", "protocol": "imap",
      "host": ")" +
         env.mail_host + R"(", "port": )" + std::to_string(env.imaps_port) + R"(, "tls": "implicit",
      "ca_file": ")" +
         env.ca_file + R"(",
      "username": ")" +
         user + R"(", "password": ")" + env.mail_password + R"(",
      "after_ingest": "seen", "poll_interval_seconds": )" +
         std::to_string(poll_seconds) + R"(
    }]
  })";
}

inline std::string feedMail(const std::string& id) {
  return "From: Writer <writer@example.com>\r\nTo: support@example.com\r\nSubject: Feed " + id +
         "\r\nMessage-ID: <" + id +
         "@feed.example>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\nBody " + id + "\r\n";
}

// Reads the feed until at least `count` events are there. The feed hands out only events below
// the cluster-wide xmin horizon, and other tests running in parallel on the same PostgreSQL can
// hold that back for a moment: a committed event is visible soon, not at once.
inline nlohmann::json eventsOnceVisible(int port, const std::string& query, std::size_t count) {
  nlohmann::json page;
  for (int i = 0; i < 50; ++i) {
    page = httpGet(port, "/api/v1/events?" + query + "&wait=1").json();
    if (page["events"].size() >= count) break;
  }
  return page;
}

// One message as a new ticket: two events (ticket.created, message.added).
inline void commitNewTicket(db::TicketStore& store, const std::string& id) {
  const std::string raw = feedMail(id);
  auto parsed = mime::parse(raw);
  ASSERT_TRUE(parsed.ok) << parsed.error;
  db::IncomingMessage in;
  in.source_key = "imap:support:1:" + id;
  in.mailbox = "support";
  in.raw = raw;
  in.parsed = &parsed.message;
  auto result = store.commitMessage(in, [](ingest::ThreadLookup&) {
    ingest::Outcome outcome;
    outcome.kind = ingest::Outcome::Kind::kNewTicket;
    outcome.reason = "feed test";
    return outcome;
  });
  ASSERT_EQ(result.status, db::CommitStatus::kInserted);
}

// Checks `value` against `schema` (type, enum, required, properties, items, allOf, oneOf, $ref into
// `root`); every violation is one string naming its JSON path.
inline void validateSchema(const nlohmann::json& root, const nlohmann::json& schema,
                           const nlohmann::json& value, const std::string& path,
                           std::vector<std::string>& errors) {
  if (schema.contains("$ref")) {
    auto ref = schema["$ref"].get<std::string>();
    validateSchema(root, root.at(nlohmann::json::json_pointer(ref.substr(1))), value, path, errors);
    return;
  }
  if (schema.contains("allOf")) {
    for (const auto& part : schema["allOf"]) validateSchema(root, part, value, path, errors);
    return;
  }
  if (schema.contains("oneOf")) {
    int matches = 0;
    for (const auto& option : schema["oneOf"]) {
      std::vector<std::string> option_errors;
      validateSchema(root, option, value, path, option_errors);
      matches += option_errors.empty();
    }
    if (matches != 1)
      errors.push_back(path + ": matches " + std::to_string(matches) + " oneOf options");
    return;
  }
  if (schema.contains("type")) {
    std::vector<std::string> types;
    if (schema["type"].is_array()) {
      for (const auto& t : schema["type"]) types.push_back(t);
    } else {
      types.push_back(schema["type"]);
    }
    bool ok = false;
    for (const auto& t : types) {
      ok = ok || (t == "null" && value.is_null()) || (t == "object" && value.is_object()) ||
           (t == "array" && value.is_array()) || (t == "string" && value.is_string()) ||
           (t == "integer" && value.is_number_integer()) || (t == "number" && value.is_number()) ||
           (t == "boolean" && value.is_boolean());
    }
    if (!ok) {
      errors.push_back(path + ": " + value.dump() + " is not of type " + schema["type"].dump());
      return;
    }
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& option : schema["enum"]) found = found || option == value;
    if (!found) errors.push_back(path + ": " + value.dump() + " not in enum");
  }
  if (value.is_object()) {
    for (const auto& name : schema.value("required", nlohmann::json::array())) {
      if (!value.contains(name.get<std::string>()))
        errors.push_back(path + ": missing " + name.get<std::string>());
    }
    if (schema.contains("properties")) {
      for (const auto& [name, property] : schema["properties"].items()) {
        if (value.contains(name))
          validateSchema(root, property, value[name], path + "." + name, errors);
      }
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      validateSchema(root, schema["items"], value[i], path + "[" + std::to_string(i) + "]", errors);
    }
  }
}

// Validates against components.schemas.<name> of the served document; returns the violations.
inline std::vector<std::string> schemaErrors(const nlohmann::json& openapi, const std::string& name,
                                             const nlohmann::json& value) {
  std::vector<std::string> errors;
  validateSchema(openapi, openapi["components"]["schemas"][name], value, name, errors);
  return errors;
}

}  // namespace hd::test
