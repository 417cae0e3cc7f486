#pragma once
// The bytes of a message or an attachment: a string when small, an anonymous spill file when
// large (spill_file.hpp), so a 150 MB mail never sits in memory. Copies share the file.
//
// Small contents behave like a string (implicit from std::string, ==, size()), so code and tests
// that only ever see small mail stay simple; code on the big-mail path reads forEachChunk().

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/spill/spill_file.hpp"

namespace hd::spill {

class Bytes {
 public:
  Bytes() = default;
  Bytes(std::string in_memory) : memory_(std::move(in_memory)) {}  // NOLINT: implicit on purpose
  Bytes(const char* in_memory) : memory_(in_memory) {}             // NOLINT
  static Bytes inFile(std::shared_ptr<const SpillFile> file);

  std::uint64_t size() const { return file_ ? file_->size() : memory_.size(); }
  bool empty() const { return size() == 0; }

  bool inMemory() const { return file_ == nullptr; }
  // The bytes, when in memory. Throws std::logic_error for a spilled content: the caller forgot
  // the big-mail path.
  const std::string& memory() const;
  // The spill file, or nullptr when in memory.
  const std::shared_ptr<const SpillFile>& file() const { return file_; }

  // Calls `consume` with consecutive pieces of at most `chunk` bytes, in order (none when
  // empty). At most one piece is in memory at a time for a spilled content.
  void forEachChunk(std::size_t chunk, const std::function<void(std::string_view)>& consume) const;

  // Every byte in one string: for contents known to be small, and tests.
  std::string toString() const;
  // The first `max` bytes (all of them when fewer).
  std::string head(std::size_t max) const;

  friend bool operator==(const Bytes& bytes, std::string_view other);

 private:
  std::string memory_;
  std::shared_ptr<const SpillFile> file_;
};

// SHA-256 of the bytes (lowercase hex), read in chunks.
std::string sha256Hex(const Bytes& bytes);

// Where and from what size contents go to a spill file. The service's defaults come from
// limits.spill_directory ($TMPDIR, else /tmp) and limits.spill_threshold_bytes (4 MiB: the
// 1-2 MB attachments of everyday mail stay in memory, a message the size of a whole batch does
// not).
struct SpillPolicy {
  std::string directory = "/tmp";
  std::uint64_t threshold_bytes = 4u * 1024 * 1024;
};

// Collects bytes as they arrive (a literal read in pieces, a decoded part): in memory up to the
// policy's threshold, then in a spill file from the first byte.
class BytesBuilder {
 public:
  explicit BytesBuilder(SpillPolicy policy) : policy_(std::move(policy)) {}

  // Announces the total, when known in advance (an IMAP literal): over the threshold, the bytes
  // go straight to a file, never through memory; under it, the string is allocated once.
  void expect(std::uint64_t total);
  void append(std::string_view bytes);
  std::uint64_t size() const { return file_ ? file_->size() : memory_.size(); }
  Bytes finish() &&;

 private:
  void spill();

  SpillPolicy policy_;
  std::string memory_;
  std::shared_ptr<SpillFile> file_;
};

}  // namespace hd::spill
