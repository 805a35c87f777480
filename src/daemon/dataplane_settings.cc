#include "daemon/dataplane_settings.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <tuple>
#include <utility>
#include <vector>

namespace vsd::daemon {
namespace {

struct KernelLink {
  std::optional<packet::MacAddress> mac;
  std::optional<uint32_t> mtu;
};

KernelLink kernel_link(const std::string& name) {
  KernelLink link;
  if (name.size() >= IFNAMSIZ) return link;
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return link;
  ifreq request{};
  std::memcpy(request.ifr_name, name.c_str(), name.size() + 1);
  if (ioctl(fd, SIOCGIFHWADDR, &request) == 0)
    link.mac =
        packet::MacAddress::from(reinterpret_cast<const uint8_t*>(request.ifr_hwaddr.sa_data));
  if (ioctl(fd, SIOCGIFMTU, &request) == 0 && request.ifr_mtu > 0)
    link.mtu = static_cast<uint32_t>(request.ifr_mtu);
  close(fd);
  return link;
}

unsigned prefix_of(const sockaddr* mask) {
  if (!mask) return 0;
  const uint8_t* bytes = nullptr;
  size_t length = 0;
  if (mask->sa_family == AF_INET) {
    bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
    length = 4;
  } else {
    bytes =
        reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
    length = 16;
  }
  unsigned prefix = 0;
  for (size_t i = 0; i < length; ++i) prefix += static_cast<unsigned>(__builtin_popcount(bytes[i]));
  return prefix;
}

// The kernel's addresses on `name`: the first IPv4 one and the first global IPv6 one.
void kernel_addresses(const std::string& name, dataplane::InterfaceSettings& itf) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return;
  for (const ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || name != a->ifa_name) continue;
    if (a->ifa_addr->sa_family == AF_INET && !itf.ipv4) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      itf.ipv4 = IpAddress::v4(ntohl(in->sin_addr.s_addr));
      itf.ipv4_prefix = prefix_of(a->ifa_netmask);
    } else if (a->ifa_addr->sa_family == AF_INET6 && !itf.ipv6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
      std::array<uint8_t, 16> bytes;
      std::memcpy(bytes.data(), &in6->sin6_addr, 16);
      if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) continue;  // link-local
      itf.ipv6 = IpAddress::v6(bytes);
      itf.ipv6_prefix = prefix_of(a->ifa_netmask);
    }
  }
  freeifaddrs(list);
}

// $VSD_BPF_OBJECT, else the copy this build made (when it is still there), else the installed
// one.
std::string xdp_object_path() {
  if (const char* path = std::getenv("VSD_BPF_OBJECT")) return path;
  if (access(VSD_BPF_BUILD_OBJECT, R_OK) == 0) return VSD_BPF_BUILD_OBJECT;
  return VSD_BPF_INSTALLED_OBJECT;
}

dataplane::Backend backend_of(const std::string& name) {
  if (name == "pcap") return dataplane::Backend::pcap;
  if (name == "afxdp") return dataplane::Backend::afxdp;
  return dataplane::Backend::afpacket;
}

}  // namespace

