// E-mail alerts as keepalived sends them (keepalived/core/smtp.c: the dialogue, the headers, the
// log lines; core/global_data.c: defaults; check/check_data.c: which events mail), against an SMTP
// sink on loopback.
#include "health/smtp_alert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/event_loop.h"
#include "config/parser.h"
#include "health/loop_io.h"
#include "health/manager.h"
#include "manual_io.h"
#include "smtp_sink.h"

namespace vsd::health {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

MailSettings sink_settings(uint16_t port) {
  MailSettings mail;
  mail.server = Endpoint{*IpAddress::parse("127.0.0.1"), port};
  mail.helo_name = "director.test";
  mail.from = "lvs@director.test";
  mail.to = {"ops@example.org", "oncall@example.org"};
  mail.router_id = "LVS_TEST";
  mail.step_timeout = seconds(2);
  return mail;
}

// Runs the loop until `done` holds or `limit` passes.
template <class Pred>
void run_until(EventLoop& loop, Pred done, Duration limit = seconds(5)) {
  const auto poll = loop.add_timer(
      milliseconds(5),
      [&] {
        if (done()) loop.stop();
      },
      milliseconds(5));
  const auto give_up = loop.add_timer(limit, [&] { loop.stop(); });
  (void)loop.run();
  loop.cancel_timer(poll);
  loop.cancel_timer(give_up);
}

class SmtpAlertTest : public ::testing::Test {
 protected:
  // Sends one alert and returns what the daemon logged meanwhile.
  std::string send_to(uint16_t port, Duration step_timeout = seconds(2)) {
    auto mail = sink_settings(port);
    mail.step_timeout = step_timeout;
    alerter.configure(mail);
    ::testing::internal::CaptureStderr();
    alerter.send("Realserver [192.0.2.12]:tcp:80 of virtual server [203.0.113.10]:tcp:80 - DOWN",
                 "=> TCP CHECK failed on service <=");
    run_until(loop, [&] { return alerter.in_flight() == 0; });
    return ::testing::internal::GetCapturedStderr();
  }

  EventLoop loop;
  LoopIo io{loop};
  Logger log{"vsd", Logger::Sink::console, true};
  SmtpAlerter alerter{io, log};
};

TEST(AlertMessage, HasKeepalivedsHeadersAndBody) {
  const std::string m = alert_message(sink_settings(25), "Virtualserver [10.0.0.1]:tcp:80 - UP",
                                      "=> Gained quorum 1+0=1 <= 2 <=", 0);
  EXPECT_THAT(m, HasSubstr("\r\nFrom: lvs@director.test\r\n"));
  EXPECT_THAT(m, HasSubstr("\r\nSubject: [LVS_TEST] Virtualserver [10.0.0.1]:tcp:80 - UP\r\n"));
  EXPECT_THAT(m, HasSubstr("\r\nX-Mailer: Keepalived\r\n"));
  EXPECT_THAT(m, HasSubstr("\r\nTo: ops@example.org, oncall@example.org\r\n\r\n"));
  EXPECT_TRUE(m.starts_with("Date: ")) << m;
  EXPECT_TRUE(m.ends_with("\r\n\r\n=> Gained quorum 1+0=1 <= 2 <=\r\n\r\n.\r\n")) << m;
}

TEST(AlertMessage, DoublesALeadingDotSoTheMailDoesNotEndEarly) {
  const std::string m = alert_message(sink_settings(25), "s", "line\n.\n..x", 0);
  EXPECT_TRUE(m.ends_with("\r\nline\r\n..\r\n...x\r\n\r\n.\r\n")) << m;
}

TEST(MailSettings, KeepalivedsDefaultsAndGlobalDefsKeywords) {
  config::Diagnostics d;
  auto c = config::parse_text(
      "global_defs {\n notification_email {\n  a@example.org\n  b@example.org\n }\n"
      " smtp_server 192.0.2.25\n}\n",
      "t.conf", {}, d);
  ASSERT_TRUE(c) << (d.errors().empty() ? "" : d.errors()[0]);
  auto mail = mail_settings(c->global, "lb1", d);
  ASSERT_TRUE(mail);
  EXPECT_EQ(to_string(mail->server), "192.0.2.25:25");
  EXPECT_EQ(mail->from, "keepalived@lb1");
  EXPECT_EQ(mail->helo_name, "lb1");
  EXPECT_EQ(mail->router_id, "lb1");
  EXPECT_EQ(mail->step_timeout, seconds(30));
  EXPECT_EQ(mail->to, (std::vector<std::string>{"a@example.org", "b@example.org"}));

  c = config::parse_text(
      "global_defs {\n notification_email { a@example.org }\n notification_email_from x@y\n"
      " smtp_server 2001:db8::25 2525\n smtp_helo_name mx.test\n smtp_connect_timeout 7\n"
      " router_id LB_A\n}\n",
      "t.conf", {}, d);
  ASSERT_TRUE(c);
  mail = mail_settings(c->global, "lb1", d);
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->server.port, 2525);
  EXPECT_EQ(mail->from, "x@y");
  EXPECT_EQ(mail->helo_name, "mx.test");
  EXPECT_EQ(mail->router_id, "LB_A");
  EXPECT_EQ(mail->step_timeout, seconds(7));
}

