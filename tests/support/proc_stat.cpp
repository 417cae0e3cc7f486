#include "tests/support/proc_stat.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace hd::test {

std::optional<ProcStat> readProcStat(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // "pid (comm) state ppid ...": comm may contain spaces, so the fields start after the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> f;
  for (std::string v; fields >> v;) f.push_back(v);
  if (f.size() < 15) return std::nullopt;
  // After comm: state(0) ppid(1) ... minflt(7) cminflt(8) ... utime(11) stime(12) cutime(13)
  // cstime(14).
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  ProcStat s;
  s.ppid = std::stol(f[1]);
  s.minor_faults = std::stod(f[7]);
  s.children_minor_faults = std::stod(f[8]);
  s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / tick;
  s.children_cpu_seconds = (std::stod(f[13]) + std::stod(f[14])) / tick;
  return s;
}

}  // namespace hd::test
