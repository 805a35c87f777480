#pragma once

#include <string>

#include "common/result.h"
#include "core/snapshot.h"
#include "dataplane/settings.h"

namespace vsd::dataplane {

// With the afpacket backend the kernel receives its own copy of every frame vsd handles; left
// alone it would answer VIP traffic with resets and forward NAT replies a second time. vsd hides
// that traffic with an nftables netdev ingress table of its own (table netdev vsd), which runs
// after the ETH_P_ALL sockets have seen the frames (lab-notes trap 5): packets to each virtual
// service (port 0: every port of the protocol), NAT replies from each real server to anyone but
// the director itself, and everything addressed to the FULLNAT local addresses.

// The nft script that replaces vsd's table (one transaction: nft -f).
std::string kernel_filter_script(const core::Snapshot& snapshot, const DataplaneSettings& settings);
// The script that removes it (at stop).
std::string kernel_filter_removal();
// Runs `nft -f -` with the script on its input. Control thread only.
Status apply_nft(const std::string& script);

}  // namespace vsd::dataplane
