#include "service/pass_result.hpp"

namespace hd::service {

PassResult PassResult::succeeded(PassReport counts, std::chrono::system_clock::time_point started,
                                 std::chrono::system_clock::time_point finished) {
  PassResult result;
  result.counts = counts;
  result.started = started;
  result.finished = finished;
  return result;
}

PassResult PassResult::failed(PassFailure failure, std::chrono::system_clock::time_point started,
                              std::chrono::system_clock::time_point finished) {
  PassResult result;
  result.outcome = failure.needs_person ? PassOutcome::kAuthRequired : PassOutcome::kFailed;
  result.failure = std::move(failure);
  result.started = started;
  result.finished = finished;
  return result;
}

}  // namespace hd::service
