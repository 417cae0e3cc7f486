#pragma once

#include <string>

namespace hd::service {

// Sends every POCO logger ("hd.*") to stderr, as "2026-11-26T12:00:00Z warning hd.worker: ..."
// lines or, with format "json", one JSON object per line. `level` is a POCO level name.
void configureLogging(const std::string& level, const std::string& format);

}  // namespace hd::service
