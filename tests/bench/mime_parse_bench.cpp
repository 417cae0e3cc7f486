// MIME parsing speed over the golden corpus (tests/corpus), in process, and the slowest message
// (a parser that nearly hangs on one input shows here, not as a timed assertion in a unit test).
// Prints figures only.
//
//   mime_parse_bench [ROUNDS]

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "connectors/mime/parse.hpp"

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::stoi(argv[1]) : 20;
  std::vector<std::string> corpus;
  std::vector<std::string> names;
  std::uint64_t bytes = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(HD_TEST_DATA_DIR "/corpus")) {
    auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".eml" && ext != ".txt")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    corpus.push_back(text.str());
    names.push_back(entry.path().filename().string());
    bytes += corpus.back().size();
  }
  std::size_t warnings = 0;
  std::vector<double> slowest(corpus.size(), 0.0);  // seconds, per message, over the rounds
  auto started = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < corpus.size(); ++i) {
      const auto one = std::chrono::steady_clock::now();
      warnings += hd::mime::parse(corpus[i]).warnings.size();
      slowest[i] =
          std::max(slowest[i],
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - one).count());
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto worst = std::max_element(slowest.begin(), slowest.end());
  double parsed = static_cast<double>(corpus.size()) * rounds;
  std::cout << "corpus              " << corpus.size() << " messages, " << bytes / 1024.0
            << " KiB\n"
            << "rounds              " << rounds << "\n"
            << "throughput          " << parsed / seconds << " messages/s, "
            << bytes * rounds / (1024.0 * 1024.0) / seconds << " MiB/s\n"
            << "warnings per round  " << warnings / static_cast<std::size_t>(rounds) << "\n";
  if (worst != slowest.end()) {
    std::cout << "slowest message     " << names[static_cast<std::size_t>(worst - slowest.begin())]
              << ", " << *worst * 1000.0 << " ms\n";
  }
  return 0;
}
