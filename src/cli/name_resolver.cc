#include "cli/name_resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace vsd::cli {

std::optional<std::string> SystemNameResolver::host_name(const IpAddress& address) const {
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (address.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, address.bytes().data(), 4);
    length = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, address.bytes().data(), 16);
    length = sizeof(sockaddr_in6);
  }
  std::array<char, NI_MAXHOST> host{};
  // NI_NAMEREQD: no name is a failure, so that the caller prints the number itself.
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&storage), length, host.data(),
                  static_cast<socklen_t>(host.size()), nullptr, 0, NI_NAMEREQD) != 0)
    return std::nullopt;
  return std::string(host.data());
}

std::optional<std::string> SystemNameResolver::service_name(uint16_t port,
                                                            std::string_view protocol) const {
  const std::string proto(protocol);
  servent entry{};
  servent* found = nullptr;
  std::array<char, 1024> scratch{};
  if (getservbyport_r(htons(port), proto.c_str(), &entry, scratch.data(), scratch.size(), &found) !=
          0 ||
      found == nullptr || found->s_name == nullptr)
    return std::nullopt;
  return std::string(found->s_name);
}

}  // namespace vsd::cli
