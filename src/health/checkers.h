#pragma once

#include <memory>

#include "health/probe.h"

namespace vsd::health {

// One checker per file, each reachable through its spec (keepalived.conf(5) keyword names).
std::unique_ptr<ProbeSpec> tcp_check_spec();
std::unique_ptr<ProbeSpec> http_get_spec(bool tls);  // HTTP_GET, SSL_GET
std::unique_ptr<ProbeSpec> misc_check_spec();
std::unique_ptr<ProbeSpec> udp_check_spec();
std::unique_ptr<ProbeSpec> dns_check_spec();
std::unique_ptr<ProbeSpec> smtp_check_spec();
std::unique_ptr<ProbeSpec> file_check_spec();
std::unique_ptr<ProbeSpec> ping_check_spec();

}  // namespace vsd::health
