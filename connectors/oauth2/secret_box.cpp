#include "connectors/oauth2/secret_box.hpp"

#include <Poco/Base64Decoder.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

namespace hd::oauth2 {
namespace {

constexpr std::string_view kMagic = "HDS1";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr char kHowToMakeKey[] =
    "create one with `openssl rand -base64 32 > FILE` and set \"secrets\": {\"key_file\": FILE} "
    "or the environment variable HELPDESK_SECRET_KEY";

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext newContext() {
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!context) throw std::bad_alloc();
  return context;
}

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

int length(std::string_view text) {
  return static_cast<int>(text.size());
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

}  // namespace

SecretBox SecretBox::fromBase64(std::string_view base64, const std::string& origin) {
  std::istringstream in(trim(base64));
  Poco::Base64Decoder decoder(in);
  std::string raw;
  try {
    raw.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    throw SecretKeyError("the secret key in " + origin + " is not valid base64; " + kHowToMakeKey);
  }
  if (raw.size() != std::tuple_size_v<Key>) {
    throw SecretKeyError("the secret key in " + origin + " decodes to " +
                         std::to_string(raw.size()) + " bytes, not 32; " + kHowToMakeKey);
  }
  Key key{};
  std::copy(raw.begin(), raw.end(), key.begin());
  return SecretBox(key);
}

SecretBox SecretBox::load(const std::string& key_file) {
  if (!key_file.empty()) {
    std::ifstream in(key_file);
    if (!in) throw SecretKeyError("cannot read secrets.key_file '" + key_file + "'");
    std::stringstream text;
    text << in.rdbuf();
    return fromBase64(text.str(), "secrets.key_file '" + key_file + "'");
  }
  if (const char* env = std::getenv(kSecretKeyEnv); env != nullptr && *env != '\0') {
    return fromBase64(env, kSecretKeyEnv);
  }
  throw SecretKeyError("no secret key to encrypt OAuth2 tokens with, so they will not be stored: " +
                       std::string(kHowToMakeKey));
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view associated_data) const {
  std::string out(kMagic);
  out.resize(kMagic.size() + kNonceBytes + plaintext.size() + kTagBytes);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + kMagic.size());
  auto* cipher = nonce + kNonceBytes;
  if (RAND_bytes(nonce, static_cast<int>(kNonceBytes)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  CipherContext context = newContext();
  int written = 0;
  int final_written = 0;
  if (EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(context.get(), nullptr, &written, bytes(associated_data),
                        length(associated_data)) != 1 ||
      EVP_EncryptUpdate(context.get(), cipher, &written, bytes(plaintext), length(plaintext)) !=
          1 ||
      EVP_EncryptFinal_ex(context.get(), cipher + written, &final_written) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          cipher + plaintext.size()) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  return out;
}

std::optional<std::string> SecretBox::open(std::string_view sealed,
                                           std::string_view associated_data) const {
  if (sealed.size() < kMagic.size() + kNonceBytes + kTagBytes ||
      sealed.substr(0, kMagic.size()) != kMagic) {
    return std::nullopt;
  }
  const auto* nonce = bytes(sealed) + kMagic.size();
  const std::size_t cipher_size = sealed.size() - kMagic.size() - kNonceBytes - kTagBytes;
  const auto* cipher = nonce + kNonceBytes;
  std::string plain(cipher_size, '\0');
  auto* plain_bytes = reinterpret_cast<unsigned char*>(plain.data());
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads it.
  std::array<unsigned char, kTagBytes> tag{};
  std::copy(cipher + cipher_size, cipher + cipher_size + kTagBytes, tag.begin());
  CipherContext context = newContext();
  int written = 0;
  int final_written = 0;
  if (EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_DecryptUpdate(context.get(), nullptr, &written, bytes(associated_data),
                        length(associated_data)) != 1 ||
      EVP_DecryptUpdate(context.get(), plain_bytes, &written, cipher,
                        static_cast<int>(cipher_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(context.get(), plain_bytes + written, &final_written) != 1) {
    return std::nullopt;
  }
  return plain;
}

}  // namespace hd::oauth2
