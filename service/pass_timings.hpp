#pragma once
// Where a pass's time went, for the operator (the pass's summary line and /metrics): is it the
// mail server, our parsing or the database? The fetch stage's time in the source's fetches and in
// parsing; the commit stage's in group commits and waiting for fetched mail; the acknowledge
// stage's in the source's acknowledges, with the checkpoint saves. The stages overlap, so the
// parts add up to more than the pass.

#include <array>
#include <chrono>
#include <string_view>

namespace hd::service {

struct PassTimings {
  using Duration = std::chrono::steady_clock::duration;
  Duration fetching{0};
  Duration parsing{0};
  Duration committing{0};
  Duration waiting_for_mail{0};
  Duration acknowledging{0};
};

struct PassStage {
  std::string_view name;  // a metric label; the log writes it with spaces for '_'
  PassTimings::Duration PassTimings::*time;
};

// Every stage, in the order the summary line and /metrics show them.
inline constexpr std::array<PassStage, 5> kPassStages{{
    {"fetching", &PassTimings::fetching},
    {"parsing", &PassTimings::parsing},
    {"committing", &PassTimings::committing},
    {"waiting_for_mail", &PassTimings::waiting_for_mail},
    {"acknowledging", &PassTimings::acknowledging},
}};

}  // namespace hd::service
