#pragma once
// Random lowercase alphanumeric names for scratch databases, mailbox users and temp files, so
// tests running in parallel (ctest -j) never collide. Thread-safe.

#include <cstddef>
#include <string>

namespace hd::test {

std::string randomName(std::size_t length);

}  // namespace hd::test
