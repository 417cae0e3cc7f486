#include "connectors/spill/bytes.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "connectors/crypto/sha256.hpp"

namespace hd::spill {
namespace {
constexpr std::size_t kReadChunk = 256 * 1024;
}

Bytes Bytes::inFile(std::shared_ptr<const SpillFile> file) {
  if (file == nullptr) throw std::invalid_argument("Bytes::inFile: no file");
  Bytes bytes;
  bytes.file_ = std::move(file);
  return bytes;
}

const std::string& Bytes::memory() const {
  if (file_) throw std::logic_error("these bytes are in a spill file, not in memory");
  return memory_;
}

void Bytes::forEachChunk(std::size_t chunk,
                         const std::function<void(std::string_view)>& consume) const {
  if (chunk == 0) throw std::invalid_argument("forEachChunk: chunk of 0 bytes");
  if (!file_) {
    const std::string_view all(memory_);
    for (std::size_t at = 0; at < all.size(); at += chunk) consume(all.substr(at, chunk));
    return;
  }
  std::vector<char> buffer(chunk);
  const std::uint64_t total = file_->size();
  for (std::uint64_t at = 0; at < total;) {
    const std::size_t n = file_->readAt(at, buffer.data(), buffer.size());
    if (n == 0) throw std::runtime_error("a spill file ended early");
    consume(std::string_view(buffer.data(), n));
    at += n;
  }
}

std::string Bytes::toString() const {
  if (!file_) return memory_;
  std::string all;
  all.reserve(file_->size());
  forEachChunk(kReadChunk, [&](std::string_view piece) { all.append(piece); });
  return all;
}

std::string Bytes::head(std::size_t max) const {
  if (!file_) return memory_.substr(0, max);
  std::string first(static_cast<std::size_t>(std::min<std::uint64_t>(max, file_->size())), '\0');
  first.resize(file_->readAt(0, first.data(), first.size()));
  return first;
}

bool operator==(const Bytes& bytes, std::string_view other) {
  if (bytes.size() != other.size()) return false;
  if (!bytes.file_) return std::string_view(bytes.memory_) == other;
  bool same = true;
  std::size_t at = 0;
  bytes.forEachChunk(kReadChunk, [&](std::string_view piece) {
    same = same && other.substr(at, piece.size()) == piece;
    at += piece.size();
  });
  return same;
}

std::string sha256Hex(const Bytes& bytes) {
  if (bytes.inMemory()) return crypto::sha256Hex(bytes.memory());
  crypto::Sha256 digest;
  bytes.forEachChunk(kReadChunk, [&](std::string_view piece) { digest.update(piece); });
  return digest.hexDigest();
}

void BytesBuilder::expect(std::uint64_t total) {
  if (file_) return;
  if (total > policy_.threshold_bytes) {
    spill();
  } else {
    memory_.reserve(static_cast<std::size_t>(total));  // one allocation, as before spilling existed
  }
}

void BytesBuilder::append(std::string_view bytes) {
  if (file_) {
    file_->append(bytes);
    return;
  }
  if (memory_.size() + bytes.size() > policy_.threshold_bytes) {
    spill();
    file_->append(bytes);
    return;
  }
  memory_.append(bytes);
}

void BytesBuilder::spill() {
  file_ = SpillFile::create(policy_.directory);
  file_->append(memory_);
  std::string().swap(memory_);
}

Bytes BytesBuilder::finish() && {
  if (file_) return Bytes::inFile(std::move(file_));
  return Bytes(std::move(memory_));
}

}  // namespace hd::spill
