#pragma once

#include <cstdint>

#include "common/address.h"
#include "core/service.h"

namespace vsd::conn {

// The first packet of a flow that has no connection yet, as the data plane parsed it.
struct Flow {
  core::Protocol protocol = core::Protocol::tcp;
  IpAddress client;
  uint16_t client_port = 0;
  IpAddress virtual_address;  // the packet's destination
  uint16_t virtual_port = 0;
  uint8_t tcp_flags = 0;
  // FULLNAT: the director's address:port that the real server will answer to, from the
  // caller's local address pool. Ignored for the other methods.
  Endpoint local;
};

}  // namespace vsd::conn
