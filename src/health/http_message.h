#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vsd::health {

// keepalived's HTTP_GET request: "GET path HTTP/1.x", its User-Agent, a Host header (the virtual
// host, or the address, with ":port" unless the port is 80 (443 for SSL_GET)), and for 1.1
// "Connection: close" so that the body ends when the server closes.
std::string http_request(std::string_view path, std::string_view host, bool http11);

struct HttpResponse {
  int status = 0;
  std::string body;
};
// Parses a whole response (status line, headers, body up to the close). A chunked body is
// decoded. nullopt when the status line or the chunking is malformed.
std::optional<HttpResponse> parse_http_response(std::string_view raw);

// The MD5 of `data` as 32 lower-case hex digits: what digest compares and genhash prints.
std::string md5_hex(std::string_view data);

}  // namespace vsd::health