TEST(MailSettings, AServerNameIsResolvedWhenTheConfigurationIsRead) {
  config::Diagnostics d;
  config::GlobalDefs g;
  g.notification_email = {"a@example.org"};
  g.smtp_server = "localhost";  // /etc/hosts, no DNS needed
  g.smtp_port = 2525;
  auto mail = mail_settings(g, "lb1", d);
  ASSERT_TRUE(mail) << (d.warnings().empty() ? "" : d.warnings()[0]);
  const std::string address = mail->server.address.to_string();
  EXPECT_TRUE(address == "127.0.0.1" || address == "::1") << address;
  EXPECT_EQ(mail->server.port, 2525);
}

TEST(MailSettings, NoRecipientOrNoServerMeansNoMail) {
  config::Diagnostics d;
  config::GlobalDefs g;
  g.smtp_server = "192.0.2.25";
  EXPECT_FALSE(mail_settings(g, "lb1", d));
  g.smtp_server.reset();
  g.notification_email = {"a@example.org"};
  EXPECT_FALSE(mail_settings(g, "lb1", d));
}

TEST(AlertPolicyTest, RealServersMailByDefaultVirtualServersDoNot) {
  AlertPolicy p;
  EXPECT_TRUE(p.real_server(std::nullopt));
  EXPECT_FALSE(p.virtual_server(std::nullopt));
  p.smtp_alert = false;
  EXPECT_FALSE(p.real_server(std::nullopt));
  p.smtp_alert_checker = true;  // the checker-specific default wins over the general one
  EXPECT_TRUE(p.real_server(std::nullopt));
  EXPECT_TRUE(p.virtual_server(std::nullopt));
  EXPECT_FALSE(p.real_server(false));  // the server's own setting wins over both
}

