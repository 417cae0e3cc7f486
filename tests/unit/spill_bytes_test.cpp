#include "connectors/spill/bytes.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "connectors/crypto/sha256.hpp"

namespace hd::spill {
namespace {

class SpillBytes : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("spill-bytes-test-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  SpillPolicy policy(std::uint64_t threshold) const {
    return SpillPolicy{.directory = directory_.string(), .threshold_bytes = threshold};
  }
  std::size_t namesInDirectory() const {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(directory_),
                                                  std::filesystem::directory_iterator()));
  }

  std::filesystem::path directory_;
};

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return bytes;
}

TEST_F(SpillBytes, SmallContentsStayInMemory) {
  BytesBuilder builder(policy(10));
  builder.append("0123");
  builder.append("456789");
  const Bytes bytes = std::move(builder).finish();
  EXPECT_TRUE(bytes.inMemory());
  EXPECT_EQ(bytes.memory(), "0123456789");
  EXPECT_EQ(namesInDirectory(), 0u);
}

TEST_F(SpillBytes, OverTheThresholdTheBytesGoToAFileWithoutAName) {
  const std::string all = pattern(100'000);
  BytesBuilder builder(policy(4096));
  for (std::size_t at = 0; at < all.size(); at += 1000) builder.append(all.substr(at, 1000));
  const Bytes bytes = std::move(builder).finish();
  ASSERT_FALSE(bytes.inMemory());
  EXPECT_EQ(bytes.size(), all.size());
  EXPECT_TRUE(bytes == all);
  EXPECT_EQ(bytes.toString(), all);
  EXPECT_EQ(bytes.head(10), all.substr(0, 10));
  EXPECT_THROW((void)bytes.memory(), std::logic_error);
  // Nothing to clean up, ever: the file has no name, even while it is open.
  EXPECT_EQ(namesInDirectory(), 0u);
}

TEST_F(SpillBytes, AnAnnouncedLargeTotalGoesStraightToAFile) {
  BytesBuilder builder(policy(4096));
  builder.expect(5000);
  builder.append("x");
  EXPECT_FALSE(std::move(builder).finish().inMemory());
}

TEST_F(SpillBytes, ChunksCoverEveryByteInOrder) {
  const std::string all = pattern(10'001);
  for (const Bytes& bytes : {Bytes(all), [&] {
                               BytesBuilder builder(policy(1));
                               builder.append(all);
                               return std::move(builder).finish();
                             }()}) {
    std::vector<std::size_t> sizes;
    std::string joined;
    bytes.forEachChunk(4096, [&](std::string_view piece) {
      sizes.push_back(piece.size());
      joined.append(piece);
    });
    EXPECT_EQ(sizes, (std::vector<std::size_t>{4096, 4096, 1809}));
    EXPECT_EQ(joined, all);
  }
}

TEST_F(SpillBytes, TheDigestOfASpilledContentIsTheDigestOfItsBytes) {
  const std::string all = pattern(1'000'000);
  BytesBuilder builder(policy(1000));
  builder.append(all);
  const Bytes spilled = std::move(builder).finish();
  ASSERT_FALSE(spilled.inMemory());
  EXPECT_EQ(sha256Hex(spilled), crypto::sha256Hex(all));
  EXPECT_EQ(sha256Hex(Bytes(all)), crypto::sha256Hex(all));
}

TEST_F(SpillBytes, ComparisonSeesADifferenceInsideAFile) {
  std::string all = pattern(50'000);
  BytesBuilder builder(policy(1000));
  builder.append(all);
  const Bytes spilled = std::move(builder).finish();
  all[40'000] ^= 1;
  EXPECT_FALSE(spilled == all);
  EXPECT_FALSE(spilled == all.substr(1));
}

TEST_F(SpillBytes, AnUnwritableDirectoryIsNamedInTheError) {
  const std::string missing = (directory_ / "does-not-exist").string();
  try {
    SpillFile::create(missing);
    FAIL() << "a spill file was made in a missing directory";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hd::spill
