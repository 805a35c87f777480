#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/block_tree.h"
#include "config/dataplane_config.h"
#include "config/vrrp_config.h"
#include "core/service.h"

namespace vsd::config {

// A health checker block as written (HTTP_GET, TCP_CHECK, ...). Kept as its statements until the
// health module gives each checker its typed settings.
struct CheckerConfig {
  std::string type;
  Node block;
};

struct RealServerConfig {
  core::DestinationConfig destination;
  bool method_set = false;  // else inherited from the virtual server
  bool inhibit_on_failure = false;
  std::optional<std::string> notify_up;
  std::optional<std::string> notify_down;
  std::optional<bool> smtp_alert;  // unset: global_defs decides (health/smtp_alert.h)
  std::vector<CheckerConfig> checkers;
  SourceLocation where;
};

struct VirtualServerConfig {
  // Either a service (address/port or fwmark) or the name of a virtual_server_group.
  core::ServiceConfig service;
  std::string group;
  std::optional<core::ForwardMethod> method;  // lb_kind / lvs_method
  int64_t delay_loop_us = 60'000'000;
  bool alpha = false;
  bool omega = false;
  bool inhibit_on_failure = false;
  int64_t quorum = 1;
  int64_t hysteresis = 0;
  std::optional<std::string> quorum_up;
  std::optional<std::string> quorum_down;
  std::optional<bool> smtp_alert;  // unset: global_defs decides (health/smtp_alert.h)
  std::optional<std::string> virtualhost;
  std::optional<core::DestinationConfig> sorry_server;
  bool sorry_server_inhibit = false;
  bool ha_suspend = false;
  std::vector<RealServerConfig> real_servers;
  SourceLocation where;
};

// One member of a virtual_server_group: an address with a port (or a range of last-octet
// addresses "10.0.0.1-10 80"), or a fwmark.
struct GroupMember {
  IpAddress address;
  uint32_t range_last_octet = 0;  // 0 = single address
  uint16_t port = 0;
  uint32_t fwmark = 0;
};

struct LvsTimeouts {
  std::optional<uint32_t> tcp, tcpfin, udp;
};

struct SyncDaemonConfig {
  std::string interface;
  std::string instance;
  std::optional<uint32_t> sync_id;
  std::optional<uint32_t> max_length;
  std::optional<uint16_t> port;
  std::optional<uint32_t> ttl;
  std::optional<IpAddress> group;
};

struct GlobalDefs {
  std::string router_id;
  std::vector<std::string> notification_email;
  std::string notification_email_from;
  std::optional<std::string> smtp_server;
  std::optional<uint16_t> smtp_port;
  LvsTimeouts lvs_timeouts;
  std::optional<SyncDaemonConfig> lvs_sync_daemon;
  std::vector<Node> other;  // keywords vsd reads but does not act on yet
};

struct Configuration {
  GlobalDefs global;
  std::vector<VirtualServerConfig> virtual_servers;
  std::map<std::string, std::vector<GroupMember>> groups;
  std::vector<VrrpInstanceConfig> vrrp_instances;
  std::vector<VrrpSyncGroupConfig> vrrp_sync_groups;
  std::vector<VrrpScriptConfig> vrrp_scripts;
  std::optional<DataplaneConfig> dataplane;  // none: control plane only
};

}  // namespace vsd::config
