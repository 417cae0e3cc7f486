// The configurations shipped in deploy/ (the annotated example, Docker Compose, Kubernetes) must
// start the service as they are, and never pair Microsoft's servers with a password, which
// Microsoft no longer accepts (issue 13).

#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "service/config.hpp"
#include "service/spill_budget.hpp"
#include "tests/support/test_env.hpp"

namespace hd::service {
namespace {

// The secret files the deploy configurations name, with harmless content, in a scratch directory
// that stands in for /run/secrets (and /run/secrets/helpdesk).
class SecretsDir {
 public:
  SecretsDir() {
    dir_ = std::filesystem::temp_directory_path() /
           ("hd-deploy-secrets-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "helpdesk");
    for (const auto& sub : {dir_, dir_ / "helpdesk"}) {
      for (const auto& [name, content] : std::map<std::string, std::string>{
               {"database_url", "postgresql://helpdesk@127.0.0.1:5432/helpdesk"},
               {"token_key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
               {"api_token", "test-api-token-0123456789"},
               {"mail_password", "test-mail-password"}}) {
        std::ofstream(sub / name) << content;
      }
    }
  }
  ~SecretsDir() { std::filesystem::remove_all(dir_); }

  // `json` with every /run/secrets path pointing here.
  std::string redirect(std::string json) const {
    const std::string from = "/run/secrets/";
    for (auto at = json.find(from); at != std::string::npos; at = json.find(from, at)) {
      json.replace(at, from.size(), dir_.string() + "/");
      at += dir_.string().size();
    }
    return json;
  }

 private:
  std::filesystem::path dir_;
};

Config parseShipped(const std::string& json) {
  SecretsDir secrets;
  return parseConfig(secrets.redirect(json), [](const std::string& name) {
    return name == "BILLING_MAIL_PASSWORD" ? std::optional<std::string>("pw") : std::nullopt;
  });
}

void expectNoPasswordAtMicrosoft(const Config& config, const std::string& file) {
  for (const auto& box : config.mailboxes) {
    if (box.endpoint.host.find("office365.com") != std::string::npos ||
        box.endpoint.host.find("outlook.com") != std::string::npos) {
      EXPECT_EQ(box.auth, AuthMethod::kXoauth2) << file << ": mailbox " << box.name;
      EXPECT_FALSE(box.oauth2.tenant.empty()) << file;
    }
  }
}

// The size of a Kubernetes quantity such as "1Gi" or "512Mi" in bytes; 0 when not understood.
std::uint64_t quantityBytes(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) return 0;
  const std::uint64_t number = std::stoull(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  if (unit == "Mi") return number << 20;
  if (unit == "Gi") return number << 30;
  return 0;
}

// The text after `marker` up to the first of `ends`; "" when `marker` is missing.
std::string after(const std::string& text, const std::string& marker, const char* ends) {
  const auto at = text.find(marker);
  if (at == std::string::npos) return "";
  const auto from = at + marker.size();
  return text.substr(from, text.find_first_of(ends, from) - from);
}

TEST(DeployExamples, AnnotatedExampleParsesAndUsesOAuth2ForOutlook) {
  const Config config = parseShipped(test::readTestFile("../deploy/config.example.json"));
  ASSERT_EQ(config.mailboxes.size(), 2u);
  EXPECT_EQ(config.mailboxes[0].endpoint.host, "outlook.office365.com");
  expectNoPasswordAtMicrosoft(config, "deploy/config.example.json");
  EXPECT_FALSE(config.secret_key.empty()) << "tokens need a key to be stored";
}

// Every key an operator is likely to change is shown, with its default value.
TEST(DeployExamples, AnnotatedExampleShowsTheSpillKeysAndTheReadTimeout) {
  const Config config = parseShipped(test::readTestFile("../deploy/config.example.json"));
  EXPECT_EQ(config.limits.spill.directory, "/var/spool/helpdesk-ingest");
  EXPECT_EQ(config.limits.spill.threshold_bytes, spill::SpillPolicy{}.threshold_bytes);
  ASSERT_EQ(config.mailboxes.size(), 2u);
  EXPECT_EQ(config.mailboxes[1].endpoint.read_timeout, std::chrono::seconds(120));
  // The image makes the directory the example names, owned by its user.
  EXPECT_NE(test::readTestFile("../Dockerfile")
                .find("-o helpdesk -g helpdesk -m 0700 " + config.limits.spill.directory),
            std::string::npos);
}

// Compose: the spill directory is a volume on disk (the image's directory gives it its owner).
TEST(DeployExamples, ComposeMountsAVolumeAtTheSpillDirectory) {
  const Config config = parseShipped(test::readTestFile("../deploy/compose/config.json"));
  const std::string compose = test::readTestFile("../deploy/docker-compose.yml");
  EXPECT_NE(compose.find("- spill:" + config.limits.spill.directory + "\n"), std::string::npos)
      << config.limits.spill.directory;
  EXPECT_NE(test::readTestFile("../Dockerfile").find(config.limits.spill.directory),
            std::string::npos);
}

// Kubernetes: an emptyDir at the spill directory, large enough for what the configuration may
// spill at once (a pod whose emptyDir outgrows its sizeLimit is evicted).
TEST(DeployExamples, KubernetesSpillVolumeHoldsWhatTheConfigMapMaySpill) {
  const std::string yaml = test::readTestFile("../deploy/k8s/configmap.yaml");
  const Config config = parseShipped(yaml.substr(yaml.find('{', yaml.find("config.json: |"))));
  const std::string deployment = test::readTestFile("../deploy/k8s/deployment.yaml");
  EXPECT_EQ(after(deployment, "{name: spill, mountPath: ", "}"), config.limits.spill.directory);
  const std::uint64_t size =
      quantityBytes(after(deployment, "- name: spill\n          emptyDir: {sizeLimit: ", "}"));
  EXPECT_GE(size, spillSpaceBound(config.limits, config.mailboxes.size()));
  EXPECT_GT(size, 64u << 20) << "the old /tmp emptyDir held 64 MiB: too small for big mail";
}

TEST(DeployExamples, ComposeConfigParsesAndUsesOAuth2ForOutlook) {
  const Config config = parseShipped(test::readTestFile("../deploy/compose/config.json"));
  expectNoPasswordAtMicrosoft(config, "deploy/compose/config.json");
  EXPECT_FALSE(config.secret_key.empty());
}

TEST(DeployExamples, KubernetesConfigMapParsesAndUsesOAuth2ForOutlook) {
  const std::string yaml = test::readTestFile("../deploy/k8s/configmap.yaml");
  const auto start = yaml.find("config.json: |");
  ASSERT_NE(start, std::string::npos);
  const Config config = parseShipped(yaml.substr(yaml.find('{', start)));
  expectNoPasswordAtMicrosoft(config, "deploy/k8s/configmap.yaml");
  EXPECT_FALSE(config.secret_key.empty());
}

}  // namespace
}  // namespace hd::service
