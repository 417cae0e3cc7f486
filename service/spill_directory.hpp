#pragma once
// The spill directory at start (limits.spill_directory): big mail must be able to go there, or
// the service refuses to start instead of failing its first big message; and what a crash may
// have left there is removed.

#include <cstddef>
#include <string>

#include "connectors/spill/bytes.hpp"
#include "service/config.hpp"

namespace hd::service {

// At start, before any mailbox is touched: checkSpillDirectory(), then
// removeLeftoverSpillFiles(); logs how many were removed and how much room big mail may need
// there (service/spill_budget.hpp), a warning when less is free. Throws what the check throws.
void prepareSpillDirectory(const Config& config);

// Throws ConfigError("limits.spill_directory", reason) unless `policy.directory` exists, is a
// directory (symlinks followed) and a spill file can be created there, written and read back.
// The reason names the directory and the system's error ("No such file or directory",
// "Permission denied", "No space left on device").
void checkSpillDirectory(const spill::SpillPolicy& policy);

// Removes the regular files "helpdesk-ingest-spill.XXXXXX" directly in `directory`: spill files
// are anonymous, but where O_TMPFILE is missing a crash between mkstemp() and unlink() leaves
// one behind (spill/spill_file.hpp). Safe while another process spills there too: such a file
// is already open, and removing its name is what that process does next. Files it may not
// remove (another user's in a sticky /tmp) are left alone. Returns how many were removed.
std::size_t removeLeftoverSpillFiles(const std::string& directory);

}  // namespace hd::service
