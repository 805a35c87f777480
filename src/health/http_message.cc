#include "health/http_message.h"

#include <openssl/evp.h>

#include <cctype>
#include <charconv>

namespace vsd::health {

std::string http_request(std::string_view path, std::string_view host, bool http11) {
  std::string r = "GET ";
  r += path;
  r += http11 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n";
  r += "User-Agent: KeepAliveClient\r\nHost: ";
  r += host;
  r += "\r\n";
  if (http11) r += "Connection: close\r\n";
  r += "\r\n";
  return r;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::optional<std::string> dechunk(std::string_view body) {
  std::string out;
  for (;;) {
    const auto eol = body.find("\r\n");
    if (eol == std::string_view::npos) return std::nullopt;
    size_t size = 0;
    const std::string_view line = body.substr(0, eol);
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (ec != std::errc{} || p == line.data()) return std::nullopt;
    body.remove_prefix(eol + 2);
    if (size == 0) return out;
    if (body.size() < size) return std::nullopt;
    out.append(body.substr(0, size));
    body.remove_prefix(size);
    if (body.starts_with("\r\n")) body.remove_prefix(2);
  }
}

}  // namespace

std::optional<HttpResponse> parse_http_response(std::string_view raw) {
  const auto head_end = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/") || head_end == std::string_view::npos) return std::nullopt;
  const auto space = raw.find(' ');
  if (space == std::string_view::npos || space + 4 > raw.size()) return std::nullopt;
  HttpResponse response;
  auto [p, ec] = std::from_chars(raw.data() + space + 1, raw.data() + space + 4, response.status);
  if (ec != std::errc{} || p != raw.data() + space + 4) return std::nullopt;
  bool chunked = false;
  std::string_view headers = raw.substr(0, head_end + 2);
  headers.remove_prefix(headers.find("\r\n") + 2);
  while (!headers.empty()) {
    const auto eol = headers.find("\r\n");
    const std::string_view line = headers.substr(0, eol);
    headers.remove_prefix(eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (iequals(line.substr(0, colon), "Transfer-Encoding") && iequals(value, "chunked"))
      chunked = true;
  }
  const std::string_view body = raw.substr(head_end + 4);
  if (chunked) {
    auto decoded = dechunk(body);
    if (!decoded) return std::nullopt;
    response.body = std::move(*decoded);
  } else {
    response.body = std::string(body);
  }
  return response;
}

std::string md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace vsd::health
