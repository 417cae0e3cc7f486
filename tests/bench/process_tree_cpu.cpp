#include "tests/bench/process_tree_cpu.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace hd::bench {
namespace {

struct Stat {
  long ppid = 0;
  double own = 0;                              // utime + stime
  double children = 0;                         // cutime + cstime (reaped children)
  double own_faults = 0, children_faults = 0;  // minflt, cminflt
};

// /proc/PID/stat: "pid (comm) state ppid ...", comm may contain spaces: parse after the last ')'.
bool readStat(const std::string& pid, Stat& out) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> f;
  for (std::string v; fields >> v;) f.push_back(v);
  if (f.size() < 15) return false;
  // After comm: state(0) ppid(1) ... minflt(7) cminflt(8) ... utime(11) stime(12) cutime(13)
  // cstime(14).
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  out.ppid = std::stol(f[1]);
  out.own_faults = std::stod(f[7]);
  out.children_faults = std::stod(f[8]);
  out.own = (std::stod(f[11]) + std::stod(f[12])) / tick;
  out.children = (std::stod(f[13]) + std::stod(f[14])) / tick;
  return true;
}

}  // namespace

ProcessTreeUsage processTreeUsage(const std::string& pid_file) {
  std::ifstream in(pid_file);
  long master = 0;
  if (!(in >> master) || master <= 0) throw std::runtime_error("no pid in " + pid_file);
  Stat root;
  if (!readStat(std::to_string(master), root)) {
    throw std::runtime_error("cannot read /proc of pid " + std::to_string(master));
  }
  ProcessTreeUsage total{root.own + root.children, root.own_faults + root.children_faults};
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    Stat child;
    if (readStat(name, child) && child.ppid == master) {
      total.cpu_seconds += child.own + child.children;
      total.minor_faults += child.own_faults + child.children_faults;
    }
  }
  return total;
}

}  // namespace hd::bench
