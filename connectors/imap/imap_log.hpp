#pragma once
// The logger every part of the IMAP connector writes to.

#include <Poco/Logger.h>

namespace hd::imap {

inline Poco::Logger& logger() {
  return Poco::Logger::get("hd.imap");
}

}  // namespace hd::imap
