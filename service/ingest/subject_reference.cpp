#include "service/ingest/subject_reference.hpp"

#include <algorithm>

namespace hd::ingest {
namespace {

constexpr std::size_t kMaxDigits = 18;  // fits a bigint ticket id

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::vector<std::string> subjectReferences(std::string_view subject, std::string_view prefix) {
  std::vector<std::string> references;
  if (prefix.empty()) return references;
  std::size_t open = subject.find('[');
  while (open != std::string_view::npos && references.size() < kMaxSubjectReferences) {
    const std::string_view rest = subject.substr(open + 1);
    if (rest.size() > prefix.size() && equalsIgnoringCase(rest.substr(0, prefix.size()), prefix)) {
      std::size_t end = prefix.size();
      while (end < rest.size() && isDigit(rest[end])) ++end;
      std::string_view digits = rest.substr(prefix.size(), end - prefix.size());
      while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
      if (end < rest.size() && rest[end] == ']' && !digits.empty() && digits.size() <= kMaxDigits) {
        std::string reference = std::string(prefix) + std::string(digits);
        if (std::find(references.begin(), references.end(), reference) == references.end()) {
          references.push_back(std::move(reference));
        }
      }
    }
    open = subject.find('[', open + 1);
  }
  return references;
}

}  // namespace hd::ingest
