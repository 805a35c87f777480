#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/time.h"
#include "conn/connection_table.h"
#include "core/snapshot.h"
#include "dataplane/counters.h"
#include "dataplane/fragment_cache.h"
#include "dataplane/neighbour_discovery.h"
#include "dataplane/neighbour_table.h"
#include "dataplane/next_hop_cache.h"
#include "dataplane/route_table.h"
#include "dataplane/settings.h"
#include "packet/parsed_packet.h"
#include "xmit/local_port_pool.h"
#include "xmit/packet_buffer.h"

namespace vsd::dataplane {

// What the receiving backend knows about a frame besides its bytes.
struct RxInfo {
  uint16_t interface = 0;
  // TP_STATUS_CSUMNOTREADY / CHECKSUM_PARTIAL: the L4 checksum field holds only the
  // pseudo-header sum (lab-notes trap 3). The pipeline finishes it before anything else.
  bool checksum_partial = false;
  // TP_STATUS_CSUM_VALID: the NIC checked the L4 checksum; no need to check it again.
  bool checksum_verified = false;
  // The link delivered more than the capture holds (a GSO/GRO super-frame, lab-notes trap 4).
  bool oversized = false;
  // The backend cannot tell CHECKSUM_PARTIAL frames from others (AF_XDP in copy mode has no
  // status bits): a TCP/UDP checksum field holding exactly the pseudo-header sum is taken as
  // partial and finished (a complete checksum equal to it is a 1 in 65536 coincidence, and then
  // it was wrong anyway).
  bool checksum_may_be_partial = false;
};

enum class Verdict : uint8_t {
  transmit,  // send the buffer's frame (rewritten, encapsulated, or a reply built in its place)
  drop,
  pass,  // not the data plane's: leave it to the kernel
};

struct Outcome {
  Verdict verdict = Verdict::drop;
  Counter reason = Counter::received;
  uint16_t interface = 0;  // transmit: the interface to send on
};

// What every worker shares: settings, the connection table, next hops, the FULLNAT pool.
class DataplaneShared {
 public:
  DataplaneShared(DataplaneSettings settings, conn::ConnectionTable& table);

  const DataplaneSettings& settings() const { return settings_; }
  conn::ConnectionTable& table() { return table_; }
  NeighbourTable& neighbours() { return neighbours_; }
  xmit::LocalPortPool& local_ports() { return pool_; }
  std::shared_ptr<const RouteTable> routes() const {
    return routes_.load(std::memory_order_acquire);
  }
  void publish_routes(std::shared_ptr<const RouteTable> routes) {
    routes_.store(std::move(routes), std::memory_order_release);
  }

 private:
  DataplaneSettings settings_;
  conn::ConnectionTable& table_;
  NeighbourTable neighbours_;
  xmit::LocalPortPool pool_;
  std::atomic<std::shared_ptr<const RouteTable>> routes_;
};

// The packet path of one worker: frame + snapshot + connection table + time -> verdict, the
// frame rewritten in place. No allocation, no exception, no syscall, no lock held across calls.
// See docs/dataplane.md for the outcome of each kind of packet.
class Pipeline {
 public:
  Pipeline(DataplaneShared& shared, unsigned worker);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Once per batch: picks up the current routes and reclaims a bounded number of expired
  // connections.
  void begin_batch(Instant now);
  Outcome process(xmit::PacketBuffer& buffer, const RxInfo& rx, const core::Snapshot& snapshot,
                  Instant now);
  // The same for a batch (up to kMaxBatch at a time): the connection lookups of the whole batch
  // go to the table together, their memory fetched ahead. outcomes[i] is buffers[i]'s.
  static constexpr size_t kMaxBatch = 32;
  void process_batch(std::span<xmit::PacketBuffer> buffers, std::span<const RxInfo> rx,
                     std::span<Outcome> outcomes, const core::Snapshot& snapshot, Instant now);

  const WorkerCounters& counters() const { return counters_; }
  unsigned worker() const { return worker_; }

 private:
  struct Packet;  // what process() read from the frame once

