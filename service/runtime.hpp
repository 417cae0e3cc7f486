#pragma once
// The composition root: turns a validated Config into workers, a status board and the HTTP
// endpoint. The only place that knows every module.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "service/config.hpp"
#include "service/http/metrics.hpp"
#include "service/http/status_report.hpp"
#include "service/mailbox_worker.hpp"
#include "service/status_board.hpp"
#include "service/stop_signal.hpp"

namespace hd::service {

struct RuntimeHooks {
  FaultHooks faults;  // fault injection for tests (HD_FAULT_* environment variables)
};

class Runtime {
 public:
  explicit Runtime(Config config, RuntimeHooks hooks = {});
  ~Runtime();

  // --once: one pass over every mailbox, concurrently. True when every pass succeeded.
  // One pass per mailbox; a stop ends each after the batch at hand. True when all succeeded and
  // none was interrupted.
  bool runOnce(const StopSignal& stop);

  // Long-running mode: HTTP endpoint plus one worker thread per mailbox until `stop`. Returns
  // after the workers have finished (or `grace` has passed: then the caller should exit at once).
  bool serve(const StopSignal& stop, std::chrono::seconds grace);

 private:
  std::unique_ptr<MailboxWorker> makeWorker(const MailboxConfig& mailbox);

  Config config_;
  RuntimeHooks hooks_;
  StatusBoard board_;
  http::Metrics metrics_;
  bool record_metrics_ = false;  // serve() only
};

}  // namespace hd::service
