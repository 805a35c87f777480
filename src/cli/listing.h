#pragma once

#include <span>
#include <string>

#include "cli/endpoint_format.h"
#include "cli/listing_rows.h"

namespace vsd::cli {

// The column sets of ipvsadm -L: plain, --stats, --rate, --thresholds, --persistent-conn,
// --tun-info.
enum class ListingFormat { plain, stats, rate, thresholds, persistent_conn, tun_info };

struct ListingOptions {
  ListingFormat format = ListingFormat::plain;
  NameStyle names;     // numeric = -n
  bool exact = false;  // --exact
  bool sort = true;    // --nosort clears it
};

// What the first line of a full listing reports (IP_VS_SO_GET_INFO in the kernel).
struct IpvsInfo {
  unsigned major = 1;
  unsigned minor = 2;
  unsigned patch = 1;
  unsigned connection_table_size = 4096;
};

// ipvsadm -L (list_all): the version line, the column titles, then every service followed by
// its destinations.
std::string format_listing(std::span<const ServiceRow> services, const ListingOptions& options,
                           const IpvsInfo& info = {});

// ipvsadm -L -t|-u|-f SERVICE (list_service): the titles and that one service; ipvsadm prints
// no version line here.
std::string format_service_listing(const ServiceRow& service, const ListingOptions& options);

}  // namespace vsd::cli
