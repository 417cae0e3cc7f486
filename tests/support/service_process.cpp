#include "tests/support/service_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <system_error>

extern char** environ;

namespace hd::test {
namespace {

std::vector<std::string> mergedEnvironment(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    vars[entry.substr(0, entry.find('='))] = entry;
  }
  for (const auto& entry : extra) vars[entry.substr(0, entry.find('='))] = entry;
  std::vector<std::string> merged;
  for (auto& [key, entry] : vars) merged.push_back(std::move(entry));
  return merged;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

}  // namespace

ServiceProcess::ServiceProcess(const std::vector<std::string>& args,
                               const std::vector<std::string>& extra_env,
                               const std::string& binary) {
  std::vector<std::string> argv_strings{binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = mergedEnvironment(extra_env);
  // Everything the child needs is built before fork(): only async-signal-safe calls follow.
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  pid_ = ::fork();
  if (pid_ < 0) {
    const int error = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::system_error(error, std::generic_category(), "fork");
  }
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    static constexpr char kMessage[] = "runService: execve failed\n";
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    ::_exit(127);
  }
  ::close(fds[1]);
  reader_ = std::thread([this, fd = fds[0]] { readOutput(fd); });
}

ServiceProcess::~ServiceProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) reader_.join();
}

void ServiceProcess::readOutput(int fd) {
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    output_.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
}

bool ServiceProcess::running() {
  if (exited_) return false;
  int status = 0;
  struct rusage usage {};
  if (::wait4(pid_, &status, WNOHANG, &usage) == pid_) {
    exited_ = true;
    result_.max_rss_kb = usage.ru_maxrss;  // Linux: kilobytes
    result_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result_.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return false;
  }
  return true;
}

void ServiceProcess::signal(int signo) {
  if (running()) ::kill(pid_, signo);
}

ProcessResult ServiceProcess::wait(int timeout_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "helpdesk-ingest still running after " << timeout_seconds
                    << " s: killed. Output so far:\n"
                    << output();
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      exited_ = true;
      result_.exit_code = -1;
      result_.signal = SIGKILL;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The pipe reaches EOF once the process (and anything that inherited its stdout) is gone.
  if (reader_.joinable()) reader_.join();
  result_.output = output();
  return result_;
}

std::string ServiceProcess::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

ProcessResult runService(const std::vector<std::string>& args,
                         const std::vector<std::string>& extra_env, int timeout_seconds) {
  ServiceProcess process(args, extra_env);
  return process.wait(timeout_seconds);
}

}  // namespace hd::test
