#include "service/spill_directory.hpp"

#include <Poco/Logger.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "connectors/spill/spill_file.hpp"
#include "service/spill_budget.hpp"

namespace hd::service {
namespace {

constexpr const char* kKey = "limits.spill_directory";

[[noreturn]] void refuse(const std::string& directory, const std::string& reason) {
  throw ConfigError(kKey, "\"" + directory + "\" " + reason);
}

// mkstemp() replaces XXXXXX by letters and digits.
bool isLeftoverName(const std::string& name) {
  const std::string_view prefix = spill::kNamedSpillFilePrefix;
  if (name.size() != prefix.size() + 6 || name.compare(0, prefix.size(), prefix) != 0) return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0; });
}

}  // namespace

void checkSpillDirectory(const spill::SpillPolicy& policy) {
  const std::string& directory = policy.directory;
  struct stat info {};
  if (::stat(directory.c_str(), &info) != 0) refuse(directory, std::strerror(errno));
  if (!S_ISDIR(info.st_mode)) refuse(directory, "is not a directory");
  // A few KiB written and read back: creating alone succeeds on a full file system.
  const std::string probe(4096, 'x');
  try {
    auto file = spill::SpillFile::create(directory);
    file->append(probe);
    std::string back(probe.size(), '\0');
    if (file->readAt(0, back.data(), back.size()) != probe.size() || back != probe)
      refuse(directory, "gave back other bytes than were written to a spill file");
  } catch (const std::system_error& e) {
    refuse(directory, "cannot hold spill files: " + e.code().message());
  }
}

std::size_t removeLeftoverSpillFiles(const std::string& directory) {
  std::size_t removed = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
       it.increment(error)) {
    if (!isLeftoverName(it->path().filename().string())) continue;
    std::error_code status_error;
    if (it->symlink_status(status_error).type() != std::filesystem::file_type::regular) continue;
    if (::unlink(it->path().c_str()) == 0) ++removed;
  }
  return removed;
}

void prepareSpillDirectory(const Config& config) {
  const std::string& directory = config.limits.spill.directory;
  checkSpillDirectory(config.limits.spill);
  Poco::Logger& log = Poco::Logger::get("hd.service");
  const std::size_t removed = removeLeftoverSpillFiles(directory);
  if (removed > 0) {
    log.warning("spill directory %s: removed %z leftover spill file(s) of an earlier crash",
                directory, removed);
  }
  constexpr std::uint64_t kMiB = 1024 * 1024;
  const std::uint64_t needed = spillSpaceBound(config.limits, config.mailboxes.size()) / kMiB;
  std::error_code error;
  const std::uint64_t free = std::filesystem::space(directory, error).available / kMiB;
  const std::string text = "spill directory " + directory + ": writable, " +
                           std::to_string(removed) + " leftover spill file(s) removed; big mail " +
                           "may need up to " + std::to_string(needed) + " MiB there at once";
  if (error) {
    log.information(text);
  } else if (free < needed) {
    log.warning(text + ", only " + std::to_string(free) + " MiB free (README: Big mail on disk)");
  } else {
    log.information(text + " (" + std::to_string(free) + " MiB free)");
  }
}

}  // namespace hd::service
