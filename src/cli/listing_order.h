#pragma once

#include <span>
#include <vector>

#include "cli/listing_rows.h"

namespace vsd::cli {

// The order ipvsadm lists services and destinations in (the default --sort).
//
// libipvs compares services by fwmark, address family, protocol, address, port and
// destinations by address, port, each step as the int difference of unsigned values. The
// difference wraps for values 2^31 or more apart (10.0.0.1 sorts after 192.168.0.1), which
// makes the order non-transitive, so the result also depends on the sort algorithm: glibc's
// qsort, a top-down merge sort. Both are reproduced here so that vsadm lists exactly what
// ipvsadm would for the same table.
int ipvsadm_compare_services(const core::ServiceConfig& a, const core::ServiceConfig& b);
int ipvsadm_compare_destinations(const core::DestinationConfig& a,
                                 const core::DestinationConfig& b);

// Pointers to the rows in ipvsadm's order.
std::vector<const ServiceRow*> ipvsadm_service_order(std::span<const ServiceRow> services);
std::vector<const DestinationRow*> ipvsadm_destination_order(
    std::span<const DestinationRow> destinations);

}  // namespace vsd::cli
