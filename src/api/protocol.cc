#include "api/protocol.h"

#include <cerrno>
#include <cstdlib>

namespace vsd::api {

std::string encode(const Request& request) {
  Json j = {
      {"vsd", kSchemaVersion}, {"id", request.id}, {"op", request.op}, {"args", request.args}};
  return j.dump() + "\n";
}

std::string encode(const Response& response) {
  Json j = {{"vsd", kSchemaVersion}, {"id", response.id}, {"ok", response.ok()}};
  if (response.ok())
    j["result"] = *response.result;
  else
    j["error"] = {{"message", response.error.message}, {"code", response.error.code}};
  return j.dump() + "\n";
}

namespace {

Result<Json> parse_message(const std::string& line) {
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Error{"malformed message: not a JSON object", EINVAL};
  if (!j.contains("vsd") || !j["vsd"].is_number_integer())
    return Error{"malformed message: no schema version", EINVAL};
  if (j["vsd"].get<int>() != kSchemaVersion)
    return Error{"schema version " + j["vsd"].dump() + " is not supported (this side speaks " +
                     std::to_string(kSchemaVersion) + ")",
                 EPROTO};
  return j;
}

}  // namespace

Result<Request> decode_request(const std::string& line) {
  auto j = parse_message(line);
  if (!j.ok()) return j.error();
  Request r;
  if (!j->contains("op") || !(*j)["op"].is_string())
    return Error{"malformed request: no operation", EINVAL};
  r.op = (*j)["op"].get<std::string>();
  if (j->contains("id") && (*j)["id"].is_number_unsigned()) r.id = (*j)["id"].get<uint64_t>();
  if (j->contains("args")) {
    if (!(*j)["args"].is_object()) return Error{"malformed request: args is not an object", EINVAL};
    r.args = (*j)["args"];
  }
  return r;
}

Result<Response> decode_response(const std::string& line) {
  auto j = parse_message(line);
  if (!j.ok()) return j.error();
  const uint64_t id = j->value("id", uint64_t{0});
  if (j->value("ok", false)) return Response::success(id, j->value("result", Json::object()));
  const Json e = j->value("error", Json::object());
  return Response::failure(
      id, Error{e.value("message", std::string("unknown error")), e.value("code", 0)});
}

std::string socket_path(const std::optional<std::string>& flag) {
  if (flag && !flag->empty()) return *flag;
  if (const char* env = std::getenv("VSD_SOCKET"); env && *env) return env;
  return kDefaultSocketPath;
}

}  // namespace vsd::api
