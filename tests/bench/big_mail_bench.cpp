// Issue 11's figure for big mail: one generated, deterministic 150 MB message (a short text part
// and one base64 attachment of pseudo-random bytes) in a Dovecot mailbox, stored by
// `helpdesk-ingest --once` with limits.max_message_bytes = 150 MiB and the default batch
// settings; then the service runs and its attachment and raw message are downloaded through the
// API. Prints the peak RSS of the --once process (getrusage of the child) and of the running
// service after each download (VmHWM), against the 64 MB target. Runs against the servers of
// `deploy/local.sh bench`; asserts nothing, exits non-zero when the mail is not stored whole.
//
//   big_mail_bench [--service BINARY] [--message-bytes N]

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "connectors/crypto/sha256.hpp"
#include "tests/bench/bench_corpus.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/test_env.hpp"

using namespace hd;
using namespace hd::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t kMaxMessageBytes = 150ull * 1024 * 1024;  // 157286400
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kMB = 1000.0 * 1000.0;
const std::string kToken = "big-mail-bench-token";

struct Options {
  std::string service = HD_BINARY_PATH;
  std::size_t message_bytes = 150'000'000;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--service")
      o.service = value;
    else if (flag == "--message-bytes")
      o.message_bytes = std::stoull(value);
    else
      throw std::invalid_argument("unknown option " + flag);
  }
  return o;
}

// Default batches and spill settings: only the message limit is raised, as an operator would.
std::string serviceConfig(const std::string& db_url, const std::string& user) {
  const TestEnv& env = TestEnv::get();
  return R"({"database": {"url": ")" + db_url + R"("},
    "http": {"listen": "127.0.0.1:0", "api_token": ")" +
         kToken + R"("}, "log": {"level": "information"},
    "limits": {"max_message_bytes": )" +
         std::to_string(kMaxMessageBytes) + R"(},
    "mailboxes": [{"name": "bigmail", "protocol": "imap", "host": ")" +
         env.mail_host + R"(", "port": )" + std::to_string(env.imaps_port) + R"(, "ca_file": ")" +
         env.ca_file + R"(", "username": ")" + user + R"(", "password": ")" + env.mail_password +
         R"(", "after_ingest": "seen", "poll_interval_seconds": 3600}]})";
}

// The peak resident set of a running process (VmHWM), in MiB; -1 when unreadable.
double peakRssMib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

struct Download {
  int status = 0;
  std::uint64_t bytes = 0;
  std::string sha256;
  double seconds = 0;
};

// GET `path`, read in pieces (never whole in this process either), hashed as it arrives.
Download download(int port, const std::string& path) {
  const auto start = Clock::now();
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(600, 0));
  Poco::Net::HTTPRequest request("GET", path, "HTTP/1.1");
  request.set("Authorization", "Bearer " + kToken);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Download d;
  d.status = static_cast<int>(response.getStatus());
  crypto::Sha256 digest;
  std::vector<char> buffer(1 << 20);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    digest.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
    d.bytes += static_cast<std::uint64_t>(in.gcount());
  }
  d.sha256 = digest.hexDigest();
  d.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return d;
}

int waitForPort(ServiceProcess& service) {
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  std::smatch match;
  while (Clock::now() < deadline && service.running()) {
    const std::string output = service.output();
    if (std::regex_search(output, match, listening)) return std::stoi(match[1].str());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

// One download, printed with the service's peak RSS after it; false when it is not the bytes
// the database says were stored.
bool downloadAndReport(ServiceProcess& service, int port, const std::string& what,
                       const std::string& path, const std::string& size,
                       const std::string& sha256) {
  const Download d = download(port, path);
  const bool ok = d.status == 200 && std::to_string(d.bytes) == size && d.sha256 == sha256;
  std::printf(
      "GET %s (%s): HTTP %d, %.1f MB in %.1f s, %s; service peak RSS (VmHWM) %.1f MiB, "
      "target <= 64 MB\n",
      path.c_str(), what.c_str(), d.status, d.bytes / kMB, d.seconds,
      ok ? "bytes and SHA-256 as stored" : "NOT the stored bytes", peakRssMib(service.pid()));
  return ok;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  TestMailbox box("bigmail");
  {
    const std::string raw = bench::messageWithAttachment(150, o.message_bytes);
    box.deliver(raw);
    std::printf(
        "big mail: one message of %.1f MB (LF; a short text part, one base64 attachment), "
        "limits.max_message_bytes = %llu, default batch and spill settings\n",
        raw.size() / kMB, static_cast<unsigned long long>(kMaxMessageBytes));
  }
  ScratchDatabase db;
  TempFile config(serviceConfig(db.url(), box.user()));

  const auto start = Clock::now();
  ServiceProcess once({"--config", config.path(), "--once"}, {}, o.service);
  const ProcessResult result = once.wait(3600);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const std::string stored = db.scalar("SELECT count(*) FROM messages");
  const std::string quarantined = db.scalar("SELECT count(*) FROM quarantine");
  std::printf(
      "--once: exit %d in %.1f s, %s message(s) stored, %s quarantined; peak RSS %.1f MiB, "
      "target <= 64 MB\n",
      result.exit_code, seconds, stored.c_str(), quarantined.c_str(), result.max_rss_kb / 1024.0);
  const std::string attachment = db.scalar(
      "SELECT id || ' ' || size || ' ' || sha256 FROM attachments ORDER BY size DESC "
      "LIMIT 1");
  const std::string message =
      db.scalar("SELECT id || ' ' || raw_size || ' ' || raw_sha256 FROM messages LIMIT 1");
  if (result.exit_code != 0 || stored != "1" || attachment.empty()) {
    std::fprintf(stderr, "big mail was not stored whole; the service said:\n%s\n",
                 result.output.c_str());
    return 1;
  }

  ServiceProcess service({"--config", config.path()}, {}, o.service);
  const int port = waitForPort(service);
  if (port == 0) {
    std::fprintf(stderr, "the service did not listen; it said:\n%s\n", service.output().c_str());
    return 1;
  }
  std::printf("service: listening, peak RSS (VmHWM) %.1f MiB before any download\n",
              peakRssMib(service.pid()));
  std::istringstream a(attachment), m(message);
  std::string attachment_id, attachment_size, attachment_sha, message_id, raw_size, raw_sha;
  a >> attachment_id >> attachment_size >> attachment_sha;
  m >> message_id >> raw_size >> raw_sha;
  bool ok =
      downloadAndReport(service, port, "the attachment", "/api/v1/attachments/" + attachment_id,
                        attachment_size, attachment_sha);
  ok = downloadAndReport(service, port, "the raw message",
                         "/api/v1/messages/" + message_id + "/raw", raw_size, raw_sha) &&
       ok;
  service.signal(SIGTERM);
  service.wait(60);
  return ok ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "big_mail_bench: " << e.what() << "\n";
  return 2;
}
