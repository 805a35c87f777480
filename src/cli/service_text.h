#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cli/listing_rows.h"
#include "core/service.h"

namespace vsd::cli {

// Words ipvsadm prints for a service or destination, shared by the listing and the save format.

// print_sched_flags(): "sh-fallback,sh-port" for sh, "mh-fallback,mh-port" for mh,
// "flag-1,flag-2,flag-3" otherwise; "" when none of the bits it knows for the scheduler is set.
std::string scheduler_flags_text(const core::ServiceConfig& service);
bool has_scheduler_flags(const core::ServiceConfig& service);

// The persistence granularity when it is not the full address: a dotted netmask for IPv4
// ("255.255.255.0"), a prefix length for IPv6 ("64"); nullopt for /32 and /128.
std::optional<std::string> persistence_mask_text(const core::ServiceConfig& service);

// The Forward column: Masq, Local, Tunnel, Route (ipvsadm's fwd_name); FullNat for vsd's
// full NAT, which ipvsadm does not know.
std::string_view forward_name(core::ForwardMethod method);
// The -S switch: -m, -i, -g (Local saves as -g, as ipvsadm does); --fullnat for full NAT.
std::string_view forward_switch(core::ForwardMethod method);

// The TunnelInfo column of --tun-info: "ipip", "gue:6080:-c", "gre:+c"; nullopt (ipvsadm
// prints "n/a") for a destination that is not a tunnel.
std::optional<std::string> tunnel_info_text(const DestinationRow& destination);
std::string_view tunnel_type_name(TunnelType type);                // ipip gue gre
std::string_view tunnel_checksum_option(TunnelChecksum checksum);  // --tun-nocsum ...

}  // namespace vsd::cli
