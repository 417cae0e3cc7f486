#include "service/logging.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "connectors/net/redact.hpp"
#include "service/time_format.hpp"

namespace hd::service {
namespace {

// The ids our log lines name in their text ("mailbox support: ...", "imap:support:7:42 stored as
// message 3 on new ticket HD-3") as separate fields, so that a log collector can filter on them.
void addIdFields(nlohmann::json& line, const std::string& text) {
  static const std::regex kMailbox(R"(\bmailbox ([A-Za-z0-9_.-]+))");
  static const std::regex kSourceKey(R"(\b(imap|pop3):([A-Za-z0-9_.-]+):([^\s:]+)(?::(\d+))?)");
  static const std::regex kTicket(R"(\bticket ([A-Za-z][A-Za-z0-9_-]*[0-9]+)\b)");
  static const std::regex kMessage(R"(\bmessage ([0-9]+)\b)");
  std::smatch match;
  if (std::regex_search(text, match, kSourceKey)) {
    line["source_key"] = match[0].str();
    line["mailbox"] = match[2].str();
    if (match[1] == "imap" && match[4].matched) {
      line["uidvalidity"] = std::stoull(match[3].str());
      line["uid"] = std::stoull(match[4].str());
    }
  }
  if (std::regex_search(text, match, kMailbox)) line["mailbox"] = match[1].str();
  if (std::regex_search(text, match, kTicket)) line["ticket"] = match[1].str();
  if (std::regex_search(text, match, kMessage)) line["message_id"] = std::stoll(match[1].str());
}

// One JSON object per line, for log collectors. Messages never carry bodies or secrets.
class JsonLinesChannel : public Poco::Channel {
 public:
  void log(const Poco::Message& message) override {
    static const char* kPriorities[] = {"",       "fatal",       "critical", "error", "warning",
                                        "notice", "information", "debug",    "trace"};
    nlohmann::json line = {
        {"time",
         formatRfc3339(std::chrono::system_clock::from_time_t(message.getTime().epochTime()))},
        {"level", kPriorities[message.getPriority()]},
        {"logger", message.getSource()},
        {"message", message.getText()},
    };
    try {
      addIdFields(line, message.getText());
    } catch (const std::exception&) {
      // An id too large for a number: the text still carries it.
    }
    std::lock_guard lock(mutex_);
    std::cerr << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }

 private:
  std::mutex mutex_;
};

// The one exit of every log line: credentials in a message (an error text quoting a connection
// string, a remembered password) are masked before any channel formats it.
class RedactingChannel : public Poco::Channel {
 public:
  explicit RedactingChannel(Poco::AutoPtr<Poco::Channel> next) : next_(std::move(next)) {}
  void log(const Poco::Message& message) override {
    Poco::Message redacted(message);
    redacted.setText(net::redactSecrets(message.getText()));
    next_->log(redacted);
  }

 private:
  Poco::AutoPtr<Poco::Channel> next_;
};

}  // namespace

void configureLogging(const std::string& level, const std::string& format) {
  Poco::AutoPtr<Poco::Channel> channel;
  if (format == "json") {
    channel = new JsonLinesChannel;
  } else {
    Poco::AutoPtr<Poco::PatternFormatter> formatter(
        new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%SZ %p %s: %t"));
    formatter->setProperty("times", "UTC");
    channel = new Poco::FormattingChannel(formatter, new Poco::ConsoleChannel(std::cerr));
  }
  channel = new RedactingChannel(channel);
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(level);
  // Loggers created before this call keep their old channel: update the whole tree.
  std::vector<std::string> names;
  Poco::Logger::names(names);
  for (const auto& name : names) {
    Poco::Logger::get(name).setChannel(channel);
    Poco::Logger::get(name).setLevel(level);
  }
}

}  // namespace hd::service
