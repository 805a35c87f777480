#include "xmit/local_port_pool.h"

namespace vsd::xmit {

LocalPortPool::LocalPortPool(Settings settings) : settings_(std::move(settings)) {
  if (settings_.workers == 0) settings_.workers = 1;
  if (settings_.last_port < settings_.first_port) settings_.last_port = settings_.first_port;
  ports_ = size_t{settings_.last_port} - settings_.first_port + 1;
  uses_.resize(settings_.addresses.size() * ports_);
  cursors_ = std::make_unique<Cursor[]>(settings_.workers);
}

bool LocalPortPool::has_family(AddressFamily family) const {
  for (const IpAddress& a : settings_.addresses)
    if (a.family() == family) return true;
  return false;
}

std::optional<LocalPortPool::Lease> LocalPortPool::acquire(unsigned worker, AddressFamily family,
                                                           conn::ConnectionTable& table,
                                                           Instant now) {
  const unsigned workers = settings_.workers;
  if (worker >= workers || settings_.addresses.empty()) return std::nullopt;
  const size_t mine = (ports_ + workers - 1 - worker) / workers;  // ports of this partition
  if (mine == 0) return std::nullopt;
  Cursor& cursor = cursors_[worker];
  const size_t addresses = settings_.addresses.size();
  for (unsigned probe = 0; probe < settings_.max_probes; ++probe) {
    // Addresses in turn, then the next port: spreads connections over every local address.
    const uint32_t a = cursor.address;
    const uint32_t step = cursor.step;
    cursor.address = static_cast<uint32_t>((a + 1) % addresses);
    if (cursor.address == 0) cursor.step = static_cast<uint32_t>((step + 1) % mine);
    if (settings_.addresses[a].family() != family) continue;
    const size_t offset = size_t{step} * workers + worker;
    const size_t slot = a * ports_ + offset;
    const Endpoint local{settings_.addresses[a],
                         static_cast<uint16_t>(settings_.first_port + offset)};
    const Use& use = uses_[slot];
    // A port is given to one connection at a time, whatever its protocol.
    if (use.protocol != 0) {
      conn::ReplyKey key;
      key.protocol = static_cast<core::Protocol>(use.protocol);
      key.server = use.server;
      key.server_port = use.server_port;
      key.peer = local.address;
      key.peer_port = local.port;
      if (table.lookup_reply(key, now)) continue;
    }
    return Lease{local, static_cast<uint32_t>(slot)};
  }
  return std::nullopt;
}

void LocalPortPool::commit(const Lease& lease, const Endpoint& server, core::Protocol protocol) {
  if (lease.slot >= uses_.size()) return;
  uses_[lease.slot] = Use{server.address, server.port, static_cast<uint8_t>(protocol)};
}

}  // namespace vsd::xmit
