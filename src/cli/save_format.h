#pragma once

#include <span>
#include <string>

#include "cli/endpoint_format.h"
#include "cli/listing_rows.h"

namespace vsd::cli {

// ipvsadm -S [-n] (print_service_entry with FMT_RULE): one "-A" line per service and one "-a"
// line per destination, in --sort order, which ipvsadm -R reads back. Names are resolved unless
// names.numeric (-n). Like ipvsadm 1.31, thresholds (-x/-y) are not written.
std::string format_save(std::span<const ServiceRow> services, const NameStyle& names);

}  // namespace vsd::cli