TEST_F(SmtpAlertTest, DeliversTheAlertThroughTheWholeDialogue) {
  SmtpSink sink;
  const std::string logged = send_to(sink.port());
  const auto commands = sink.commands();
  ASSERT_EQ(commands.size(), 6u) << logged;
  EXPECT_EQ(commands[0], "HELO director.test");
  EXPECT_EQ(commands[1], "MAIL FROM:<lvs@director.test>");
  EXPECT_EQ(commands[2], "RCPT TO:<ops@example.org>");
  EXPECT_EQ(commands[3], "RCPT TO:<oncall@example.org>");
  EXPECT_EQ(commands[4], "DATA");
  EXPECT_EQ(commands[5], "QUIT");
  ASSERT_EQ(sink.messages().size(), 1u);
  EXPECT_THAT(sink.messages()[0],
              HasSubstr("Subject: [LVS_TEST] Realserver [192.0.2.12]:tcp:80 of virtual server "
                        "[203.0.113.10]:tcp:80 - DOWN\r\n"));
  EXPECT_THAT(sink.messages()[0], HasSubstr("\r\n=> TCP CHECK failed on service <=\r\n"));
  const std::string host = "[127.0.0.1]:" + std::to_string(sink.port());
  EXPECT_THAT(logged, HasSubstr("Remote SMTP server " + host + " connected."));
  EXPECT_THAT(logged, HasSubstr("SMTP alert successfully sent."));
}

TEST_F(SmtpAlertTest, ServerDownIsLoggedAndNothingIsLeftBehind) {
  uint16_t closed_port;
  {
    SmtpSink gone;  // a port that was just free and now has no listener
    closed_port = gone.port();
  }
  const std::string logged = send_to(closed_port);
  EXPECT_EQ(alerter.in_flight(), 0u);
  EXPECT_THAT(logged,
              HasSubstr("SMTP connection ERROR to [127.0.0.1]:" + std::to_string(closed_port)));
  EXPECT_THAT(logged, Not(HasSubstr("successfully sent")));
}

TEST_F(SmtpAlertTest, RefusedRecipientIsLoggedWithTheServersCode) {
  SmtpSink sink(SmtpSink::Mode::refuse_recipients);
  const std::string logged = send_to(sink.port());
  EXPECT_THAT(logged, HasSubstr("Error processing RCPT cmd on SMTP server [127.0.0.1]:" +
                                std::to_string(sink.port()) + ". SMTP status code = 550"));
  EXPECT_TRUE(sink.messages().empty());
  EXPECT_EQ(sink.commands().back(), "QUIT") << "the dialogue is closed politely";
}

TEST_F(SmtpAlertTest, SilentServerTimesOutWithoutBlockingTheLoop) {
  SmtpSink sink(SmtpSink::Mode::silent);
  bool loop_ran = false;
  loop.add_timer(milliseconds(50), [&] { loop_ran = true; });
  const auto start = loop.now();
  const std::string logged = send_to(sink.port(), milliseconds(300));
  EXPECT_TRUE(loop_ran);
  EXPECT_GE(loop.now() - start, milliseconds(300));
  EXPECT_EQ(alerter.in_flight(), 0u);
  EXPECT_THAT(logged, HasSubstr("Timeout reading data to remote SMTP server [127.0.0.1]:" +
                                std::to_string(sink.port())));
}

TEST_F(SmtpAlertTest, AlertsOverlapInTheirOwnDialogues) {
  SmtpSink sink;
  alerter.configure(sink_settings(sink.port()));
  for (int i = 0; i < 3; ++i) alerter.send("subject " + std::to_string(i), "body");
  run_until(loop, [&] { return alerter.in_flight() == 0; });
  EXPECT_EQ(sink.messages().size(), 3u);
  EXPECT_EQ(sink.connections(), 3);
}

// The manager decides which events mail, with keepalived's subjects and bodies. Its TCP checks
// run on a manual clock, where every connection fails at once.
class ManagerAlerts : public ::testing::Test {
 protected:
  void configure(const std::string& text) {
    config::Diagnostics d;
    auto c = config::parse_text(text, "t.conf", {}, d);
    ASSERT_TRUE(c) << (d.errors().empty() ? "" : d.errors()[0]);
    manager.configure(*c, d);
    ASSERT_TRUE(d.errors().empty()) << d.errors()[0];
  }
  ManualIo io;
  ScriptRunner scripts{io};
  Logger log{"vsd", Logger::Sink::console, false};
  std::vector<std::pair<std::string, std::string>> alerts;
  Manager manager{
      io, scripts, log,
      ManagerHooks{nullptr, [this](const std::string& s,
                                   const std::string& b) { alerts.emplace_back(s, b); }},
      1};
};

