#include "tests/bench/bench_figures.hpp"

#include <algorithm>
#include <cstdio>

namespace hd::bench {

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::string ratioText(double raw_seconds, double seconds) {
  if (!(raw_seconds > 0) || !(seconds > 0)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.3fx", raw_seconds / seconds);
  return text;
}

CpuBudget cpuBudget(double our_cpu_seconds, double postgres_cpu_seconds, double dovecot_cpu_seconds,
                    int messages, double raw_seconds, int cores) {
  CpuBudget budget;
  if (messages <= 0) return budget;
  budget.ours_ms = 1000 * our_cpu_seconds / messages;
  budget.postgres_ms = 1000 * postgres_cpu_seconds / messages;
  budget.dovecot_ms = 1000 * dovecot_cpu_seconds / messages;
  budget.total_ms = budget.ours_ms + budget.postgres_ms + budget.dovecot_ms;
  const double total_seconds = our_cpu_seconds + postgres_cpu_seconds + dovecot_cpu_seconds;
  if (total_seconds > 0 && cores > 0) budget.ceiling_vs_raw = raw_seconds / (total_seconds / cores);
  return budget;
}

}  // namespace hd::bench
