#include "service/application.hpp"

#include <Poco/Logger.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/IntValidator.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionSet.h>
#include <pthread.h>
#include <unistd.h>

#include <csignal>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "connectors/net/redact.hpp"
#include "service/auth_command.hpp"
#include "service/config.hpp"
#include "service/healthcheck.hpp"
#include "service/logging.hpp"
#include "service/runtime.hpp"
#include "service/spill_directory.hpp"

namespace hd::service {
namespace {

constexpr std::chrono::seconds kShutdownGrace{30};

// Test hooks, to prove that a crash neither loses nor duplicates mail:
// - HD_FAULT_EXIT_AFTER_COMMIT=1: the process dies right after the first batch's commit, before
//   its acknowledge;
// - HD_FAULT_KILL_IN_COMMIT=N (N >= 1): the process SIGKILLs itself inside the first batch's open
//   transaction, after N messages of it were written;
// - HD_FAULT_PAUSE_AFTER_COMMIT_MS=N: every batch's commit is followed by an N ms pause, so that a
//   test's signal surely arrives in the middle of a pass.
FaultHooks faultInjectionFromEnvironment() {
  FaultHooks hooks;
  const char* exit_after = std::getenv("HD_FAULT_EXIT_AFTER_COMMIT");
  if (exit_after && std::string(exit_after) == "1") {
    hooks.after_commit = [] {
      std::cerr << "HD_FAULT_EXIT_AFTER_COMMIT: exiting between commit and acknowledge"
                << std::endl;
      _exit(86);
    };
  }
  const char* pause = std::getenv("HD_FAULT_PAUSE_AFTER_COMMIT_MS");
  const long pause_ms = pause ? std::atol(pause) : 0;
  if (pause_ms > 0 && !hooks.after_commit) {
    hooks.after_commit = [pause_ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    };
  }
  const char* kill_in = std::getenv("HD_FAULT_KILL_IN_COMMIT");
  const long written = kill_in ? std::atol(kill_in) : 0;
  if (written > 0) {
    hooks.in_commit = [written](std::size_t index) {
      if (index < static_cast<std::size_t>(written)) return;
      std::cerr << "HD_FAULT_KILL_IN_COMMIT: SIGKILL inside the group commit" << std::endl;
      ::kill(::getpid(), SIGKILL);
    };
  }
  return hooks;
}

}  // namespace

int Application::runMain(int argc, char** argv) {
  Application app;
  try {
    app.init(argc, argv);
  } catch (const Poco::Util::OptionException& e) {
    std::cerr << "helpdesk-ingest: " << e.displayText() << "\nTry 'helpdesk-ingest --help'.\n";
    return kExitUsage;
  } catch (const Poco::Exception& e) {
    std::cerr << "helpdesk-ingest: " << e.displayText() << "\n";
    return kExitUsage;
  }
  try {
    return app.run();
  } catch (const std::exception& e) {
    std::cerr << "helpdesk-ingest: fatal: " << net::redactSecrets(e.what()) << "\n";
    return kExitPassFailed;
  }
}

void Application::defineOptions(Poco::Util::OptionSet& options) {
  // Not ServerApplication::defineOptions: --daemon/--pidfile make no sense in a container.
  using Poco::Util::Option;
  options.addOption(
      Option("help", "h", "Show this help and exit.").required(false).repeatable(false));
  options.addOption(
      Option("version", "", "Print the version and exit.").required(false).repeatable(false));
  options.addOption(Option("config", "c", "Read the JSON configuration from FILE (required).")
                        .required(false)
                        .repeatable(false)
                        .argument("FILE"));
  options.addOption(
      Option("once", "",
             "Make one pass over every mailbox and exit: 0 when all passes succeeded, "
             "1 when any failed. No HTTP endpoint, no retries.")
          .required(false)
          .repeatable(false));
  options.addOption(Option("mailbox", "m", "With `auth login|status`: the mailbox NAME.")
                        .required(false)
                        .repeatable(false)
                        .argument("NAME"));
  // The URL is optional: without it the probe reads http.listen from the configuration.
  options.addOption(Option("healthcheck", "",
                           "GET URL and exit 0 when it answers 200, else 1 (for Docker "
                           "HEALTHCHECK). Without URL: /healthz at the http.listen of --config "
                           "FILE, default " +
                               std::string(kDefaultConfigPath) + ".")
                        .required(false)
                        .repeatable(false)
                        .argument("URL", false));
}

void Application::handleOption(const std::string& name, const std::string& value) {
  if (name == "help") {
    help_ = true;
    stopOptionsProcessing();
  } else if (name == "version") {
    version_ = true;
  } else if (name == "config") {
    config_path_ = value;
  } else if (name == "once") {
    once_ = true;
  } else if (name == "mailbox") {
    mailbox_ = value;
  } else if (name == "healthcheck") {
    healthcheck_ = true;
    healthcheck_url_ = value;
  }
}

void Application::printHelp() {
  Poco::Util::HelpFormatter formatter(options());
  formatter.setUnixStyle(true);
  formatter.setCommand("helpdesk-ingest");
  formatter.setUsage("--config FILE [--once] | auth login|status --config FILE [--mailbox NAME]");
  formatter.setHeader(
      "Turns support mailboxes (IMAP or POP3 over TLS; Outlook.com / Microsoft 365 first) into "
      "helpdesk "
      "tickets in PostgreSQL, and serves /healthz and /status over HTTP.\n"
      "A message is acknowledged on the server (flagged, moved or deleted) only after its ticket "
      "rows are "
      "committed, so a crash or an outage leads to a retry, never a lost or duplicated ticket.");
  formatter.setFooter(
      "Exit codes: 0 success; 1 a mailbox pass failed (--once); 2 usage or configuration error.\n"
      "SIGTERM or SIGINT stops after the batch at hand (at most 30 s); --once then exits 1.\n"
      "Mail and attachments over limits.spill_threshold_bytes (default 4 MiB) are kept in "
      "anonymous files in limits.spill_directory (default $TMPDIR, else /tmp) instead of memory; "
      "the service does not start unless it can write there (exit 2). Size that directory as "
      "README.md says (Big mail on disk).\n"
      "The configuration format is described in README.md and deploy/config.example.json.");
  formatter.format(std::cout);
}

// Every failure is exit 1, a configuration error included: Docker reserves exit 2 of a
// HEALTHCHECK command.
int Application::healthcheck(const std::vector<std::string>& args) {
  std::string url = healthcheck_url_;
  // An optional argument must be attached (--healthcheck=URL); the older `--healthcheck URL`
  // arrives as the one positional argument.
  if (url.empty() && args.size() == 1) {
    url = args.front();
  } else if (!args.empty()) {
    std::cerr << "healthcheck: unexpected argument '" << args.back() << "'\n";
    return kExitPassFailed;
  }
  const std::string config_path = config_path_.empty() ? kDefaultConfigPath : config_path_;
  try {
    url = healthcheckUrl(url, config_path);
  } catch (const ConfigError& e) {
    std::cerr << "healthcheck: configuration error in " << config_path << ": "
              << net::redactSecrets(e.what()) << "\n";
    return kExitPassFailed;
  } catch (const std::exception&) {
    // As in main(): not a ConfigError is a bug in the checks, and its text may quote the file.
    std::cerr << "healthcheck: configuration error in " << config_path
              << ": the file could not be checked\n";
    return kExitPassFailed;
  }
  return probeHealth(url, std::cerr);
}

int Application::main(const std::vector<std::string>& args) {
  if (help_) {
    printHelp();
    return kExitOk;
  }
  if (version_) {
    std::cout << "helpdesk-ingest " << HD_VERSION << "\n";
    return kExitOk;
  }
  if (healthcheck_) return healthcheck(args);
  const bool auth_command = !args.empty() && args.front() == "auth";
  if (!args.empty() && !auth_command) {
    std::cerr << "helpdesk-ingest: unexpected argument '" << args.front()
              << "'\nTry 'helpdesk-ingest --help'.\n";
    return kExitUsage;
  }
  if (config_path_.empty()) {
    std::cerr << "helpdesk-ingest: --config FILE is required\nTry 'helpdesk-ingest --help'.\n";
    return kExitUsage;
  }

  Config config;
  try {
    config = loadConfig(config_path_);
  } catch (const ConfigError& e) {
    std::cerr << "helpdesk-ingest: configuration error in " << config_path_ << ": "
              << net::redactSecrets(e.what()) << "\n";
    return kExitUsage;
  } catch (const std::exception&) {
    // Not a ConfigError: a bug in the checks. Still a configuration problem, and its text is not
    // printed (it may quote the file).
    std::cerr << "helpdesk-ingest: configuration error in " << config_path_
              << ": the file could not be checked\n";
    return kExitUsage;
  }
  configureLogging(config.log.level, config.log.format);
  for (const auto& warning : config.warnings) Poco::Logger::get("hd.config").warning(warning);
  if (auth_command) {
    return runAuthCommand(config, std::vector<std::string>(args.begin() + 1, args.end()), mailbox_,
                          std::cout, std::cerr);
  }

  // Big mail must have somewhere to go before any mailbox is touched.
  try {
    prepareSpillDirectory(config);
  } catch (const ConfigError& e) {
    std::cerr << "helpdesk-ingest: configuration error in " << config_path_ << ": " << e.what()
              << "\n";
    return kExitUsage;
  }
  Runtime runtime(config, RuntimeHooks{faultInjectionFromEnvironment()});

  // Block SIGINT/SIGTERM in this thread BEFORE any other thread exists, so every thread inherits
  // the mask and the signal reaches only the waiter's sigwait() (ServerApplication's
  // waitForTerminationRequest) instead of killing the process from an arbitrary thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGQUIT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  StopSignal stop;
  std::thread waiter([this, &stop] {
    waitForTerminationRequest();  // SIGINT / SIGTERM
    stop.requestStop();
  });
  if (once_) {
    const bool ok = runtime.runOnce(stop);
    const bool interrupted = stop.stopRequested();
    if (!interrupted) terminate();  // ends the waiter's sigwait()
    waiter.join();
    if (interrupted) {
      // Everything committed is acknowledged; the rest waits for the next run. Not a success.
      Poco::Logger::get("hd.service")
          .warning("--once interrupted by a signal: stopped after the batch at hand");
      return kExitPassFailed;
    }
    return ok ? kExitOk : kExitPassFailed;
  }
  bool clean = false;
  try {
    clean = runtime.serve(stop, kShutdownGrace);
  } catch (const std::exception& e) {
    std::cerr << "helpdesk-ingest: cannot serve: " << net::redactSecrets(e.what()) << "\n";
    stop.requestStop();
    terminate();
    waiter.join();
    return kExitPassFailed;
  }
  waiter.join();
  // Worker threads are still blocked in I/O (see Runtime::serve): nothing unacknowledged is lost,
  // but a pass was cut short, so the exit is not reported as a clean one.
  if (!clean) _exit(kExitPassFailed);
  return kExitOk;
}

}  // namespace hd::service
