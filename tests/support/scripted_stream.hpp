#pragma once
// A ByteStream that replays a recorded server dialogue and asserts what the client sends, for
// transcript tests of any line protocol (IMAP, POP3).
//
// The script is a list of steps run in order: bytes the client must write, bytes the server
// sends (returned by read(), optionally split into small chunks to exercise every boundary),
// a point where the client must call startTls(), the server closing the stream (read() returns
// 0), or a read failing with NetworkError (a timeout). A client write that differs from the
// script, or a read while the script expects a write, is a test failure (ADD_FAILURE) and throws
// NetworkError so the client under test stops. After the last step reads return 0.
//
// Transcript text form (one step per line, "\r\n" appended to C:/S: lines):
//   C: A0001 LOGIN user pass     the client writes this line
//   S: A0001 OK done             the server sends this line
//   S= {5}                       the server sends this text WITHOUT a line end
//   -- starttls                  the client calls startTls() here
//   -- close                     the server closes the connection
//   -- timeout                   the next read throws NetworkError
//   # comment, and blank lines, are ignored

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/net/byte_stream.hpp"

namespace hd::test {

class ScriptedStream : public net::ByteStream {
 public:
  ScriptedStream() = default;
  explicit ScriptedStream(std::string_view transcript) { addTranscript(transcript); }

  ScriptedStream& addTranscript(std::string_view transcript);
  ScriptedStream& client(std::string bytes);  // exact bytes
  ScriptedStream& server(std::string bytes);  // exact bytes; a read never spans two calls
  ScriptedStream& clientLine(std::string_view line) { return client(std::string(line) + "\r\n"); }
  ScriptedStream& serverLine(std::string_view line) { return server(std::string(line) + "\r\n"); }
  ScriptedStream& expectStartTls();
  ScriptedStream& close();
  ScriptedStream& timeout();

  // read() returns at most this many bytes at a time (default: a whole server step).
  void setReadChunk(std::size_t bytes) { read_chunk_ = bytes == 0 ? 1 : bytes; }
  // When true (the default), writes after the last step fail the test. Set false for tests that
  // end early on purpose and then let the client say goodbye.
  void setStrictEnd(bool strict) { strict_end_ = strict; }

  // True when every step has been consumed.
  bool finished() const { return next_ >= steps_.size(); }
  // The next unconsumed step, for failure messages ("" when finished).
  std::string pendingStep() const;
  // Everything the client wrote so far.
  const std::string& written() const { return written_; }

  std::size_t read(char* buffer, std::size_t size) override;
  // The server is silent (false, at once) while the script expects the client to write next.
  bool waitReadable(std::chrono::milliseconds timeout) override;
  void write(std::string_view data) override;
  void startTls() override;
  bool isEncrypted() const override { return encrypted_; }

 private:
  struct Step {
    enum class Kind { kClient, kServer, kStartTls, kClose, kTimeout };
    Kind kind;
    std::string bytes;
    std::size_t done = 0;  // bytes consumed so far
  };
  [[noreturn]] void mismatch(const std::string& what);

  std::vector<Step> steps_;
  std::size_t next_ = 0;
  std::size_t read_chunk_ = static_cast<std::size_t>(-1);
  bool strict_end_ = true;
  bool encrypted_ = false;
  bool closed_ = false;
  std::string written_;
};

// For a source's stream factory: a stream forwarding to `script`, which the test keeps and
// inspects after the source is done with it. `implicit_tls`: encrypted from the start, as the
// production factory makes IMAPS/POP3S streams.
std::unique_ptr<net::ByteStream> borrowStream(ScriptedStream& script, bool implicit_tls = false);

}  // namespace hd::test
