#pragma once
// CPU seconds (user + system) and minor page faults of a server's process tree, read from /proc:
// the master named by its pid file, its live children, and the children it has already reaped
// (cutime/cstime, cminflt). Used to charge PostgreSQL and Dovecot for their share of a benchmark
// phase (a delta of two readings).

#include <string>

namespace hd::bench {

struct ProcessTreeUsage {
  double cpu_seconds = 0;
  double minor_faults = 0;
};

// Throws std::runtime_error when the pid file or the master's /proc entry cannot be read.
ProcessTreeUsage processTreeUsage(const std::string& pid_file);

inline double processTreeCpuSeconds(const std::string& pid_file) {
  return processTreeUsage(pid_file).cpu_seconds;
}

}  // namespace hd::bench
