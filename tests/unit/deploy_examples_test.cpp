// The configurations shipped in deploy/ (the annotated example, Docker Compose, Kubernetes) must
// start the service as they are, and never pair Microsoft's servers with a password, which
// Microsoft no longer accepts (issue 13).

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "service/config.hpp"
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

TEST(DeployExamples, AnnotatedExampleParsesAndUsesOAuth2ForOutlook) {
  const Config config = parseShipped(test::readTestFile("../deploy/config.example.json"));
  ASSERT_EQ(config.mailboxes.size(), 2u);
  EXPECT_EQ(config.mailboxes[0].endpoint.host, "outlook.office365.com");
  expectNoPasswordAtMicrosoft(config, "deploy/config.example.json");
  EXPECT_FALSE(config.secret_key.empty()) << "tokens need a key to be stored";
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
