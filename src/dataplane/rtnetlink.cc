#include "dataplane/rtnetlink.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vsd::dataplane {
namespace {

std::optional<uint16_t> ours(const std::vector<int>& kernel_index, int ifindex) {
  for (size_t i = 0; i < kernel_index.size(); ++i)
    if (kernel_index[i] == ifindex) return static_cast<uint16_t>(i);
  return std::nullopt;
}

std::optional<IpAddress> address_from(uint8_t family, const void* data, size_t length) {
  if (family == AF_INET && length == 4) {
    uint8_t b[4];
    std::memcpy(b, data, 4);
    return IpAddress::v4((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) |
                         b[3]);
  }
  if (family == AF_INET6 && length == 16) {
    std::array<uint8_t, 16> b;
    std::memcpy(b.data(), data, 16);
    return IpAddress::v6(b);
  }
  return std::nullopt;
}

// Calls f(type, payload, length) for each attribute in [data, data + length).
template <class F>
void for_each_attribute(const uint8_t* data, size_t length, F&& f) {
  while (length >= sizeof(rtattr)) {
    rtattr a;
    std::memcpy(&a, data, sizeof a);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > length) return;
    f(a.rta_type, data + RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0));
    const size_t step = RTA_ALIGN(a.rta_len);
    if (step > length) return;
    data += step;
    length -= step;
  }
}

}  // namespace

Result<Rtnetlink> Rtnetlink::open() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return Error{std::string("rtnetlink socket: ") + std::strerror(errno), errno};
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    const int e = errno;
    close(fd);
    return Error{std::string("rtnetlink bind: ") + std::strerror(e), e};
  }
  return Rtnetlink(fd);
}

Rtnetlink::Rtnetlink(Rtnetlink&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), sequence_(other.sequence_) {}

Rtnetlink::~Rtnetlink() {
  if (fd_ >= 0) close(fd_);
}

Result<std::vector<std::vector<uint8_t>>> Rtnetlink::dump(uint16_t type, uint8_t family) {
  struct {
    nlmsghdr header;
    rtgenmsg body;
  } request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = type;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = ++sequence_;
  request.body.rtgen_family = family;
  if (send(fd_, &request, sizeof request, 0) < 0)
    return Error{std::string("rtnetlink send: ") + std::strerror(errno), errno};
  std::vector<std::vector<uint8_t>> messages;
  std::vector<uint8_t> buffer(1 << 16);
  for (;;) {
    const ssize_t got = recv(fd_, buffer.data(), buffer.size(), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Error{std::string("rtnetlink recv: ") + std::strerror(errno), errno};
    }
    size_t at = 0;
    const auto size = static_cast<size_t>(got);
    while (at + sizeof(nlmsghdr) <= size) {
      nlmsghdr h;
      std::memcpy(&h, buffer.data() + at, sizeof h);
      if (h.nlmsg_len < sizeof h || at + h.nlmsg_len > size) break;
      if (h.nlmsg_seq == sequence_) {
        if (h.nlmsg_type == NLMSG_DONE) return messages;
        if (h.nlmsg_type == NLMSG_ERROR) return Error{"rtnetlink dump refused", EINVAL};
        if (h.nlmsg_type == type - 2 /* RTM_NEWx answers RTM_GETx */)
          messages.emplace_back(buffer.begin() + static_cast<long>(at),
                                buffer.begin() + static_cast<long>(at + h.nlmsg_len));
      }
      at += NLMSG_ALIGN(h.nlmsg_len);
    }
  }
}

Result<std::vector<RouteSettings>> Rtnetlink::routes(const std::vector<int>& kernel_index) {
  auto messages = dump(RTM_GETROUTE, AF_UNSPEC);
  if (!messages) return messages.error();
  std::vector<RouteSettings> out;
  for (const auto& m : *messages) {
    if (m.size() < NLMSG_LENGTH(sizeof(rtmsg))) continue;
    rtmsg r;
    std::memcpy(&r, m.data() + NLMSG_HDRLEN, sizeof r);
    if (r.rtm_table != RT_TABLE_MAIN || r.rtm_type != RTN_UNICAST) continue;
    if (r.rtm_family != AF_INET && r.rtm_family != AF_INET6) continue;
    std::optional<IpAddress> destination;
    std::optional<IpAddress> gateway;
    std::optional<uint16_t> interface;
    const size_t head = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(rtmsg));
    for_each_attribute(m.data() + head, m.size() - head,
                       [&](uint16_t type, const uint8_t* data, size_t length) {
                         if (type == RTA_DST)
                           destination = address_from(r.rtm_family, data, length);
                         if (type == RTA_GATEWAY)
                           gateway = address_from(r.rtm_family, data, length);
                         if (type == RTA_OIF && length == 4) {
                           int ifindex;
                           std::memcpy(&ifindex, data, 4);
                           interface = ours(kernel_index, ifindex);
                         }
                       });
    if (!interface) continue;
    if (!destination)
      destination = r.rtm_family == AF_INET ? IpAddress::v4(0) : *IpAddress::parse("::");
    out.push_back(RouteSettings{*destination, r.rtm_dst_len, gateway, *interface});
  }
  return out;
}

Result<std::vector<NeighbourSettings>> Rtnetlink::neighbours(const std::vector<int>& kernel_index) {
  auto messages = dump(RTM_GETNEIGH, AF_UNSPEC);
  if (!messages) return messages.error();
  std::vector<NeighbourSettings> out;
  constexpr uint16_t kUsable = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT;
  for (const auto& m : *messages) {
    if (m.size() < NLMSG_LENGTH(sizeof(ndmsg))) continue;
    ndmsg n;
    std::memcpy(&n, m.data() + NLMSG_HDRLEN, sizeof n);
    auto interface = ours(kernel_index, n.ndm_ifindex);
    if (!interface || (n.ndm_state & kUsable) == 0) continue;
    std::optional<IpAddress> address;
    std::optional<packet::MacAddress> mac;
    const size_t head = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ndmsg));
    for_each_attribute(m.data() + head, m.size() - head,
                       [&](uint16_t type, const uint8_t* data, size_t length) {
                         if (type == NDA_DST) address = address_from(n.ndm_family, data, length);
                         if (type == NDA_LLADDR && length == 6)
                           mac = packet::MacAddress::from(data);
                       });
    if (address && mac) out.push_back(NeighbourSettings{*address, *mac, *interface});
  }
  return out;
}

Status Rtnetlink::resolve(int kernel_ifindex, const IpAddress& address) {
  struct {
    nlmsghdr header;
    ndmsg body;
    rtattr destination;
    uint8_t bytes[16];
  } request{};
  const size_t address_length = address.is_v4() ? 4 : 16;
  request.header.nlmsg_len =
      static_cast<uint32_t>(NLMSG_LENGTH(sizeof(ndmsg)) + RTA_LENGTH(address_length));
  request.header.nlmsg_type = RTM_NEWNEIGH;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
  request.header.nlmsg_seq = ++sequence_;
  request.body.ndm_family = address.is_v4() ? AF_INET : AF_INET6;
  request.body.ndm_ifindex = kernel_ifindex;
  request.body.ndm_flags = NTF_USE;
  request.destination.rta_type = NDA_DST;
  request.destination.rta_len = static_cast<uint16_t>(RTA_LENGTH(address_length));
  std::memcpy(request.bytes, address.bytes().data(), address_length);
  if (send(fd_, &request, request.header.nlmsg_len, 0) < 0)
    return Error{std::string("rtnetlink send: ") + std::strerror(errno), errno};
  return ok_status();
}

}  // namespace vsd::dataplane
