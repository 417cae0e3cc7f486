#pragma once
// One process's counters from /proc/PID/stat, for tests and benchmarks that charge a process (a
// server's, a PostgreSQL backend's) for what it did between two readings.

#include <optional>
#include <string>

namespace hd::test {

struct ProcStat {
  long ppid = 0;
  double minor_faults = 0;           // minflt
  double children_minor_faults = 0;  // cminflt (reaped children)
  double cpu_seconds = 0;            // utime + stime
  double children_cpu_seconds = 0;   // cutime + cstime (reaped children)
};

// nullopt when the process is gone or its entry cannot be read (another host's pid, say).
std::optional<ProcStat> readProcStat(const std::string& pid);

}  // namespace hd::test
