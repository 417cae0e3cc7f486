#include <gtest/gtest.h>

#include "service/ingest/subject_reference.hpp"

namespace hd::ingest {
namespace {

TEST(SubjectReferences, Table) {
  using V = std::vector<std::string>;
  struct Case {
    const char* subject;
    const char* prefix;
    V expected;
  } cases[] = {
      {"[HD-42] Printer", "HD-", V{"HD-42"}},
      {"Re: AW: [HD-42] Printer", "HD-", V{"HD-42"}},
      {"Printer [hd-42]", "HD-", V{"HD-42"}},
      {"[HD-0042]", "HD-", V{"HD-42"}},
      {"[HD-0]", "HD-", V{}},
      {"[HD-]", "HD-", V{}},
      {"[HD-42", "HD-", V{}},
      {"[HD-42a]", "HD-", V{}},
      {"HD-42 without brackets", "HD-", V{}},
      {"[ HD-42 ]", "HD-", V{}},
      {"[HD-1234567890123456789] too long", "HD-", V{}},
      {"[HD-123456789012345678]", "HD-", V{"HD-123456789012345678"}},
      {"[HD-1] [HD-2] [HD-1]", "HD-", V{"HD-1", "HD-2"}},
      {"[HD-1][HD-2][HD-3][HD-4]", "HD-", V{"HD-1", "HD-2", "HD-3"}},
      {"[[HD-5]]", "HD-", V{"HD-5"}},
      {"[SUP-7] [HD-8]", "SUP-", V{"SUP-7"}},
      {"[HD-7]", "", V{}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(subjectReferences(c.subject, c.prefix), c.expected) << c.subject;
  }
}

}  // namespace
}  // namespace hd::ingest
