#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "tests/support/test_env.hpp"

namespace hd::test {

TempFile::TempFile(const std::string& content, const std::string& suffix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "hd-test-XXXXXX").string() + suffix;
  const int fd = ::mkstemps(pattern.data(), static_cast<int>(suffix.size()));
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemps " + pattern);
  path_ = pattern;
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw std::system_error(error, std::generic_category(), "write " + path_);
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

TempFile::~TempFile() {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

std::string readTestFile(const std::string& relative_path) {
  const std::filesystem::path path = std::filesystem::path(HD_TEST_DATA_DIR) / relative_path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read test file " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace hd::test
