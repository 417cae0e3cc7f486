// The arithmetic of wire_bench's table (tests/bench/bench_figures.hpp).

#include "tests/bench/bench_figures.hpp"

#include <gtest/gtest.h>

namespace hd::bench {
namespace {

TEST(BenchFigures, MedianOfAnOddCountIsTheMiddleValue) {
  EXPECT_DOUBLE_EQ(median({5, 1, 3}), 3);
  EXPECT_DOUBLE_EQ(median({7}), 7);
}

TEST(BenchFigures, MedianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues) {
  EXPECT_DOUBLE_EQ(median({4, 1, 10, 2}), 3) << "not the upper middle (4)";
  EXPECT_DOUBLE_EQ(median({1, 2}), 1.5);
}

TEST(BenchFigures, MedianOfNothingIsZero) {
  EXPECT_DOUBLE_EQ(median({}), 0);
}

TEST(BenchFigures, RatioIsRawOverMeasured) {
  EXPECT_EQ(ratioText(10, 80), "0.125x");
  EXPECT_EQ(ratioText(3, 1), "3.000x");
  EXPECT_EQ(ratioText(10, 0), "-");
  EXPECT_EQ(ratioText(0, 5), "-");
}

TEST(BenchFigures, CpuBudgetPerMessageAndCeiling) {
  // 600 messages: 3 s ours, 6 s PostgreSQL, 3 s Dovecot = 12 s of CPU; on 2 cores at least 6 s
  // of wall time, so a 1.5 s raw fetch caps the ratio at 0.25x.
  const CpuBudget b = cpuBudget(3, 6, 3, 600, 1.5, 2);
  EXPECT_DOUBLE_EQ(b.ours_ms, 5);
  EXPECT_DOUBLE_EQ(b.postgres_ms, 10);
  EXPECT_DOUBLE_EQ(b.dovecot_ms, 5);
  EXPECT_DOUBLE_EQ(b.total_ms, 20);
  EXPECT_DOUBLE_EQ(b.ceiling_vs_raw, 0.25);
}

TEST(BenchFigures, CpuBudgetOfNoMessagesIsEmpty) {
  const CpuBudget b = cpuBudget(1, 1, 1, 0, 1, 2);
  EXPECT_DOUBLE_EQ(b.total_ms, 0);
  EXPECT_DOUBLE_EQ(b.ceiling_vs_raw, 0);
}

}  // namespace
}  // namespace hd::bench
