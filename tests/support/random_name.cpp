#include "tests/support/random_name.hpp"

#include <mutex>
#include <random>

namespace hd::test {

std::string randomName(std::size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  static std::mutex mutex;
  static std::mt19937_64 engine{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string name(length, 'x');
  std::lock_guard lock(mutex);
  for (char& c : name) c = kAlphabet[pick(engine)];
  return name;
}

}  // namespace hd::test
