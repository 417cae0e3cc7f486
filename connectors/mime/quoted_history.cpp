#include "connectors/mime/quoted_history.hpp"

#include <algorithm>
#include <vector>

#include "connectors/mime/ascii.hpp"
#include "connectors/mime/html_to_text.hpp"

namespace hd::mime {
namespace {

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// Outlook's plain text marks the bold "From:" of its HTML as "*From:*".
std::string_view trim(std::string_view s) {
  return trimView(s, " \t*");
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool startsWithAny(std::string_view line, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](std::string_view p) { return startsWithIgnoreCase(line, p); });
}

// Outlook's reply header: "From:" followed within a few lines by "Sent:"/"Date:" (localized:
// German "Von:/Gesendet:", French "De :/Envoyé :", Spanish "De:/Enviado:").
bool isHeaderBlock(const std::vector<std::string_view>& lines, std::size_t i) {
  if (!startsWithAny(trim(lines[i]), {"From:", "Von:", "De:", "De :"})) return false;
  for (std::size_t k = i + 1; k < lines.size() && k <= i + 4; ++k) {
    if (startsWithAny(trim(lines[k]), {"Sent:", "Date:", "Gesendet:", "Datum:", "Envoy\xC3\xA9 :",
                                       "Envoy\xC3\xA9:", "Enviado:", "Subject:", "To:"})) {
      return true;
    }
  }
  return false;
}

bool isOriginalMessageRule(std::string_view line) {
  const std::string_view t = trim(line);
  if (!t.starts_with("--") || !endsWith(t, "--")) return false;
  const std::size_t begin = t.find_first_not_of("- ");
  const std::size_t end = t.find_last_not_of("- ");
  if (begin == std::string_view::npos) return false;
  const std::string_view words = t.substr(begin, end - begin + 1);
  return startsWithAny(words,
                       {"Original Message", "Forwarded message", "Ursprüngliche Nachricht",
                        "Message d'origine", "Mensaje original", "Weitergeleitete Nachricht"});
}

// "On Tue, 2 Jan 2024 at 10:00, Jane <jane@example.com> wrote:" (Gmail, Apple Mail,
// Thunderbird), possibly wrapped after the address by a 78-column Gmail plain-text part.
bool isWroteLine(const std::vector<std::string_view>& lines, std::size_t i) {
  const std::string_view t = trim(lines[i]);
  const bool opener = startsWithAny(t, {"On ", "Am ", "Le "});
  if (!opener) return false;
  const auto isCloser = [](std::string_view s) {
    return endsWith(s, "wrote:") || endsWith(s, "schrieb:") || endsWith(s, "crit :") ||
           endsWith(s, "crit:");
  };
  if (isCloser(t)) return true;
  return i + 1 < lines.size() && isCloser(trim(lines[i + 1])) && trim(lines[i + 1]).size() < 80;
}

bool isUnderscoreRule(std::string_view line) {
  const std::string_view t = trim(line);
  return t.size() >= 10 && t.find_first_not_of('_') == std::string_view::npos;
}

}  // namespace

std::string stripQuotedHistory(std::string_view text) {
  const std::vector<std::string_view> lines = splitLines(text);
  std::size_t cut = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (isOriginalMessageRule(lines[i]) || isHeaderBlock(lines, i) || isWroteLine(lines, i)) {
      cut = i;
      if (cut > 0 && isUnderscoreRule(lines[cut - 1])) --cut;
      break;
    }
    if (isUnderscoreRule(lines[i]) && i + 1 < lines.size() && isHeaderBlock(lines, i + 1)) {
      cut = i;
      break;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < cut; ++i) {
    if (lines[i].starts_with('>')) continue;
    if (out.empty() && trim(lines[i]).empty()) continue;
    out.append(lines[i]);
    out.push_back('\n');
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '\t')) {
    out.pop_back();
  }
  return out;
}

std::string stripQuotedHistoryHtml(std::string_view html) {
  const std::string text = htmlToTextBefore(html, [](const HtmlElementInfo& element) {
    if (element.id == "divRplyFwdMsg" || element.id == "appendonsend") return true;
    for (std::string_view marker : {"gmail_quote", "moz-cite-prefix", "yahoo_quoted"}) {
      if (element.klass.find(marker) != std::string_view::npos) return true;
    }
    return false;
  });
  return stripQuotedHistory(text);
}

}  // namespace hd::mime
