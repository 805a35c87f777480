#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"

namespace vsd::api {

using Json = nlohmann::json;

// The control protocol: one JSON object per line over a Unix stream socket, so that any tool
// (socat, python) can speak it. Every message carries the schema version; a daemon refuses a
// request of another version rather than guess.
//   request:  {"vsd": 1, "id": 7, "op": "add-service", "args": {...}}
//   response: {"vsd": 1, "id": 7, "ok": true, "result": {...}}
//             {"vsd": 1, "id": 7, "ok": false, "error": {"message": "...", "code": 17}}
// "code" is the errno the kernel's IPVS would return, so that vsadm prints ipvsadm's words.
inline constexpr int kSchemaVersion = 1;
inline constexpr const char* kDefaultSocketPath = "/run/vsd/vsd.sock";

struct Request {
  uint64_t id = 0;
  std::string op;
  Json args = Json::object();
};

struct Response {
  uint64_t id = 0;
  std::optional<Json> result;  // set when ok
  Error error;                 // meaningful when !result

  bool ok() const { return result.has_value(); }
  static Response success(uint64_t id, Json result) { return Response{id, std::move(result), {}}; }
  static Response failure(uint64_t id, Error error) {
    return Response{id, std::nullopt, std::move(error)};
  }
};

std::string encode(const Request& request);
std::string encode(const Response& response);
Result<Request> decode_request(const std::string& line);
Result<Response> decode_response(const std::string& line);

// The socket path: --socket if given, else $VSD_SOCKET, else kDefaultSocketPath.
std::string socket_path(const std::optional<std::string>& flag);

}  // namespace vsd::api
