#include "cli/host_lookup.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>

#include "cli/endpoint_format.h"

namespace vsd::cli {

std::optional<IpAddress> SystemHostLookup::ipv4_address(const std::string& host) const {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found) return std::nullopt;
  // Like ipvsadm, only the first address counts.
  const auto* in = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
  const IpAddress address = IpAddress::v4(ntohl(in->sin_addr.s_addr));
  freeaddrinfo(found);
  return address;
}

std::optional<uint16_t> SystemHostLookup::port(const std::string& service,
                                               uint8_t ip_protocol) const {
  const char* protocol = service_protocol_name(ip_protocol);
  if (*protocol == '\0') return std::nullopt;
  servent entry{};
  servent* result = nullptr;
  std::array<char, 1024> buffer{};
  if (getservbyname_r(service.c_str(), protocol, &entry, buffer.data(), buffer.size(), &result) !=
          0 ||
      !result)
    return std::nullopt;
  return ntohs(static_cast<uint16_t>(result->s_port));
}

}  // namespace vsd::cli
