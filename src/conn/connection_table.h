#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/address.h"
#include "common/time.h"
#include "conn/connection.h"
#include "conn/family_table.h"
#include "conn/timeouts.h"
#include "core/real_server.h"
#include "core/service.h"

namespace vsd::conn {

struct TableConfig {
  uint32_t ipv4_capacity = 1u << 20;
  uint32_t ipv6_capacity = 1u << 16;
  uint64_t hash_seed = 0;  // 0: a random one, so that nobody can aim collisions at a bucket
};

// An inbound packet: client -> virtual service.
struct InboundKey {
  core::Protocol protocol = core::Protocol::tcp;
  IpAddress client;
  uint16_t client_port = 0;
  IpAddress virtual_address;
  uint16_t virtual_port = 0;
};

// A reply: real server -> `peer`, which is the client (NAT) or the director's FULLNAT local
// address.
struct ReplyKey {
  core::Protocol protocol = core::Protocol::tcp;
  IpAddress server;
  uint16_t server_port = 0;
  IpAddress peer;
  uint16_t peer_port = 0;
};

// A persistence template's key (ip_vs_sched_persist): the masked client, port 0, and the
// virtual address:port, port 0 for an all-ports service, or the fwmark.
struct TemplateKey {
  uint8_t ip_protocol = 6;  // 0 for fwmark services (IPPROTO_IP)
  IpAddress client;         // already masked
  IpAddress virtual_address;
  uint16_t virtual_port = 0;
  uint32_t fwmark = 0;  // nonzero: stands in for the virtual address
};

struct ConnectionSpec {
  core::Protocol protocol = core::Protocol::tcp;
  IpAddress client;
  uint16_t client_port = 0;
  IpAddress virtual_address;
  uint16_t virtual_port = 0;
  core::RealServer* destination = nullptr;
  uint16_t destination_port = 0;
  core::ForwardMethod method = core::ForwardMethod::route;
  Endpoint local;                             // FULLNAT only
  bool one_packet = false;                    // UDP with ipvsadm -o: expires at once
  const Connection* controlled_by = nullptr;  // its persistence template, if any
};

struct Insertion {
  enum class Result : uint8_t { created, existing, table_full, unsupported };
  Connection connection;
  Result result = Result::unsupported;
};

// One line of ipvsadm -c.
struct ConnectionInfo {
  std::string_view protocol;  // "TCP", "UDP", "IP" (fwmark template)
  Duration expires_in{};
  std::string_view state;
  Endpoint client;
  Endpoint virtual_endpoint;
  Endpoint destination;
  Endpoint local;
  core::ForwardMethod method = core::ForwardMethod::route;
  bool is_template = false;
};

// The IPVS connection table: connections and persistence templates, IPv4 and IPv6, found by
// their inbound tuple and (NAT, FULLNAT) by their reply tuple. Safe for any number of workers
// at once. Time is always passed in; the table never reads a clock. Entries are preallocated:
// a full table refuses new entries (counted in full_failures()).
class ConnectionTable {
 public:
  explicit ConnectionTable(const TableConfig& config = {});

  Connection lookup(const InboundKey& key, Instant now);
  Connection lookup_reply(const ReplyKey& key, Instant now);
  // The same for a batch, with the buckets and chain heads prefetched first.
  void lookup(std::span<const InboundKey> keys, Instant now, std::span<Connection> out);

  Connection find_template(const TemplateKey& key, Instant now);
  Insertion insert_template(const TemplateKey& key, core::RealServer& destination,
                            uint16_t destination_port, uint32_t timeout_s, Instant now);
  // The new connection is in TCP state NONE / UDP; run its first packet through on_packet().
  Insertion insert_connection(const ConnectionSpec& spec, Instant now);

  // Removes entries whose time has come, examining at most `max_entries` slots per family
  // (bounded work: call it once per batch). Returns how many were removed.
  size_t expire(Instant now, size_t max_entries);
  size_t expire_all_due(Instant now);
  // Removes every entry not in use (shutdown).
  size_t flush();

  std::vector<ConnectionInfo> list(Instant now);
  // Entries in the table (templates included), counting expired ones not yet removed.
  size_t size() const { return v4_.size() + v6_.size(); }
  uint64_t full_failures() const { return v4_.full_failures() + v6_.full_failures(); }

  Timeouts& timeouts() { return timeouts_; }
  const Timeouts& timeouts() const { return timeouts_; }

 private:
  friend class Connection;

  Timeouts timeouts_;
  FamilyTable<Addr4> v4_;
  FamilyTable<Addr6> v6_;
};

}  // namespace vsd::conn
