#include "service/http/request_head.hpp"

#include <cctype>
#include <optional>

namespace hd::service::http {
namespace {

using Kind = HeadVerdict::Kind;

HeadVerdict refuse(int status, std::string error) {
  HeadVerdict verdict;
  verdict.kind = Kind::kRefused;
  verdict.status = status;
  verdict.error = std::move(error);
  return verdict;
}

// RFC 9110 section 5.6.2.
bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!isTokenChar(c)) return false;
  }
  return true;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The end of the head (just past its empty line), where lines end in CRLF or a bare LF as POCO
// also accepts; npos while incomplete.
std::size_t headEnd(std::string_view bytes) {
  for (std::size_t pos = bytes.find('\n'); pos != std::string_view::npos;
       pos = bytes.find('\n', pos + 1)) {
    std::size_t next = pos + 1;
    if (next < bytes.size() && bytes[next] == '\r') ++next;
    if (next < bytes.size() && bytes[next] == '\n') return next + 1;
  }
  return std::string_view::npos;
}

std::string_view withoutCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool isProbePath(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/status";
}

}  // namespace

HeadVerdict inspectRequestHead(std::string_view received, const HeadLimits& limits) {
  // RFC 9112 section 2.2: empty lines before the request line are ignored.
  std::size_t start = 0;
  while (start < received.size() && (received[start] == '\r' || received[start] == '\n')) ++start;
  const std::string_view bytes = received.substr(start);
  const std::size_t end = headEnd(bytes);
  if (end == std::string_view::npos || end > limits.max_head_bytes) {
    if (bytes.size() >= limits.max_head_bytes || end != std::string_view::npos)
      return refuse(431, "request head too large");
    HeadVerdict incomplete;
    incomplete.request_bytes = received.size() + 1;
    return incomplete;
  }

  std::string_view head = bytes.substr(0, end);
  const std::size_t line_end = head.find('\n');
  const std::string_view request_line = withoutCr(head.substr(0, line_end));
  head.remove_prefix(line_end + 1);

  const auto first_space = request_line.find(' ');
  const auto last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space)
    return refuse(400, "malformed request line");
  const std::string_view method = request_line.substr(0, first_space);
  const std::string_view target =
      request_line.substr(first_space + 1, last_space - first_space - 1);
  const std::string_view version = request_line.substr(last_space + 1);
  if (!isToken(method) || method.size() > 32) return refuse(400, "malformed request method");
  if (target.empty() || target.front() != '/') return refuse(400, "malformed request target");
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return refuse(400, "malformed request target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" ||
      !std::isdigit(static_cast<unsigned char>(version[5])) || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return refuse(400, "malformed HTTP version");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0")
    return refuse(505, "only HTTP/1.0 and HTTP/1.1 are supported");

  std::size_t fields = 0;
  std::optional<std::size_t> content_length;
  while (!head.empty()) {
    const std::size_t next = head.find('\n');
    const std::string_view line = withoutCr(head.substr(0, next));
    head.remove_prefix(next + 1);
    if (line.empty()) break;
    if (++fields > limits.max_header_fields) return refuse(400, "too many header fields");
    if (line.front() == ' ' || line.front() == '\t')
      return refuse(400, "folded header lines are not accepted");
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !isToken(line.substr(0, colon)))
      return refuse(400, "malformed header field");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (equalsIgnoreCase(name, "transfer-encoding"))
      return refuse(501, "Transfer-Encoding is not supported; send a Content-Length");
    if (equalsIgnoreCase(name, "content-length")) {
      if (content_length) return refuse(400, "Content-Length given more than once");
      if (value.empty() || value.size() > 18) return refuse(400, "malformed Content-Length");
      std::size_t length = 0;
      for (char c : value) {
        if (!std::isdigit(static_cast<unsigned char>(c)))
          return refuse(400, "malformed Content-Length");
        length = length * 10 + static_cast<std::size_t>(c - '0');
      }
      content_length = length;
    }
  }
  const std::size_t body = content_length.value_or(0);
  if (body > limits.max_body_bytes) return refuse(413, "request body too large");

  HeadVerdict verdict;
  verdict.request_bytes = start + end + body;
  if (received.size() < verdict.request_bytes) return verdict;  // the body is still coming
  verdict.kind = Kind::kComplete;
  verdict.probe = body == 0 && (method == "GET" || method == "HEAD") && isProbePath(target);
  return verdict;
}

}  // namespace hd::service::http