const char* kTwoServers =
    "virtual_server 10.0.0.1 80 {\n delay_loop 10\n lb_kind NAT\n %VS%\n"
    " real_server 127.0.0.1 1 {\n  TCP_CHECK {\n   retry 0\n   warmup 0\n  }\n }\n"
    " real_server 127.0.0.2 1 {\n  %RS%\n  TCP_CHECK {\n   retry 0\n   warmup 0\n  }\n }\n}\n";

std::string two_servers(const std::string& vs, const std::string& rs,
                        const std::string& global = "") {
  std::string t = global + kTwoServers;
  t.replace(t.find("%VS%"), 4, vs);
  t.replace(t.find("%RS%"), 4, rs);
  return t;
}

TEST_F(ManagerAlerts, FailedRealServerMailsUnlessItsSmtpAlertIsOff) {
  ::testing::internal::CaptureStderr();
  configure(two_servers("", "smtp_alert off"));
  io.advance(seconds(1));
  ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].first,
            "Realserver [127.0.0.1]:tcp:1 of virtual server [10.0.0.1]:tcp:80 - DOWN");
  EXPECT_EQ(alerts[0].second, "=> TCP CHECK failed on service <=");
}

TEST_F(ManagerAlerts, QuorumChangesMailWhenTheVirtualServerAsks) {
  ::testing::internal::CaptureStderr();
  configure(two_servers("smtp_alert", "smtp_alert off"));
  io.advance(seconds(1));
  ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[1].first, "Virtualserver [10.0.0.1]:tcp:80 - DOWN");
  EXPECT_EQ(alerts[1].second, "=> Lost quorum 1+0=1 <= 0 <=");
}

TEST_F(ManagerAlerts, GlobalSmtpAlertOffSilencesCheckers) {
  ::testing::internal::CaptureStderr();
  configure(two_servers("", "", "global_defs {\n smtp_alert_checker off\n}\n"));
  io.advance(seconds(1));
  ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(alerts.empty());
}

// ipwrapper.c clear_services(): at stop an omega virtual server mails "=> Shutting down <=" for
// each live real server with smtp_alert and for itself with smtp_alert; without omega nothing.
TEST_F(ManagerAlerts, OmegaVirtualServerMailsShuttingDownAtStop) {
  ::testing::internal::CaptureStderr();
  configure(two_servers("omega\n smtp_alert", ""));
  io.advance(seconds(1));  // 127.0.0.1 and 127.0.0.2 fail: both down
  alerts.clear();
  manager.shutdown();
  ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(alerts.size(), 1u) << "no live real server left: the virtual server's mail only";
  EXPECT_EQ(alerts[0].first, "Virtualserver [10.0.0.1]:tcp:80 - DOWN");
  EXPECT_EQ(alerts[0].second, "=> Shutting down <=");
}

TEST_F(ManagerAlerts, LiveRealServersOfAnOmegaVirtualServerMailAtStop) {
  ::testing::internal::CaptureStderr();
  configure(two_servers("omega", "smtp_alert off"));  // the virtual server's smtp_alert: off
  manager.shutdown();                                 // before any check: both still up
  ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(alerts.size(), 1u) << "127.0.0.2 has smtp_alert off";
  EXPECT_EQ(alerts[0].first,
            "Realserver [127.0.0.1]:tcp:1 of virtual server [10.0.0.1]:tcp:80 - DOWN");
  EXPECT_EQ(alerts[0].second, "=> Shutting down <=");
}

TEST_F(ManagerAlerts, NoShutdownMailWithoutOmega) {
  ::testing::internal::CaptureStderr();
  configure(two_servers("smtp_alert", ""));
  manager.shutdown();
  ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(alerts.empty());
}

}  // namespace
}  // namespace vsd::health
