// Issue 10's benchmark: one seeded mailbox, measured in one run (so the machine's noise cancels
// in the ratios) as
//   raw IMAPS fetch | raw POP3S fetch | COPY floor | --once IMAPS (seen) | --once POP3S (keep)
// with msgs/s, MB/s, peak RSS and CPU of the client, PostgreSQL's and Dovecot's CPU (from /proc)
// and WAL fsyncs (pg_stat_wal). Runs against `deploy/local.sh bench`'s servers, whose PostgreSQL
// has fsync and synchronous_commit on. Prints figures; asserts nothing about time.
//
//   wire_bench --pg-pid-file F --dovecot-pid-file F [--messages N] [--runs R] [--service BINARY]
//              [--python-ingestor tests/bench/python_ingestor.py [--python INTERPRETER]]
//              [--limits JSON]  (a "limits" object for the passes' config, to try settings)
// (--service: another build of helpdesk-ingest, e.g. the previous commit's, for a before/after;
// --python-ingestor: also the issue's Python yardstick over IMAPS, with an interpreter that has
// psycopg2.)

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "db/ticket_store.hpp"
#include "tests/bench/bench_corpus.hpp"
#include "tests/bench/bench_figures.hpp"
#include "tests/bench/copy_floor.hpp"
#include "tests/bench/process_tree_cpu.hpp"
#include "tests/bench/raw_fetch.hpp"
#include "tests/support/latency_proxy.hpp"
#include "tests/support/test_env.hpp"

extern char** environ;

using namespace hd;
using namespace hd::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kPython = "Python ingestor (ref.)";

struct Options {
  int messages = 2000;
  int runs = 1;
  std::string pg_pid_file, dovecot_pid_file;
  std::string service = HD_BINARY_PATH;
  std::string python_ingestor;     // the issue's Python yardstick (tests/bench/python_ingestor.py)
  std::string python = "python3";  // an interpreter with psycopg2
  double pg_latency_ms = 0;        // > 0: the passes reach PostgreSQL through a LatencyProxy
  std::string limits;              // a "limits" object for the passes' config, to try settings
};

struct Phase {
  double seconds = 0, client_cpu = 0, pg_cpu = 0, dovecot_cpu = 0, peak_rss_mib = 0;
  double wal_syncs = 0, pg_faults = 0;  // pg_faults: minor page faults of PostgreSQL's processes
  bool ok = true;
};

double cpuOf(const rusage& u) {
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

double selfCpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return cpuOf(u);
}

// Cluster-wide WAL syncs; backends flush their statistics when they end or go idle, so the
// reading waits a moment and drops the cached snapshot.
double walSyncs(const ScratchDatabase& admin) {
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  return std::stod(admin.scalar("SELECT wal_sync FROM pg_stat_wal"));
}

// Runs the body and charges it what the servers and the client spent meanwhile. `child_usage`:
// filled by bodies that run a child process (its CPU and peak RSS); otherwise this process counts.
Phase measure(const Options& o, const ScratchDatabase& admin,
              const std::function<bool(rusage*)>& body) {
  Phase p;
  const double wal0 = walSyncs(admin);
  const bench::ProcessTreeUsage pg0 = bench::processTreeUsage(o.pg_pid_file);
  const double dc0 = bench::processTreeCpuSeconds(o.dovecot_pid_file);
  const double self0 = selfCpu();
  rusage child{};
  bool is_child = false;
  const auto start = Clock::now();
  p.ok = body(&child);
  p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  is_child = child.ru_maxrss != 0;
  p.client_cpu = is_child ? cpuOf(child) : selfCpu() - self0;
  p.peak_rss_mib = is_child ? child.ru_maxrss / 1024.0 : 0;
  p.wal_syncs = walSyncs(admin) - wal0;  // waits, so that the ended backends are reaped too
  const bench::ProcessTreeUsage pg1 = bench::processTreeUsage(o.pg_pid_file);
  p.pg_cpu = pg1.cpu_seconds - pg0.cpu_seconds;
  p.pg_faults = pg1.minor_faults - pg0.minor_faults;
  p.dovecot_cpu = bench::processTreeCpuSeconds(o.dovecot_pid_file) - dc0;
  return p;
}

