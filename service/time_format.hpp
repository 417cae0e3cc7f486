#pragma once

#include <chrono>
#include <string>

namespace hd::service {

// "2026-11-26T12:50:18Z" (RFC 3339, UTC, whole seconds).
std::string formatRfc3339(std::chrono::system_clock::time_point time);

}  // namespace hd::service
