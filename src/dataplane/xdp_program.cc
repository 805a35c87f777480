#include "dataplane/xdp_program.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

namespace vsd::dataplane {
namespace {

// Keys and bits as src/bpf/steer.bpf.c declares them.
struct Service4 {
  uint32_t address;  // network order
  uint16_t port;     // network order
  uint8_t protocol;
  uint8_t pad;
  bool operator<(const Service4& o) const { return std::memcmp(this, &o, sizeof *this) < 0; }
};
struct Service6 {
  uint8_t address[16];
  uint16_t port;
  uint8_t protocol;
  uint8_t pad;
  bool operator<(const Service6& o) const { return std::memcmp(this, &o, sizeof *this) < 0; }
};
using AddressKey = std::array<uint8_t, 16>;
constexpr uint8_t kService = 1;
constexpr uint8_t kReply = 2;
constexpr uint8_t kVip = 1;
constexpr uint8_t kOwn = 2;
constexpr uint8_t kLocal = 4;
constexpr uint8_t kReplySource = 16;

uint16_t network16(uint16_t v) {
  return static_cast<uint16_t>((v >> 8) | (v << 8));
}

Service4 key4(const IpAddress& a, uint16_t port, core::Protocol p) {
  Service4 k{};
  std::memcpy(&k.address, a.bytes().data(), 4);
  k.port = network16(port);
  k.protocol = static_cast<uint8_t>(p);
  return k;
}

Service6 key6(const IpAddress& a, uint16_t port, core::Protocol p) {
  Service6 k{};
  std::memcpy(k.address, a.bytes().data(), 16);
  k.port = network16(port);
  k.protocol = static_cast<uint8_t>(p);
  return k;
}

// Makes the map hold exactly `wanted` (deletes the rest, writes the new values).
template <class Key>
Status sync_map(int fd, const std::map<Key, uint8_t>& wanted) {
  std::vector<Key> stale;
  Key key{};
  Key next{};
  const void* previous = nullptr;
  while (bpf_map_get_next_key(fd, previous, &next) == 0) {
    if (!wanted.count(next)) stale.push_back(next);
    key = next;
    previous = &key;
  }
  for (const Key& k : stale) bpf_map_delete_elem(fd, &k);
  for (const auto& [k, v] : wanted)
    if (bpf_map_update_elem(fd, &k, &v, BPF_ANY) != 0)
      return Error{std::string("XDP map update: ") + std::strerror(errno), errno};
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<XdpProgram>> XdpProgram::load(const DataplaneSettings& settings) {
  std::unique_ptr<XdpProgram> p(new XdpProgram());
  p->object_ = bpf_object__open_file(settings.xdp_object.c_str(), nullptr);
  if (!p->object_)
    return Error{settings.xdp_object + ": cannot open the XDP program", errno ? errno : ENOENT};
  if (bpf_object__load(p->object_) != 0)
    return Error{settings.xdp_object + ": the kernel refused the XDP program", EINVAL};
  bpf_program* program = bpf_object__find_program_by_name(p->object_, "vsd_steer");
  if (!program) return Error{"vsd_steer not found in " + settings.xdp_object, ENOENT};
  p->program_fd_ = bpf_program__fd(program);
  p->xsks_fd_ = bpf_object__find_map_fd_by_name(p->object_, "xsks");
  p->services4_fd_ = bpf_object__find_map_fd_by_name(p->object_, "services4");
  p->services6_fd_ = bpf_object__find_map_fd_by_name(p->object_, "services6");
  p->addresses_fd_ = bpf_object__find_map_fd_by_name(p->object_, "addresses");
  const int interfaces_fd = bpf_object__find_map_fd_by_name(p->object_, "interfaces");
  if (p->xsks_fd_ < 0 || p->services4_fd_ < 0 || p->services6_fd_ < 0 || p->addresses_fd_ < 0 ||
      interfaces_fd < 0)
    return Error{settings.xdp_object + ": maps missing", ENOENT};
  if (settings.interfaces.size() > kMaxInterfaces)
    return Error{"afxdp: at most 16 interfaces", EINVAL};
  for (size_t i = 0; i < settings.interfaces.size(); ++i) {
    const InterfaceSettings& itf = settings.interfaces[i];
    const int ifindex = static_cast<int>(if_nametoindex(itf.name.c_str()));
    if (ifindex == 0) return Error{"interface " + itf.name + ": " + std::strerror(errno), errno};
    const auto key = static_cast<uint32_t>(ifindex);
    const auto slot = static_cast<uint32_t>(i);
    if (bpf_map_update_elem(interfaces_fd, &key, &slot, BPF_ANY) != 0)
      return Error{std::string("XDP interfaces map: ") + std::strerror(errno), errno};
    int err = -EOPNOTSUPP;
    if (settings.xdp_mode != XdpMode::generic)
      err = bpf_xdp_attach(ifindex, p->program_fd_, XDP_FLAGS_DRV_MODE, nullptr);
    if (err != 0 && settings.xdp_mode != XdpMode::native) {
      err = bpf_xdp_attach(ifindex, p->program_fd_, XDP_FLAGS_SKB_MODE, nullptr);
      if (err == 0) p->generic_ = true;
    }
    if (err != 0) return Error{"XDP attach to " + itf.name + ": " + std::strerror(-err), -err};
    p->attached_.push_back(ifindex);
  }
  return p;
}

Status XdpProgram::add_socket(uint16_t interface, unsigned queue, int socket_fd) const {
  if (queue >= kQueuesPerInterface) return Error{"afxdp: at most 64 queues per interface", EINVAL};
  const uint32_t key = uint32_t{interface} * kQueuesPerInterface + queue;
  if (bpf_map_update_elem(xsks_fd_, &key, &socket_fd, BPF_ANY) != 0)
    return Error{std::string("XSKMAP: ") + std::strerror(errno), errno};
  return ok_status();
}

XdpProgram::~XdpProgram() {
  for (int ifindex : attached_)
    bpf_xdp_detach(ifindex, generic_ ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE, nullptr);
  if (object_) bpf_object__close(object_);
}

Status XdpProgram::update(const core::Snapshot& snapshot, const DataplaneSettings& settings) {
  std::map<Service4, uint8_t> services4;
  std::map<Service6, uint8_t> services6;
  std::map<AddressKey, uint8_t> addresses;
  auto mark = [&](const IpAddress& a, uint8_t kind) { addresses[a.bytes()] |= kind; };
  for (const InterfaceSettings& itf : settings.interfaces) {
    if (itf.ipv4) mark(*itf.ipv4, kOwn);
    if (itf.ipv6) mark(*itf.ipv6, kOwn);
  }
  for (const IpAddress& local : settings.fullnat_addresses) mark(local, kLocal);
  for (const auto& view : snapshot.services()) {
    const core::ServiceKey& key = view->config().key;
    if (key.is_fwmark()) continue;
    mark(key.address, kVip);
    if (key.address.is_v4())
      services4[key4(key.address, key.port, key.protocol)] |= kService;
    else
      services6[key6(key.address, key.port, key.protocol)] |= kService;
    for (const core::RealServer* d : view->destinations) {
      if (d->method() != core::ForwardMethod::masq) continue;
      const uint16_t port = d->port() ? d->port() : key.port;
      mark(d->address(), kReplySource);
      if (d->address().is_v4())
        services4[key4(d->address(), port, key.protocol)] |= kReply;
      else
        services6[key6(d->address(), port, key.protocol)] |= kReply;
    }
  }
  if (Status s = sync_map(services4_fd_, services4); !s) return s;
  if (Status s = sync_map(services6_fd_, services6); !s) return s;
  return sync_map(addresses_fd_, addresses);
}

}  // namespace vsd::dataplane
