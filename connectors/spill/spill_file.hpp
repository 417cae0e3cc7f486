#pragma once
// An anonymous temporary file for bytes too large to keep in memory (a big literal, a decoded
// attachment). It never has a name the process could forget to remove: O_TMPFILE where the file
// system offers it, else mkstemp() and unlink() at once. The kernel frees it when the last
// descriptor closes, after a kill -9 as well.
//
// Written once (append), then read any number of times (readAt, also from several threads).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hd::spill {

// The name a spill file has for an instant where O_TMPFILE is missing (mkstemp, then unlink): a
// crash in between leaves "<directory>/helpdesk-ingest-spill.XXXXXX" behind, which the service
// removes at start (service/spill_directory.hpp).
inline constexpr std::string_view kNamedSpillFilePrefix = "helpdesk-ingest-spill.";

class SpillFile {
 public:
  // Throws std::system_error naming `directory` when no file can be made there.
  static std::shared_ptr<SpillFile> create(const std::string& directory);

  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;
  ~SpillFile();

  // Writes at the end. Throws std::system_error (e.g. ENOSPC: the directory is full).
  void append(std::string_view bytes);
  std::uint64_t size() const { return size_; }

  // Up to `count` bytes from `offset`; fewer only at the end of the file.
  std::size_t readAt(std::uint64_t offset, char* out, std::size_t count) const;

  // For libraries that read a descriptor themselves (GMime): owned by this object, never close
  // it; dup() it to hand it over.
  int descriptor() const { return fd_; }

 private:
  explicit SpillFile(int fd) : fd_(fd) {}
  int fd_;
  std::uint64_t size_ = 0;
};

}  // namespace hd::spill
