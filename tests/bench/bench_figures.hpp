#pragma once
// The arithmetic behind wire_bench's table: medians, ratios to the raw fetch, and the CPU budget
// that says how fast a pass could be on this machine at best. Pure functions.

#include <string>
#include <vector>

namespace hd::bench {

// The median; the mean of the two middle values for an even count; 0 for none.
double median(std::vector<double> values);

// "0.113x": how fast `seconds` is next to `raw_seconds` (raw / seconds); "-" when not measurable.
std::string ratioText(double raw_seconds, double seconds);

// CPU seconds per message of each party, and the best ratio to the raw fetch that `cores` could
// give if every CPU second of the pass overlapped perfectly: raw_seconds / (total CPU / cores).
struct CpuBudget {
  double ours_ms = 0, postgres_ms = 0, dovecot_ms = 0, total_ms = 0;
  double ceiling_vs_raw = 0;
};
CpuBudget cpuBudget(double our_cpu_seconds, double postgres_cpu_seconds, double dovecot_cpu_seconds,
                    int messages, double raw_seconds, int cores);

}  // namespace hd::bench
