#include "connectors/crypto/sha256.hpp"

#include <gtest/gtest.h>

namespace hd::crypto {
namespace {

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, BytesAfterANulCount) {
  EXPECT_NE(sha256Hex(std::string("a\0b", 3)), sha256Hex("a"));
}

TEST(Sha256, InPiecesEqualsInOne) {
  const std::string text = "The quick brown fox jumps over the lazy dog";
  Sha256 pieces;
  pieces.update(text.substr(0, 7));
  pieces.update("");
  pieces.update(text.substr(7));
  EXPECT_EQ(pieces.hexDigest(), sha256Hex(text));
}

}  // namespace
}  // namespace hd::crypto
