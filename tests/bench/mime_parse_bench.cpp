// MIME parsing speed over the golden corpus (tests/corpus), in process. Prints figures only.
//
//   mime_parse_bench [ROUNDS]

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
  std::uint64_t bytes = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(HD_TEST_DATA_DIR "/corpus")) {
    auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".eml" && ext != ".txt")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    corpus.push_back(text.str());
    bytes += corpus.back().size();
  }
  std::size_t warnings = 0;
  auto started = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const auto& raw : corpus) warnings += hd::mime::parse(raw).warnings.size();
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  double parsed = static_cast<double>(corpus.size()) * rounds;
  std::cout << "corpus              " << corpus.size() << " messages, " << bytes / 1024.0
            << " KiB\n"
            << "rounds              " << rounds << "\n"
            << "throughput          " << parsed / seconds << " messages/s, "
            << bytes * rounds / (1024.0 * 1024.0) / seconds << " MiB/s\n"
            << "warnings per round  " << warnings / static_cast<std::size_t>(rounds) << "\n";
  return 0;
}
