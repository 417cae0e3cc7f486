#include "tests/support/scripted_stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "connectors/net/errors.hpp"

namespace hd::test {
namespace {

std::string printable(std::string_view bytes) {
  std::string out;
  for (char c : bytes.substr(0, 200)) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\x" + std::to_string(static_cast<unsigned char>(c));
    } else {
      out.push_back(c);
    }
  }
  if (bytes.size() > 200) out += "...";
  return out;
}

}  // namespace

ScriptedStream& ScriptedStream::addTranscript(std::string_view transcript) {
  std::size_t pos = 0;
  while (pos < transcript.size()) {
    std::size_t end = transcript.find('\n', pos);
    if (end == std::string_view::npos) end = transcript.size();
    std::string_view line = transcript.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::string_view body = line.size() > 3 ? line.substr(3) : std::string_view();
    if (line.starts_with("C: ") || line == "C:") {
      clientLine(body);
    } else if (line.starts_with("S: ") || line == "S:") {
      serverLine(body);
    } else if (line.starts_with("S= ")) {
      server(std::string(body));
    } else if (line == "-- starttls") {
      expectStartTls();
    } else if (line == "-- close") {
      close();
    } else if (line == "-- timeout") {
      timeout();
    } else {
      throw std::invalid_argument("transcript line not understood: " + std::string(line));
    }
  }
  return *this;
}

ScriptedStream& ScriptedStream::client(std::string bytes) {
  // Consecutive client steps are one expectation: writes may be split anywhere.
  if (!steps_.empty() && steps_.back().kind == Step::Kind::kClient && steps_.size() > next_) {
    steps_.back().bytes += bytes;
  } else {
    steps_.push_back({Step::Kind::kClient, std::move(bytes)});
  }
  return *this;
}

ScriptedStream& ScriptedStream::server(std::string bytes) {
  // Kept as separate steps: a read never crosses a step, so tests choose where reads split.
  if (!bytes.empty()) steps_.push_back({Step::Kind::kServer, std::move(bytes)});
  return *this;
}

ScriptedStream& ScriptedStream::expectStartTls() {
  steps_.push_back({Step::Kind::kStartTls, ""});
  return *this;
}

ScriptedStream& ScriptedStream::close() {
  steps_.push_back({Step::Kind::kClose, ""});
  return *this;
}

ScriptedStream& ScriptedStream::timeout() {
  steps_.push_back({Step::Kind::kTimeout, ""});
  return *this;
}

std::string ScriptedStream::pendingStep() const {
  if (finished()) return "";
  const Step& step = steps_[next_];
  switch (step.kind) {
    case Step::Kind::kClient:
      return "client writes \"" + printable(std::string_view(step.bytes).substr(step.done)) + "\"";
    case Step::Kind::kServer:
      return "server sends \"" + printable(std::string_view(step.bytes).substr(step.done)) + "\"";
    case Step::Kind::kStartTls:
      return "client starts TLS";
    case Step::Kind::kClose:
      return "server closes";
    case Step::Kind::kTimeout:
      return "read times out";
  }
  return "";
}

void ScriptedStream::mismatch(const std::string& what) {
  ADD_FAILURE() << "transcript mismatch: " << what << "; script expected: " << pendingStep();
  throw net::NetworkError("transcript mismatch: " + what);
}

std::size_t ScriptedStream::read(char* buffer, std::size_t size) {
  if (closed_ || finished()) return 0;
  Step& step = steps_[next_];
  switch (step.kind) {
    case Step::Kind::kServer: {
      const std::size_t n = std::min({size, read_chunk_, step.bytes.size() - step.done});
      std::copy_n(step.bytes.data() + step.done, n, buffer);
      step.done += n;
      if (step.done == step.bytes.size()) ++next_;
      return n;
    }
    case Step::Kind::kClose:
      closed_ = true;
      ++next_;
      return 0;
    case Step::Kind::kTimeout:
      ++next_;
      throw net::NetworkError("scripted read timeout");
    case Step::Kind::kClient:
    case Step::Kind::kStartTls:
      break;
  }
  mismatch("client reads while the server has nothing to say");
}

bool ScriptedStream::waitReadable(std::chrono::milliseconds) {
  if (closed_ || finished()) return true;
  const Step::Kind kind = steps_[next_].kind;
  return kind != Step::Kind::kClient && kind != Step::Kind::kStartTls;
}

void ScriptedStream::write(std::string_view data) {
  written_ += data;
  while (!data.empty()) {
    if (finished()) {
      if (!strict_end_) return;
      mismatch("client writes \"" + printable(data) + "\" after the end of the script");
    }
    Step& step = steps_[next_];
    if (step.kind != Step::Kind::kClient) {
      mismatch("client writes \"" + printable(data) + "\"");
    }
    const std::size_t n = std::min(data.size(), step.bytes.size() - step.done);
    if (data.substr(0, n) != std::string_view(step.bytes).substr(step.done, n)) {
      mismatch("client writes \"" + printable(data) + "\"");
    }
    step.done += n;
    data.remove_prefix(n);
    if (step.done == step.bytes.size()) ++next_;
  }
}

void ScriptedStream::startTls() {
  if (finished() || steps_[next_].kind != Step::Kind::kStartTls) {
    mismatch("client starts TLS");
  }
  ++next_;
  encrypted_ = true;
}

namespace {

class BorrowedStream : public net::ByteStream {
 public:
  BorrowedStream(ScriptedStream& script, bool implicit_tls)
      : script_(script), implicit_tls_(implicit_tls) {}
  std::size_t read(char* buffer, std::size_t size) override { return script_.read(buffer, size); }
  bool waitReadable(std::chrono::milliseconds timeout) override {
    return script_.waitReadable(timeout);
  }
  void write(std::string_view data) override { script_.write(data); }
  void startTls() override { script_.startTls(); }
  bool isEncrypted() const override { return implicit_tls_ || script_.isEncrypted(); }

 private:
  ScriptedStream& script_;
  bool implicit_tls_;
};

}  // namespace

std::unique_ptr<net::ByteStream> borrowStream(ScriptedStream& script, bool implicit_tls) {
  return std::make_unique<BorrowedStream>(script, implicit_tls);
}

}  // namespace hd::test