// The service as a child process, for its own rusage (CPU, peak RSS).
// A child process with stdout and stderr in `log_path`, for its own rusage (CPU, peak RSS).
bool runChild(std::vector<std::string> args, const std::string& log_path, rusage* usage) {
  const std::string binary = args.front();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&files, STDERR_FILENO, STDOUT_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (spawned != 0) {
    std::fprintf(stderr, "cannot run %s\n", binary.c_str());
    return false;
  }
  int status = 0;
  if (wait4(pid, &status, 0, usage) != pid) return false;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  std::fprintf(stderr, "%s ended with status %d (its log: %s)\n", binary.c_str(), status,
               log_path.c_str());
  return false;
}

bool runService(const std::string& binary, const std::string& config, const std::string& log_path,
                rusage* usage) {
  return runChild({binary, "--config", config, "--once"}, log_path, usage);
}

// Where the pass's time went, from its summary line ("...; fetching 1.20 s, parsing ...").
std::string stagesOf(const std::string& log_path) {
  std::ifstream log(log_path);
  for (std::string line; std::getline(log, line);) {
    const auto at = line.find("; fetching ");
    if (line.find("pass done") != std::string::npos && at != std::string::npos) {
      return line.substr(at + 2);
    }
  }
  return "(no summary line in the log)";
}

// `url` (postgresql://user@host:port/db) with another port.
std::string withPort(const std::string& url, int port) {
  const auto authority = url.find("://") + 3;
  const auto path = url.find('/', authority);
  const auto colon = url.rfind(':', path);
  if (colon == std::string::npos || colon < authority) {
    throw std::invalid_argument("no port in the database URL");
  }
  return url.substr(0, colon + 1) + std::to_string(port) + url.substr(path);
}

// The median time of a SELECT 1 on a connection to `url`, in milliseconds.
double roundTripMs(const std::string& url) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  std::vector<double> ms;
  for (int i = 0; i < 200; ++i) {
    const auto start = Clock::now();
    tx.exec("SELECT 1");
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  return bench::median(ms);
}

int portOf(const std::string& url) {
  const auto authority = url.find("://") + 3;
  const auto path = url.find('/', authority);
  return std::stoi(url.substr(url.rfind(':', path) + 1));
}

std::string serviceConfig(const std::string& database_url, const std::string& protocol, int port,
                          const std::string& user, const std::string& after_ingest,
                          const std::string& limits) {
  const TestEnv& env = TestEnv::get();
  return R"({"database": {"url": ")" + database_url + R"("}, "log": {"level": "information"},)" +
         (limits.empty() ? std::string() : R"( "limits": )" + limits + ",") + R"(
    "mailboxes": [{"name": "bench", "protocol": ")" +
         protocol + R"(", "host": ")" + env.mail_host + R"(", "port": )" + std::to_string(port) +
         R"(, "ca_file": ")" + env.ca_file + R"(", "username": ")" + user + R"(", "password": ")" +
         env.mail_password + R"(", "after_ingest": ")" + after_ingest + R"("}]})";
}

