#pragma once
// CPU seconds (user + system) of a server's process tree, read from /proc: the master named by its
// pid file, its live children, and the children it has already reaped (cutime/cstime). Used to
// charge PostgreSQL and Dovecot for their share of a benchmark phase (a delta of two readings).

#include <string>

namespace hd::bench {

// Throws std::runtime_error when the pid file or the master's /proc entry cannot be read.
double processTreeCpuSeconds(const std::string& pid_file);

}  // namespace hd::bench
