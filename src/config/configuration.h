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

// Checker timing written at real_server or virtual_server level (keepalived's check_parser.c):
// it applies to every checker below that does not set its own (checker > real_server >
// virtual_server > keepalived's default).
struct CheckerDefaults {
  std::optional<int64_t> delay_loop_us;
  std::optional<int64_t> connect_timeout_us;
  std::optional<uint32_t> retry;
  std::optional<int64_t> delay_before_retry_us;
  std::optional<int64_t> warmup_us;
  std::optional<bool> alpha;
  std::optional<std::string> virtualhost;
};

// A keepalived track_file block: a file whose integer content drives the FILE_CHECKs that name
// it. `weight` (default 1) multiplies the value unless the checker gives its own.
struct TrackFileConfig {
  std::string name;
  std::string path;
  int64_t weight = 1;
  bool reverse = false;
  std::optional<int64_t> init_value;  // init_file: create the file with this value
  bool init_overwrite = false;        // init_file ... overwrite: even if it exists
  SourceLocation where;
};

// A health checker block as written (HTTP_GET, TCP_CHECK, ...). Kept as its statements until the
// health module gives each checker its typed settings.
struct CheckerConfig {
  std::string type;
  Node block;
  std::optional<TrackFileConfig> track_file;  // FILE_CHECK: the track_file block it names
};

struct RealServerConfig {
  core::DestinationConfig destination;
  bool method_set = false;  // else inherited from the virtual server
  bool inhibit_on_failure = false;
  std::optional<std::string> notify_up;
  std::optional<std::string> notify_down;
  std::optional<bool> smtp_alert;  // unset: global_defs decides (health/smtp_alert.h)
  std::vector<CheckerConfig> checkers;
  CheckerDefaults checker_defaults;
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
  // connect_timeout, retry, delay_before_retry, warmup for the checkers below (delay_loop, alpha
  // and virtualhost are the fields above).
  CheckerDefaults checker_defaults;
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
  std::vector<TrackFileConfig> track_files;
  std::optional<DataplaneConfig> dataplane;  // none: control plane only
};

}  // namespace vsd::config
