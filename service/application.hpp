#pragma once
// The command line: options, --help, configuration loading, signals, exit codes.
//   0  success (--once: every mailbox pass succeeded)
//   1  --once: a mailbox pass failed (network, TLS, authentication, database)
//   2  usage or configuration error

#include <Poco/Util/ServerApplication.h>

#include <optional>
#include <string>

namespace hd::service {

constexpr int kExitOk = 0;
constexpr int kExitPassFailed = 1;
constexpr int kExitUsage = 2;

class Application : public Poco::Util::ServerApplication {
 public:
  // Parses argv and runs; never throws.
  static int runMain(int argc, char** argv);

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  void printHelp();
  int healthcheck(const std::vector<std::string>& args);

  bool help_ = false;
  bool version_ = false;
  bool once_ = false;
  std::string config_path_;
  bool healthcheck_ = false;
  std::string healthcheck_url_;  // "" with --healthcheck alone: the configuration's http.listen
  std::string mailbox_;          // --mailbox, for `auth login|status`
};

}  // namespace hd::service
