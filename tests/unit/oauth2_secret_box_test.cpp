#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "connectors/oauth2/secret_box.hpp"

namespace hd::oauth2 {
namespace {

// 32 bytes 0x00..0x1f.
constexpr char kKeyBase64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

TEST(OAuth2SecretBox, SealsAndOpensWithTheSameKeyAndMailbox) {
  SecretBox box = SecretBox::fromBase64(kKeyBase64, "test");
  const std::string sealed = box.seal("M.C5_refresh", "support");
  EXPECT_EQ(sealed.find("M.C5_refresh"), std::string::npos);
  EXPECT_EQ(sealed.size(), 4u + 12u + 12u + 16u);
  EXPECT_EQ(box.open(sealed, "support"), std::optional<std::string>("M.C5_refresh"));
  EXPECT_NE(box.seal("M.C5_refresh", "support"), sealed) << "nonce must be random";
  EXPECT_EQ(box.open(box.seal("", "a"), "a"), std::optional<std::string>(""));
}

TEST(OAuth2SecretBox, RefusesOtherMailboxOtherKeyAndDamage) {
  SecretBox box = SecretBox::fromBase64(kKeyBase64, "test");
  const std::string sealed = box.seal("token", "support");
  EXPECT_FALSE(box.open(sealed, "sales").has_value());
  SecretBox::Key other{};
  other[0] = 1;
  EXPECT_FALSE(SecretBox(other).open(sealed, "support").has_value());
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string damaged = sealed;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
    EXPECT_FALSE(box.open(damaged, "support").has_value()) << "byte " << i;
  }
  EXPECT_FALSE(box.open(sealed.substr(0, 20), "support").has_value());
}

TEST(OAuth2SecretBox, KeyMustBe32BytesOfBase64) {
  EXPECT_THROW(SecretBox::fromBase64("c2hvcnQ=", "test"), SecretKeyError);
  EXPECT_THROW(SecretBox::fromBase64("!!!not base64!!!", "test"), SecretKeyError);
  EXPECT_NO_THROW(SecretBox::fromBase64(std::string("  ") + kKeyBase64 + "\n", "test"));
}

TEST(OAuth2SecretBox, LoadsFromFileOrEnvironmentAndExplainsWhenMissing) {
  ::unsetenv(kSecretKeyEnv);
  try {
    SecretBox::load("");
    FAIL() << "expected SecretKeyError";
  } catch (const SecretKeyError& e) {
    EXPECT_NE(std::string(e.what()).find("openssl rand -base64 32"), std::string::npos);
  }
  EXPECT_THROW(SecretBox::load("/nonexistent/key"), SecretKeyError);

  const std::string path = ::testing::TempDir() + "/oauth2_secret_box_test.key";
  std::ofstream(path) << kKeyBase64 << "\n";
  SecretBox from_file = SecretBox::load(path);
  ::setenv(kSecretKeyEnv, kKeyBase64, 1);
  SecretBox from_env = SecretBox::load("");
  ::unsetenv(kSecretKeyEnv);
  EXPECT_EQ(from_env.open(from_file.seal("x", "m"), "m"), std::optional<std::string>("x"));
}

}  // namespace
}  // namespace hd::oauth2
