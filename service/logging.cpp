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

#include "service/time_format.hpp"

namespace hd::service {
namespace {

// One JSON object per line, for log collectors. Messages never carry bodies or secrets.
class JsonLinesChannel : public Poco::Channel {
 public:
  void log(const Poco::Message& message) override {
    static const char* kPriorities[] = {"", "fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"};
    nlohmann::json line = {
        {"time", formatRfc3339(std::chrono::system_clock::from_time_t(message.getTime().epochTime()))},
        {"level", kPriorities[message.getPriority()]},
        {"logger", message.getSource()},
        {"message", message.getText()},
    };
    std::lock_guard lock(mutex_);
    std::cerr << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }

 private:
  std::mutex mutex_;
};

}  // namespace

void configureLogging(const std::string& level, const std::string& format) {
  Poco::AutoPtr<Poco::Channel> channel;
  if (format == "json") {
    channel = new JsonLinesChannel;
  } else {
    Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%SZ %p %s: %t"));
    formatter->setProperty("times", "UTC");
    channel = new Poco::FormattingChannel(formatter, new Poco::ConsoleChannel(std::cerr));
  }
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
