// Golden MIME corpus: every tests/corpus/**/*.eml (and the MimeKit .txt messages) is parsed into a
// JSON summary and compared with <file>.expected.json next to it. HD_UPDATE_GOLDEN=1 rewrites the
// expected files instead; review every rewritten file by eye: they are the specification.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "connectors/mime/parse.hpp"
#include "mime_spill_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path corpusDir() {
  return fs::path(HD_TEST_DATA_DIR) / "corpus";
}

std::vector<std::string> corpusFiles() {
  std::vector<std::string> files;
  if (!fs::exists(corpusDir())) return files;
  for (const auto& entry : fs::recursive_directory_iterator(corpusDir())) {
    if (!entry.is_regular_file()) continue;
    const fs::path& path = entry.path();
    const bool mimekit_message =
        path.extension() == ".txt" && path.parent_path().filename() == "mimekit";
    if (path.extension() == ".eml" || mimekit_message) {
      files.push_back(fs::relative(path, corpusDir()).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

json address(const hd::mime::Address& a) {
  return {{"name", a.name}, {"address", a.address}};
}

json addresses(const std::vector<hd::mime::Address>& list) {
  json out = json::array();
  for (const auto& a : list) out.push_back(address(a));
  return out;
}

json date(const std::optional<std::chrono::system_clock::time_point>& when) {
  if (!when) return nullptr;
  const std::time_t t = std::chrono::system_clock::to_time_t(*when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

json summary(const hd::mime::ParseResult& result) {
  json out;
  out["ok"] = result.ok;
  if (!result.ok) out["error"] = result.error;
  const hd::mime::Message& m = result.message;
  out["subject"] = m.subject;
  out["from"] = m.from ? address(*m.from) : json(nullptr);
  out["to"] = addresses(m.to);
  out["cc"] = addresses(m.cc);
  if (!m.reply_to.empty()) out["reply_to"] = addresses(m.reply_to);
  out["date"] = date(m.date);
  out["message_id"] = m.message_id;
  out["in_reply_to"] = m.in_reply_to;
  out["references"] = m.references;
  out["text"] = m.text_body;
  out["text_new"] = m.text_body_new;
  out["html_present"] = !m.html_body.empty();
  json attachments = json::array();
  for (const auto& a : m.attachments) {
    json item = {{"name", a.filename},     {"type", a.content_type},     {"size", a.content.size()},
                 {"sha256", a.sha256_hex}, {"content_id", a.content_id}, {"inline", a.is_inline}};
    if (a.forwarded) {
      item["forwarded"] = {{"subject", a.forwarded->subject},
                           {"from", a.forwarded->from ? address(*a.forwarded->from) : json()},
                           {"message_id", a.forwarded->message_id},
                           {"date", date(a.forwarded->date)}};
    }
    attachments.push_back(std::move(item));
  }
  out["attachments"] = std::move(attachments);
  const hd::mime::AutomationHeaders& h = m.automation;
  json automation = json::object();
  const auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) automation[key] = value;
  };
  put("auto_submitted", h.auto_submitted);
  put("precedence", h.precedence);
  put("x_auto_response_suppress", h.x_auto_response_suppress);
  put("list_id", h.list_id);
  put("content_type", h.content_type);
  put("report_type", h.report_type);
  if (h.return_path) automation["return_path"] = *h.return_path;
  out["automation"] = std::move(automation);
  json warnings = json::array();
  for (const auto& w : result.warnings) warnings.push_back(hd::mime::render(w));
  out["warnings"] = std::move(warnings);
  return out;
}

class MimeGolden : public testing::TestWithParam<std::string> {};

TEST_P(MimeGolden, MatchesExpectedSummary) {
  const fs::path message = corpusDir() / GetParam();
  const fs::path expected_path = message.string() + ".expected.json";
  // Speed, and a message that parses too slowly, are measured by tests/bench/mime_parse_bench.
  const hd::mime::ParseResult result = hd::mime::parse(readFile(message));

  // Strict UTF-8: dump() throws if any decoded text is not valid UTF-8.
  std::string actual;
  ASSERT_NO_THROW(actual = summary(result).dump(2, ' ', false, json::error_handler_t::strict));
  actual += "\n";

  const char* update = std::getenv("HD_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  ASSERT_TRUE(fs::exists(expected_path))
      << expected_path << " is missing; run with HD_UPDATE_GOLDEN=1 and review it";
  EXPECT_EQ(json::parse(readFile(expected_path)).dump(2), json::parse(actual).dump(2))
      << "summary of " << GetParam() << " changed";
}

// Issue 11: a message in a spill file is parsed by GMime from the file, and every decoded content
// goes to a spill file (threshold 0): the result is the one of the in-memory parse, byte for byte.
TEST_P(MimeGolden, SpilledMessageParsesAsInMemory) {
  const std::string raw = readFile(corpusDir() / GetParam());
  const hd::mime::ParseResult in_memory = hd::mime::parse(raw);
  const hd::mime::Limits spilling = hd::mime::test::spillingEverything();
  const hd::spill::Bytes file = hd::mime::test::spilled(raw);
  ASSERT_EQ(file.inMemory(), raw.empty());
  const hd::mime::ParseResult from_file = hd::mime::parseBytes(file, spilling);

  EXPECT_EQ(summary(from_file).dump(2), summary(in_memory).dump(2));
  EXPECT_EQ(from_file.message.html_body, in_memory.message.html_body);
  ASSERT_EQ(from_file.message.attachments.size(), in_memory.message.attachments.size());
  for (std::size_t i = 0; i < in_memory.message.attachments.size(); ++i) {
    const hd::spill::Bytes& content = from_file.message.attachments[i].content;
    EXPECT_EQ(content.inMemory(), content.empty()) << "attachment " << i;
    EXPECT_TRUE(content == in_memory.message.attachments[i].content.toString())
        << "attachment " << i;
    EXPECT_EQ(hd::spill::sha256Hex(content), from_file.message.attachments[i].sha256_hex);
  }
}

std::string testName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, MimeGolden, testing::ValuesIn(corpusFiles()), testName);

TEST(MimeGoldenCorpus, HasTheMimeKitMessagesAndOurHardCases) {
  const std::vector<std::string> files = corpusFiles();
  const auto count = [&](const std::string& dir) {
    return std::count_if(files.begin(), files.end(),
                         [&](const std::string& f) { return f.rfind(dir, 0) == 0; });
  };
  EXPECT_GE(count("mimekit/"), 28);
  EXPECT_GE(count("hard/"), 25);
}

}  // namespace
