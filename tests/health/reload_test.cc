// A reload keeps the state and the schedule of every checker that did not change, and restarts
// the ones that did (keepalived's check/check_daemon.c reload + check_api.c migrate_checkers:
// "Do not re-add failed RS instantly on reload"). TCP checks on a manual clock, where every
// connection fails at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/parser.h"
#include "health/manager.h"
#include "manual_io.h"

namespace vsd::health {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string config_text(int second_timeout) {
  return "virtual_server 10.0.0.1 80 {\n delay_loop 10\n lb_kind NAT\n"
         " real_server 127.0.0.1 1 {\n  TCP_CHECK {\n   connect_timeout 3\n   retry 0\n"
         "   warmup 0\n  }\n }\n"
         " real_server 127.0.0.2 1 {\n  TCP_CHECK {\n   connect_timeout " +
         std::to_string(second_timeout) + "\n   retry 0\n   warmup 0\n  }\n }\n}\n";
}

class ManagerReload : public ::testing::Test {
 protected:
  // Configures the manager with `text`; returns the log of the call.
  std::string configure(const std::string& text) {
    config::Diagnostics d;
    auto c = config::parse_text(text, "t.conf", {}, d);
    EXPECT_TRUE(c) << (d.errors().empty() ? "" : d.errors()[0]);
    if (!c) return "";
    ::testing::internal::CaptureStderr();
    adjustments = manager.configure(*c, d);
    return ::testing::internal::GetCapturedStderr();
  }
  std::string advance(Duration by) {
    ::testing::internal::CaptureStderr();
    io.advance(by);
    return ::testing::internal::GetCapturedStderr();
  }
  // Whether the changes remove `server` from the service (the reloaded model leaves it out).
  static bool removes(const std::vector<core::Change>& changes, const Endpoint& server) {
    for (const auto& c : changes)
      if (auto* d = std::get_if<core::DeleteDestination>(&c); d && d->destination == server)
        return true;
    return false;
  }
  Instant at(Duration d) const { return Instant{} + d; }

  core::ServiceKey service =
      core::ServiceKey::virtual_address(core::Protocol::tcp, *IpAddress::parse("10.0.0.1"), 80);
  Endpoint first{*IpAddress::parse("127.0.0.1"), 1};
  Endpoint second{*IpAddress::parse("127.0.0.2"), 1};
  ManualIo io;
  ScriptRunner scripts{io};
  Logger log{"vsd", Logger::Sink::console, false};
  std::vector<core::Change> applied;
  std::vector<core::Change> adjustments;
  Manager manager{io, scripts, log,
                  ManagerHooks{[this](const std::vector<core::Change>& c) {
                                 applied.insert(applied.end(), c.begin(), c.end());
                               },
                               nullptr},
                  1};
};

TEST_F(ManagerReload, UnchangedCheckerKeepsItsStateAndSchedule) {
  configure(config_text(3));
  const std::string first_checks = advance(seconds(4));
  ASSERT_THAT(first_checks, HasSubstr("Removing service [127.0.0.1]:tcp:1"));
  ASSERT_EQ(manager.alive(service, first), false);
  ASSERT_EQ(manager.next_check(service, first), at(seconds(10)));
  applied.clear();

  const std::string reload_log = configure(config_text(3));
  EXPECT_THAT(reload_log, Not(HasSubstr("Activating healthchecker")));
  EXPECT_EQ(manager.alive(service, first), false) << "a failed server stays out";
  EXPECT_EQ(manager.next_check(service, first), at(seconds(10))) << "no check moved forward";
  EXPECT_TRUE(removes(adjustments, first)) << "the reloaded model must leave the failed server out";
  EXPECT_EQ(manager.checker_count(), 2u);

  const std::string after = advance(seconds(7));
  EXPECT_THAT(after, Not(HasSubstr("Adding service")));
  EXPECT_THAT(after, Not(HasSubstr("Removing service")));
  EXPECT_TRUE(applied.empty()) << "no flap reached the model";
  EXPECT_EQ(manager.next_check(service, first), at(seconds(20))) << "checked at 10 s, as before";
}

TEST_F(ManagerReload, ChangedCheckerStartsOver) {
  configure(config_text(3));
  advance(seconds(4));
  ASSERT_EQ(manager.alive(service, second), false);

  const std::string reload_log = configure(config_text(4));  // the second one's timeout changed
  EXPECT_THAT(reload_log,
              HasSubstr("Activating healthchecker for service [127.0.0.2]:tcp:1 for VS"));
  EXPECT_THAT(reload_log, Not(HasSubstr("service [127.0.0.1]:tcp:1")));
  EXPECT_EQ(manager.alive(service, second), true) << "a new checker starts up (no alpha)";
  EXPECT_EQ(manager.next_check(service, second), at(seconds(4))) << "warmup 0: checks at once";
  EXPECT_FALSE(removes(adjustments, second));
  EXPECT_EQ(manager.alive(service, first), false);
  EXPECT_EQ(manager.next_check(service, first), at(seconds(10)));

  const std::string after = advance(milliseconds(1));
  EXPECT_THAT(after, HasSubstr("Removing service [127.0.0.2]:tcp:1"));
  EXPECT_EQ(manager.next_check(service, second), at(seconds(14)));
}

}  // namespace
}  // namespace vsd::health
