#include "connectors/spill/spill_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace hd::spill {
namespace {

[[noreturn]] void fail(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

int openAnonymous(const std::string& directory) {
#ifdef O_TMPFILE
  const int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
    // EOPNOTSUPP/EISDIR: the file system has no O_TMPFILE; anything else: mkstemp will say why.
#endif
  std::string path = directory + "/" + std::string(kNamedSpillFilePrefix) + "XXXXXX";
  const int named = ::mkostemp(path.data(), O_CLOEXEC);
  if (named < 0) fail(errno, "cannot create a spill file in " + directory);
  ::unlink(path.c_str());
  return named;
}

}  // namespace

std::shared_ptr<SpillFile> SpillFile::create(const std::string& directory) {
  return std::shared_ptr<SpillFile>(new SpillFile(openAnonymous(directory)));
}

SpillFile::~SpillFile() {
  ::close(fd_);
}

void SpillFile::append(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno, "cannot write a spill file");
    }
    size_ += static_cast<std::uint64_t>(n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::size_t SpillFile::readAt(std::uint64_t offset, char* out, std::size_t count) const {
  std::size_t done = 0;
  while (done < count) {
    const ssize_t n = ::pread(fd_, out + done, count - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno, "cannot read a spill file");
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

}  // namespace hd::spill
