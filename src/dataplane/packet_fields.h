#pragma once

// Internal to the pipeline: what it reads from a frame once, before deciding.
#include "common/address.h"
#include "common/time.h"
#include "conn/connection_table.h"
#include "core/service.h"
#include "dataplane/pipeline.h"
#include "packet/parsed_packet.h"

namespace vsd::dataplane {

struct Pipeline::Packet {
  enum class Kind : uint8_t { transport, later_fragment, sctp, icmp, other };
  Kind kind = Kind::other;
  packet::ParsedPacket p;
  RxInfo rx;
  Instant now{};
  IpAddress source;
  IpAddress destination;
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  uint8_t tcp_flags = 0;
  uint8_t ttl = 0;  // IPv4 TTL or IPv6 hop limit
  // Addressed to a virtual service: errors about it are sent from that address (Linux answers
  // from the local address a packet was sent to).
  bool to_virtual_service = false;

  core::Protocol protocol() const { return static_cast<core::Protocol>(p.l4_protocol); }
  conn::InboundKey inbound_key() const {
    return conn::InboundKey{protocol(), source, source_port, destination, destination_port};
  }
  AddressFamily family() const { return source.family(); }
};

}  // namespace vsd::dataplane