Result<dataplane::DataplaneSettings> dataplane_settings(const config::DataplaneConfig& config) {
  dataplane::DataplaneSettings s;
  s.backend = backend_of(config.backend);
  s.workers = config.workers;
  auto index_of = [&](const std::string& name) -> std::optional<uint16_t> {
    for (size_t i = 0; i < config.interfaces.size(); ++i)
      if (config.interfaces[i].name == name) return static_cast<uint16_t>(i);
    return std::nullopt;
  };
  for (const config::DataplaneInterfaceConfig& c : config.interfaces) {
    dataplane::InterfaceSettings itf;
    itf.name = c.name;
    const KernelLink kernel = (c.mac && c.mtu) ? KernelLink{} : kernel_link(c.name);
    if (c.mac) {
      std::memcpy(itf.mac.bytes.data(), c.mac->data(), 6);
    } else if (kernel.mac) {
      itf.mac = *kernel.mac;
    }
    itf.mtu = c.mtu ? *c.mtu : kernel.mtu.value_or(1500);
    for (const auto& a : c.addresses) {
      if (a.address.is_v4() && !itf.ipv4) {
        itf.ipv4 = a.address;
        itf.ipv4_prefix = a.prefix_length;
      } else if (a.address.is_v6() && !itf.ipv6) {
        itf.ipv6 = a.address;
        itf.ipv6_prefix = a.prefix_length;
      } else {
        return Error{to_string(c.where) + ": interface " + c.name +
                         ": one address per family (the director's source address)",
                     EINVAL};
      }
    }
    if (c.addresses.empty()) kernel_addresses(c.name, itf);
    s.interfaces.push_back(std::move(itf));
  }
  for (const config::DataplaneRouteConfig& r : config.routes) {
    auto dev = index_of(r.device);
    if (!dev) return Error{to_string(r.where) + ": unknown interface " + r.device, EINVAL};
    s.routes.push_back({r.prefix, r.prefix_length, r.via, *dev});
  }
  for (const config::DataplaneNeighbourConfig& n : config.neighbours) {
    auto dev = index_of(n.device);
    if (!dev) return Error{to_string(n.where) + ": unknown interface " + n.device, EINVAL};
    dataplane::NeighbourSettings neighbour;
    neighbour.address = n.address;
    std::memcpy(neighbour.mac.bytes.data(), n.mac.data(), 6);
    neighbour.interface = *dev;
    s.neighbours.push_back(neighbour);
  }
  s.fullnat_addresses = config.fullnat_local_addresses;
  s.fullnat_first_port = config.fullnat_first_port;
  s.fullnat_last_port = config.fullnat_last_port;
  s.fragment_timeout = milliseconds(config.fragment_timeout_ms);
  s.verify_l4_checksums = config.checksum_verify;
  s.reuse.conn_reuse_mode = config.conn_reuse_mode;
  s.reuse.expire_nodest_conn = config.expire_nodest_conn;
  s.reuse.expire_quiescent_template = config.expire_quiescent_template;
  s.xdp_mode = config.xdp_mode == "native"    ? dataplane::XdpMode::native
               : config.xdp_mode == "generic" ? dataplane::XdpMode::generic
                                              : dataplane::XdpMode::automatic;
  s.xdp_object = xdp_object_path();
  return s;
}

namespace {

// Every field but the source locations.
auto comparable(const config::DataplaneInterfaceConfig& i) {
  std::vector<std::pair<IpAddress, unsigned>> addresses;
  for (const auto& a : i.addresses) addresses.emplace_back(a.address, a.prefix_length);
  return std::make_tuple(i.name, i.mac, i.mtu, addresses);
}

auto comparable(const config::DataplaneRouteConfig& r) {
  return std::make_tuple(r.prefix, r.prefix_length, r.via, r.device);
}

auto comparable(const config::DataplaneNeighbourConfig& n) {
  return std::make_tuple(n.address, n.mac, n.device);
}

template <typename T>
bool same_lists(const std::vector<T>& a, const std::vector<T>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const T& x, const T& y) { return comparable(x) == comparable(y); });
}

}  // namespace

bool same_dataplane(const config::DataplaneConfig& a, const config::DataplaneConfig& b) {
  const auto scalars = [](const config::DataplaneConfig& c) {
    return std::make_tuple(c.backend, c.workers, c.xdp_mode, c.fullnat_local_addresses,
                           c.fullnat_first_port, c.fullnat_last_port, c.fragment_timeout_ms,
                           c.checksum_verify, c.kernel_routes, c.conn_reuse_mode,
                           c.expire_nodest_conn, c.expire_quiescent_template);
  };
  return scalars(a) == scalars(b) && same_lists(a.interfaces, b.interfaces) &&
         same_lists(a.routes, b.routes) && same_lists(a.neighbours, b.neighbours);
}

}  // namespace vsd::daemon