net::Endpoint endpoint(int port) {
  const TestEnv& env = TestEnv::get();
  net::Endpoint e;
  e.host = env.mail_host;
  e.port = port;
  e.tls = net::TlsMode::kImplicit;
  e.ca_file = env.ca_file;
  return e;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--messages")
      o.messages = std::stoi(value);
    else if (flag == "--runs")
      o.runs = std::stoi(value);
    else if (flag == "--pg-pid-file")
      o.pg_pid_file = value;
    else if (flag == "--dovecot-pid-file")
      o.dovecot_pid_file = value;
    else if (flag == "--service")
      o.service = value;
    else if (flag == "--python-ingestor")
      o.python_ingestor = value;
    else if (flag == "--python")
      o.python = value;
    else if (flag == "--pg-latency-ms")
      o.pg_latency_ms = std::stod(value);
    else if (flag == "--limits")
      o.limits = value;
    else
      throw std::invalid_argument("unknown option " + flag);
  }
  if (o.pg_pid_file.empty() || o.dovecot_pid_file.empty()) {
    throw std::invalid_argument("--pg-pid-file and --dovecot-pid-file are required");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  const TestEnv& env = TestEnv::get();
  ScratchDatabase admin;
  TestMailbox box("bench");
  std::uint64_t bytes = 0;
  std::map<bench::MailShape, int> shapes;
  for (int i = 0; i < o.messages; ++i) {
    const std::string raw = bench::benchMessage(i);
    bytes += raw.size();
    ++shapes[bench::shapeOf(i)];
    box.deliver(raw);
  }
  const double mib = bytes / (1024.0 * 1024.0);
  std::printf(
      "corpus: %d messages, %.1f MiB (LF); %d short text, %d text+HTML, %d ~100 KB "
      "attachment, %d 1-2 MB attachment\n",
      o.messages, mib, shapes[bench::MailShape::kShortText], shapes[bench::MailShape::kTextAndHtml],
      shapes[bench::MailShape::kAttachment100K], shapes[bench::MailShape::kAttachmentLarge]);
  std::printf("postgresql: fsync=%s synchronous_commit=%s\n", admin.scalar("SHOW fsync").c_str(),
              admin.scalar("SHOW synchronous_commit").c_str());
  // A database on another host: the passes' connections (only theirs) wait this long each way.
  std::unique_ptr<test::LatencyProxy> latency;
  if (o.pg_latency_ms > 0) {
    latency = std::make_unique<test::LatencyProxy>(
        portOf(admin.url()), std::chrono::microseconds(std::lround(o.pg_latency_ms * 1000)));
    std::printf(
        "postgresql: the passes connect through a proxy that holds each direction %.2f ms"
        " (raw fetches and the COPY floor connect directly); a SELECT 1 takes %.2f ms"
        " through it, %.2f ms directly\n",
        o.pg_latency_ms, roundTripMs(withPort(admin.url(), latency->port())),
        roundTripMs(admin.url()));
  }
  // Dovecot builds its index on first access: warm it (and the page cache) outside the figures.
  bench::rawImapFetch(endpoint(env.imaps_port), box.user(), env.mail_password);
  bench::rawPop3Fetch(endpoint(env.pop3s_port), box.user(), env.mail_password);

  const std::vector<std::string> names{"raw IMAPS fetch", "raw POP3S fetch", "COPY floor",
                                       "--once IMAPS (seen)", "--once POP3S (keep)"};
  std::map<std::string, std::vector<Phase>> results;
  std::map<std::string, std::vector<std::string>> stages;  // each run's, from the pass's log
  for (int run = 0; run < o.runs; ++run) {
    const auto expect = static_cast<std::uint64_t>(o.messages);
    {
      ScratchDatabase floor;
      db::TicketStore(floor.url()).migrate();
      results[names[2]].push_back(measure(o, admin, [&](rusage*) {
        bench::loadWithCopy(floor.url(), o.messages, bench::benchMessage);
        return true;
      }));
    }
    // Each raw fetch right before the pass it is the yardstick of: the machine's load changes
    // from minute to minute, and the ratio compares the two under the same load.
    const auto rawFetch = [&](const std::string& name) {
      results[name].push_back(measure(o, admin, [&](rusage*) {
        return (name == names[0]
                    ? bench::rawImapFetch(endpoint(env.imaps_port), box.user(), env.mail_password)
                    : bench::rawPop3Fetch(endpoint(env.pop3s_port), box.user(), env.mail_password))
                   .messages == expect;
      }));
    };
    for (const auto& [name, protocol, port, after] :
         {std::tuple{names[3], "imap", env.imaps_port, "seen"},
          std::tuple{names[4], "pop3", env.pop3s_port, "keep"}}) {
      ScratchDatabase db;
      // Migrated beforehand, like the COPY floor's: the pass is timed on the ingest, not on
      // creating the schema (14 migrations, ~0.14 s and a WAL sync each on a fresh database).
      db::TicketStore(db.url()).migrate();
      TempFile config(serviceConfig(latency ? withPort(db.url(), latency->port()) : db.url(),
                                    protocol, port, box.user(), after, o.limits));
      TempFile log("", ".log");  // the default level, as in production: one line per message
      rawFetch(name == names[3] ? names[0] : names[1]);
      Phase p = measure(o, admin, [&](rusage* usage) {
        return runService(o.service, config.path(), log.path(), usage);
      });
      stages[name].push_back(stagesOf(log.path()));
      const auto stored = std::stoll(db.scalar("SELECT count(*) FROM messages"));
      if (stored != o.messages) {
        std::printf("%s: stored %lld of %d messages\n", name.c_str(), stored, o.messages);
        p.ok = false;
      }
      results[name].push_back(p);
    }
    if (!o.python_ingestor.empty()) {
      ScratchDatabase db;
      TempFile log("", ".log");
      Phase p = measure(o, admin, [&](rusage* usage) {
        return runChild({o.python, o.python_ingestor, env.mail_host, std::to_string(env.imaps_port),
                         env.ca_file, box.user(), env.mail_password, db.url()},
                        log.path(), usage);
      });
      const auto stored = std::stoll(db.scalar("SELECT count(*) FROM py_messages"));
      if (stored != o.messages) {
        std::printf("%s: stored %lld of %d messages\n", kPython, stored, o.messages);
        p.ok = false;
      }
      results[kPython].push_back(p);
    }
  }

  auto med = [&](const std::string& name, double Phase::*field) {
    std::vector<double> v;
    for (const auto& p : results[name]) v.push_back(p.*field);
    return bench::median(v);
  };
  std::printf("\nmedians of %d run(s), %d messages, %.1f MiB\n", o.runs, o.messages, mib);
  std::printf("%-22s %8s %8s %7s %8s %8s %8s %8s %8s %8s %6s\n", "", "seconds", "msgs/s", "MiB/s",
              "vs raw", "RSS MiB", "our CPU", "PG CPU", "Dovecot", "WAL sync", "ok");
  bool all_ok = true;
  // One row of the table; `ratio` is "-" where there is no raw fetch to compare with.
  const auto printRow = [&](const std::string& name, const std::string& ratio) {
    const double s = med(name, &Phase::seconds);
    bool ok = true;
    for (const auto& p : results[name]) ok = ok && p.ok;
    all_ok = all_ok && ok;
    std::printf("%-22s %8.2f %8.0f %7.1f %8s %8.0f %8.2f %8.2f %8.2f %8.0f %6s\n", name.c_str(), s,
                o.messages / s, mib / s, ratio.c_str(), med(name, &Phase::peak_rss_mib),
                med(name, &Phase::client_cpu), med(name, &Phase::pg_cpu),
                med(name, &Phase::dovecot_cpu), med(name, &Phase::wal_syncs), ok ? "yes" : "NO");
  };
  for (std::size_t i = 0; i < names.size(); ++i) {
    const bool pass = i == 3 || i == 4;
    printRow(names[i], pass ? bench::ratioText(med(names[i - 3], &Phase::seconds),
                                               med(names[i], &Phase::seconds))
                            : "-");
  }
  if (!o.python_ingestor.empty()) {
    // The issue's yardstick: its script stores less (no raw bytes, no attachment contents).
    printRow(kPython, "-");
    std::printf("--once IMAPS (seen): %.2fx the Python ingestor's msgs/s (target: 4x)\n",
                med(kPython, &Phase::seconds) / med(names[3], &Phase::seconds));
  }
  const double floor_pg = med(names[2], &Phase::pg_cpu);
  for (std::size_t i : {3u, 4u}) {
    std::printf(
        "PostgreSQL CPU of %s: %.2fx the COPY floor (%.2f ms/message); minor page faults %.0f "
        "(the floor's %.0f)\n",
        names[i].c_str(), med(names[i], &Phase::pg_cpu) / floor_pg,
        1000 * med(names[i], &Phase::pg_cpu) / o.messages, med(names[i], &Phase::pg_faults),
        med(names[2], &Phase::pg_faults));
  }
  // Where the time goes, per message: the least wall time `cores` allow even with every CPU
  // second overlapped, and so the best ratio to the raw fetch this machine can give.
  const int cores = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  for (std::size_t i : {3u, 4u}) {
    const bench::CpuBudget b = bench::cpuBudget(
        med(names[i], &Phase::client_cpu), med(names[i], &Phase::pg_cpu),
        med(names[i], &Phase::dovecot_cpu), o.messages, med(names[i - 3], &Phase::seconds), cores);
    std::printf(
        "CPU budget of %s: ours %.2f + PostgreSQL %.2f + Dovecot %.2f = %.2f ms/message; on %d "
        "cores at best %.3fx the raw fetch\n",
        names[i].c_str(), b.ours_ms, b.postgres_ms, b.dovecot_ms, b.total_ms, cores,
        b.ceiling_vs_raw);
  }
  // The commit stage (committing + waiting for mail) runs one batch after another; the fetch
  // stage (fetching + parsing) and the acknowledge stage (acknowledging) run beside it.
  for (std::size_t i : {3u, 4u}) {
    for (const auto& line : stages[names[i]]) {
      std::printf("stages of %s: %s\n", names[i].c_str(), line.c_str());
    }
  }
  std::printf("RSS: peak resident set of the service process (raw fetches run inside the bench)\n");
  return all_ok ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "wire_bench: " << e.what() << "\n";
  return 2;
}
