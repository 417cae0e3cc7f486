#pragma once
// build/helpdesk-ingest as a child process of a test: started with arguments and extra
// environment, its stdout+stderr collected in the background (so a chatty service never blocks
// on a full pipe), stopped with a signal, waited for with a deadline.
// runService() (test_env.hpp) is the run-to-completion form. Not thread-safe apart from output().

#include <sys/types.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_env.hpp"

namespace hd::test {

class ServiceProcess {
 public:
  // Starts `binary` (default: this build's, HD_BINARY_PATH; benchmarks may run another build)
  // with `args`; `extra_env` entries "K=V" override the inherited environment. Throws
  // std::system_error when it cannot be started.
  explicit ServiceProcess(const std::vector<std::string>& args,
                          const std::vector<std::string>& extra_env = {},
                          const std::string& binary = HD_BINARY_PATH);
  ~ServiceProcess();  // SIGKILLs the process if it still runs
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signo);  // e.g. SIGTERM; no-op once the process has exited

  // Waits up to `timeout_seconds` for the exit. On timeout: SIGKILL, ADD_FAILURE, and the result
  // says signal 9. Returns the same result when called again.
  ProcessResult wait(int timeout_seconds);

  std::string output() const;  // everything printed so far

 private:
  void readOutput(int fd);

  pid_t pid_ = -1;
  bool exited_ = false;
  ProcessResult result_;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::string output_;
};

}  // namespace hd::test
