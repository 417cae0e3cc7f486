#pragma once
// What one POCO logger writes while the object lives, at every level, as (priority, text) lines,
// so that a unit test can assert on log lines without a service process.

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <string>
#include <utility>
#include <vector>

namespace hd::test {

class CapturedLog {
 public:
  using Line = std::pair<Poco::Message::Priority, std::string>;

  explicit CapturedLog(const std::string& logger_name)
      : sink_(new Sink), logger_(Poco::Logger::get(logger_name)) {
    old_channel_ = logger_.getChannel();
    old_level_ = logger_.getLevel();
    logger_.setChannel(Poco::Channel::Ptr(sink_));
    logger_.setLevel(Poco::Message::PRIO_DEBUG);
  }
  ~CapturedLog() {
    logger_.setLevel(old_level_);
    logger_.setChannel(old_channel_);
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  const std::vector<Line>& lines() const { return sink_->lines; }
  void clear() { sink_->lines.clear(); }

 private:
  struct Sink : Poco::Channel {
    void log(const Poco::Message& message) override {
      lines.emplace_back(message.getPriority(), message.getText());
    }
    std::vector<Line> lines;
  };

  Poco::AutoPtr<Sink> sink_;
  Poco::Logger& logger_;
  Poco::Channel::Ptr old_channel_;
  int old_level_ = 0;
};

}  // namespace hd::test
