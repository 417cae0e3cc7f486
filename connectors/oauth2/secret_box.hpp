#pragma once
// Authenticated encryption of stored tokens: AES-256-GCM (OpenSSL EVP) with a random 96-bit
// nonce per message (NIST SP 800-38D section 8.2.2). Sealed layout:
//   "HDS1" | nonce (12 bytes) | ciphertext | tag (16 bytes)
// `associated_data` (the mailbox name) binds a ciphertext to its row: a token copied to another
// mailbox's row fails to open.
// Thread-safe (no shared mutable state).

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hd::oauth2 {

inline constexpr char kSecretKeyEnv[] = "HELPDESK_SECRET_KEY";

// No usable key: the message says what is missing and how to make one.
class SecretKeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SecretBox {
 public:
  using Key = std::array<std::uint8_t, 32>;
  explicit SecretBox(const Key& key) : key_(key) {}

  // Decodes the base64 text of exactly 32 bytes (surrounding whitespace ignored).
  // Throws SecretKeyError naming `origin` otherwise.
  static SecretBox fromBase64(std::string_view base64, const std::string& origin);
  // The key from `key_file` when not empty, else from $HELPDESK_SECRET_KEY; throws
  // SecretKeyError explaining how to create one when neither is available.
  static SecretBox load(const std::string& key_file);

  std::string seal(std::string_view plaintext, std::string_view associated_data) const;
  // nullopt when the data was not sealed with this key and associated data, or is damaged.
  std::optional<std::string> open(std::string_view sealed, std::string_view associated_data) const;

 private:
  Key key_;
};

}  // namespace hd::oauth2
