#pragma once
// Statements generated for a number of rows (1..Max), each compiled on its first use and shared by
// every connection (the workers run in several threads).

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "db/named_statement.hpp"

namespace hd::db {

template <std::size_t Max>
class SizedStatements {
 public:
  using Make = std::function<std::unique_ptr<NamedStatement>(std::size_t)>;
  explicit SizedStatements(Make make) : make_(std::move(make)) {}

  // std::out_of_range beyond Max.
  const NamedStatement& forSize(std::size_t size) {
    std::lock_guard lock(mutex_);
    auto& statement = statements_.at(size);
    if (!statement) statement = make_(size);
    return *statement;
  }

 private:
  Make make_;
  std::mutex mutex_;
  std::array<std::unique_ptr<NamedStatement>, Max + 1> statements_;
};

}  // namespace hd::db
