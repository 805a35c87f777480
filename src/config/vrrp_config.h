#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "config/lexer.h"

namespace vsd::config {

// keepalived.conf(5) "VRRP instance(s)", "VRRP script(s)", "VRRP synchronization group(s)":
// the settings the HA module acts on, with keepalived's defaults.

struct VirtualAddress {
  IpAddress address;
  unsigned prefix = 0;  // 0: the host route (/32, /128)
  std::string device;   // "dev IF"; empty: the instance's interface
  std::string label;
};

struct TrackedScript {
  std::string name;
  std::optional<int> weight;  // overrides the script's own
  bool reverse = false;
};

// notify_master/backup/fault/stop and notify: scripts run on state changes.
struct NotifyScripts {
  std::optional<std::string> master, backup, fault, stop, any;
};

struct VrrpInstanceConfig {
  std::string name;
  SourceLocation where;
  bool initial_master = false;  // state MASTER|BACKUP (default BACKUP)
  std::string interface;
  unsigned virtual_router_id = 0;  // 1..255, required
  unsigned priority = 100;         // 1..255; 255 = address owner
  int64_t advert_interval_us = 1'000'000;
  unsigned version = 2;
  bool preempt = true;  // nopreempt clears it
  int64_t preempt_delay_us = 0;
  bool use_vmac = false;
  std::string auth_type;  // PASS | AH (VRRPv2 only)
  std::string auth_pass;  // at most 8 characters (keepalived truncates)
  std::vector<VirtualAddress> virtual_addresses;
  std::vector<VirtualAddress> excluded_addresses;
  std::optional<IpAddress> unicast_source;
  std::vector<IpAddress> unicast_peers;
  std::vector<std::string> track_interfaces;
  std::vector<TrackedScript> track_scripts;
  NotifyScripts notify;
  int64_t garp_master_delay_us = 5'000'000;
  unsigned garp_master_repeat = 5;
  bool smtp_alert = false;
};

struct VrrpScriptConfig {
  std::string name;
  SourceLocation where;
  std::string script;
  int64_t interval_us = 1'000'000;
  int64_t timeout_us = 0;  // 0: the interval
  int weight = 0;          // -253..253
  bool reverse = false;
  unsigned rise = 1;
  unsigned fall = 1;
  std::string user;
  bool init_fail = false;
};

struct VrrpSyncGroupConfig {
  std::string name;
  SourceLocation where;
  std::vector<std::string> instances;
  std::vector<TrackedScript> track_scripts;
  NotifyScripts notify;
  bool smtp_alert = false;
};

}  // namespace vsd::config
