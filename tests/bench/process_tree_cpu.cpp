#include "tests/bench/process_tree_cpu.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/support/proc_stat.hpp"

namespace hd::bench {

ProcessTreeUsage processTreeUsage(const std::string& pid_file) {
  std::ifstream in(pid_file);
  long master = 0;
  if (!(in >> master) || master <= 0) throw std::runtime_error("no pid in " + pid_file);
  const auto root = test::readProcStat(std::to_string(master));
  if (!root) throw std::runtime_error("cannot read /proc of pid " + std::to_string(master));
  const auto add = [](ProcessTreeUsage& total, const test::ProcStat& s) {
    total.cpu_seconds += s.cpu_seconds + s.children_cpu_seconds;
    total.minor_faults += s.minor_faults + s.children_minor_faults;
  };
  ProcessTreeUsage total;
  add(total, *root);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (const auto child = test::readProcStat(name); child && child->ppid == master) {
      add(total, *child);
    }
  }
  return total;
}

}  // namespace hd::bench
