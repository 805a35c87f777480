#include "cli/error_text.h"

#include <array>
#include <cerrno>
#include <cstring>

#include "api/schema.h"

namespace vsd::cli {

namespace {

struct ErrorWords {
  const char* op;  // nullptr: any operation
  int code;
  const char* text;
};

constexpr std::array<ErrorWords, 22> kErrorWords = {{
    {api::op::add_service, EEXIST, "Service already exists"},
    {api::op::add_service, ENOENT, "Scheduler or persistence engine not found"},
    {api::op::edit_service, ESRCH, "No such service"},
    {api::op::edit_service, ENOENT, "Scheduler or persistence engine not found"},
    {api::op::delete_service, ESRCH, "No such service"},
    {api::op::zero, ESRCH, "No such service"},
    {api::op::add_server, ESRCH, "Service not defined"},
    {api::op::add_server, EEXIST, "Destination already exists"},
    {api::op::edit_server, ESRCH, "Service not defined"},
    {api::op::edit_server, ENOENT, "No such destination"},
    {api::op::delete_server, ESRCH, "Service not defined"},
    {api::op::delete_server, ENOENT, "No such destination"},
    {api::op::start_daemon, EEXIST, "Daemon has already run"},
    {api::op::stop_daemon, ESRCH, "No daemon is running"},
    {api::op::list, ESRCH, "No such service"},
    {nullptr, EPERM, "Permission denied (you must be root)"},
    {nullptr, EINVAL,
     "Invalid operation.  Possibly wrong module version, address not unicast, ..."},
    {nullptr, ENOPROTOOPT, "Protocol not available"},
    {nullptr, ENOMEM, "Memory allocation problem"},
    {nullptr, EOPNOTSUPP, "Operation not supported with IPv6"},
    {nullptr, EAFNOSUPPORT, "Operation not supported with specified address family"},
    {nullptr, EMSGSIZE, "Module is wrong version"},
}};

}  // namespace

std::string error_text(const std::string& op, int code) {
  for (const auto& w : kErrorWords)
    if ((!w.op || op == w.op) && w.code == code) return w.text;
  return std::strerror(code);
}

}  // namespace vsd::cli