  // Reads the frame into `pk`; the outcome when that settles it already, else one whose reason
  // is `received` (no packet ends there). Not an optional: a 4-byte Outcome comes back in a
  // register, where an optional one was stored in pieces and read back whole, every packet.
  Outcome read(xmit::PacketBuffer& buffer, const RxInfo& rx, Instant now, Packet& pk);
  static constexpr Outcome kUnsettled{Verdict::drop, Counter::received, 0};
  static bool settled(const Outcome& o) { return o.reason != Counter::received; }
  // The rest, for a packet read() did not settle; `found` is the inbound lookup's result for a
  // transport packet.
  Outcome decide(xmit::PacketBuffer& buffer, Packet& pk, const core::Snapshot& snapshot,
                 conn::Connection& found);
  Outcome transport(xmit::PacketBuffer& buffer, Packet& pk, const core::Snapshot& snapshot,
                    conn::Connection& found);
  Outcome later_fragment(xmit::PacketBuffer& buffer, Packet& pk);
  Outcome schedule(xmit::PacketBuffer& buffer, Packet& pk, const core::ServiceView& service);
  Outcome forward_inbound(xmit::PacketBuffer& buffer, Packet& pk, conn::Connection& conn);
  Outcome reply(xmit::PacketBuffer& buffer, Packet& pk, conn::Connection& conn);
  Outcome icmp(xmit::PacketBuffer& buffer, Packet& pk);

  // Egress (pipeline_egress.cc).
  Outcome forward_direct(xmit::PacketBuffer& buffer, Packet& pk, const IpAddress& server,
                         Counter success);
  Outcome forward_routed(xmit::PacketBuffer& buffer, Packet& pk, const IpAddress& destination,
                         Counter success);
  Outcome forward_tunnel(xmit::PacketBuffer& buffer, Packet& pk, const IpAddress& server,
                         Counter success);
  using Hop = NextHopCache::Hop;
  // The link address of `next_hop`, or the outcome to return instead (an ARP request sent in
  // the packet's place, or a drop).
  std::optional<Hop> resolve(xmit::PacketBuffer& buffer, Packet& pk, const IpAddress& next_hop,
                             uint16_t interface, Outcome& instead);
  Outcome send_arp_request(xmit::PacketBuffer& buffer, const IpAddress& target, uint16_t interface);
  Outcome transmit_to(xmit::PacketBuffer& buffer, Packet& pk, const Hop& hop, Counter success);

  // ICMP errors vsd sends itself (pipeline_icmp.cc).
  enum class IcmpKind : uint8_t { fragmentation_needed, port_unreachable, time_exceeded };
  Outcome send_icmp_error(xmit::PacketBuffer& buffer, Packet& pk, IcmpKind kind,
                          const IpAddress& source, uint32_t mtu, Counter success, Counter refused);
  std::optional<IpAddress> own_address(uint16_t interface, AddressFamily family) const;

  bool is_local_address(uint32_t address) const;  // a FULLNAT local IPv4 address
  bool is_local_address(const IpAddress& address) const;
  Outcome neighbour_message(xmit::PacketBuffer& buffer, Packet& pk, const NeighbourMessage& nd);
  Outcome send_neighbour_solicitation(xmit::PacketBuffer& buffer, const IpAddress& target,
                                      uint16_t interface);
  Outcome answer_arp(xmit::PacketBuffer& buffer, Packet& pk, const packet::MacAddress& asker_mac,
                     uint32_t asker, uint32_t address);
  bool l4_checksum_bad(xmit::PacketBuffer& buffer, const Packet& pk) const;
  static void decrement_ttl(std::span<uint8_t> frame, const packet::ParsedPacket& p);
  uint32_t mtu_of(uint16_t interface) const;

  Outcome done(Verdict verdict, Counter reason, uint16_t interface = 0) {
    counters_.add(reason);
    return Outcome{verdict, reason, interface};
  }
  Outcome drop(Counter reason) { return done(Verdict::drop, reason); }
  Outcome pass(Counter reason) { return done(Verdict::pass, reason); }

  DataplaneShared& shared_;
  const DataplaneSettings& settings_;
  conn::ConnectionTable& table_;
  unsigned worker_;
  std::shared_ptr<const RouteTable> routes_;
  uint64_t neighbour_generation_ = 0;
  NextHopCache next_hops_;
  FragmentCache fragments_;
  WorkerCounters counters_;
  uint16_t tunnel_id_ = 0;
  std::array<uint8_t, 2048> scratch_{};
  std::unique_ptr<Packet[]> batch_;  // kMaxBatch packets being decided
  struct BatchLookups {
    std::array<conn::InboundKey, kMaxBatch> keys;
    std::array<conn::Connection, kMaxBatch> found;
  };
  std::unique_ptr<BatchLookups> lookups_;
};

}  // namespace vsd::dataplane
