#include "service/config_json.hpp"

#include <algorithm>
#include <regex>
#include <vector>

#include "service/config.hpp"

namespace hd::service::config_detail {
namespace {

using Json = nlohmann::json;

// Where the parser is in the document ("mailboxes[0].port"), kept from the parser's events so
// that an error inside a value can name its key.
class JsonPath {
 public:
  bool onEvent(Json::parse_event_t event, const Json& parsed) {
    using Event = Json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        frames_.push_back({event == Event::array_start, 0, ""});
        break;
      case Event::key:
        if (!frames_.empty()) frames_.back().key = parsed.get<std::string>();
        break;
      case Event::object_end:
      case Event::array_end:
        if (!frames_.empty()) frames_.pop_back();
        elementDone();
        break;
      case Event::value:
        elementDone();
        break;
    }
    return true;
  }

  std::string key() const {
    static const std::regex kPlainKey("[A-Za-z0-9_]{1,64}");
    std::string path;
    for (const auto& frame : frames_) {
      if (frame.array) {
        path += "[" + std::to_string(frame.index) + "]";
      } else if (!frame.key.empty()) {
        // Only names that look like our keys: a misplaced secret must not be printed as a key.
        path += (path.empty() ? "" : ".") +
                (std::regex_match(frame.key, kPlainKey) ? frame.key : std::string("(key)"));
      }
    }
    return path.empty() ? "(file)" : path;
  }

 private:
  void elementDone() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  struct Frame {
    bool array;
    std::size_t index;
    std::string key;
  };
  std::vector<Frame> frames_;
};

// "line 3, column 17" of a byte offset (1-based, as editors count).
std::string lineAndColumn(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const auto line =
      1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
  const auto line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const auto column =
      line_start == std::string::npos || offset == 0 ? offset : offset - line_start - 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column + 1);
}

}  // namespace

Json parseJson(const std::string& text) {
  JsonPath path;
  try {
    return Json::parse(
        text,
        [&path](int, Json::parse_event_t event, Json& parsed) {
          return path.onEvent(event, parsed);
        },
        /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& e) {
    // nlohmann's description is fixed text up to "; last read: '<input>'".
    std::string what = e.what();
    const auto description_start = what.find(": syntax error");
    std::string description = description_start == std::string::npos
                                  ? "syntax error"
                                  : what.substr(description_start + 2);
    description.resize(std::min(description.find("; last read"), description.size()));
    throw ConfigError("(file)", "not valid JSON at " +
                                    lineAndColumn(text, e.byte == 0 ? 0 : e.byte - 1) + ": " +
                                    description);
  } catch (const Json::out_of_range&) {
    throw ConfigError(path.key(), "number out of range");
  } catch (const Json::exception&) {
    throw ConfigError(path.key(), "not valid JSON");
  }
}

}  // namespace hd::service::config_detail
