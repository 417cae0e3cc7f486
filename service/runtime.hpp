#pragma once
// The composition root: turns a validated Config into workers, a status board and the HTTP
// endpoint. The only place that knows every module.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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

  // Long-running mode: HTTP endpoint plus one worker thread per mailbox until `stop`. Returns true
  // after every worker thread has finished and been joined; false when `grace` passed first (a
  // pass stuck in a read): then the caller must exit the process at once (_exit), without
  // destroying this Runtime, whose destructor would wait for those threads.
  bool serve(const StopSignal& stop, std::chrono::seconds grace);

 private:
  std::unique_ptr<MailboxWorker> makeWorker(const MailboxConfig& mailbox);
  void joinWorkers();

  Config config_;
  RuntimeHooks hooks_;
  StatusBoard board_;
  http::Metrics metrics_;
  bool record_metrics_ = false;  // serve() only
  // serve()'s worker threads; they use this Runtime (board, metrics) and their worker.
  struct Workers {
    std::vector<std::unique_ptr<MailboxWorker>> workers;
    std::vector<std::thread> threads;
    std::mutex mutex;
    std::condition_variable done;
    std::size_t remaining = 0;  // threads still running
  } workers_;
};

}  // namespace hd::service
