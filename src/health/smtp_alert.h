#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "common/log.h"
#include "config/configuration.h"
#include "config/diagnostics.h"
#include "health/io.h"

namespace vsd::health {

// global_defs' mail settings (keepalived.conf(5)), with keepalived's defaults: router_id and
// smtp_helo_name are the host name, notification_email_from is keepalived@<host name>, the port
// is 25 and each step of the SMTP dialogue may take smtp_connect_timeout (30 s).
struct MailSettings {
  Endpoint server;
  std::string helo_name;
  std::string from;
  std::vector<std::string> to;
  std::string router_id;
  Duration step_timeout = seconds(30);
};

// Which health events send mail: a real server's own smtp_alert, else global_defs'
// smtp_alert_checker, else smtp_alert, else yes; a virtual server's (quorum) the same chain but
// no by default. no_checker_emails: only mail when the real server itself changes state, not
// each of its checkers.
struct AlertPolicy {
  std::optional<bool> smtp_alert;
  std::optional<bool> smtp_alert_checker;
  bool no_checker_emails = false;

  bool real_server(std::optional<bool> own) const {
    return own.value_or(smtp_alert_checker.value_or(smtp_alert.value_or(true)));
  }
  bool virtual_server(std::optional<bool> own) const {
    return own.value_or(smtp_alert_checker.value_or(smtp_alert.value_or(false)));
  }
};

AlertPolicy alert_policy(const config::GlobalDefs& global, config::Diagnostics& d);

// gethostname(), keepalived's default router_id, HELO name and sender domain.
std::string local_host_name();

// nullopt when no mail is to be sent: no recipient or no smtp_server. An smtp_server that is not
// an address is reported in `d`.
std::optional<MailSettings> mail_settings(const config::GlobalDefs& global,
                                          const std::string& host_name, config::Diagnostics& d);

// What follows DATA, as keepalived's smtp.c sends it: Date, From, Subject ("[router_id] ..."),
// X-Mailer, To (every recipient), the body, the closing dot. Lines starting with a dot are
// doubled (RFC 5321 4.5.2).
std::string alert_message(const MailSettings& settings, const std::string& subject,
                          const std::string& body, std::time_t when);

// Sends each alert in its own SMTP dialogue on the control loop (HELO, MAIL FROM, one RCPT TO per
// recipient, DATA, QUIT), never blocking it. A server that is down or answers with an error
// costs a log line, as in keepalived.
class SmtpAlerter {
 public:
  SmtpAlerter(Io& io, Logger& log);
  ~SmtpAlerter();
  SmtpAlerter(const SmtpAlerter&) = delete;
  SmtpAlerter& operator=(const SmtpAlerter&) = delete;

  // Dialogues already under way finish with the settings they started with.
  void configure(std::optional<MailSettings> settings);
  void send(const std::string& subject, const std::string& body);
  size_t in_flight() const;

 private:
  class Session;
  void sweep();

  Io& io_;
  Logger& log_;
  std::shared_ptr<const MailSettings> settings_;
  std::vector<std::unique_ptr<Session>> sessions_;
  TimerQueue::Id sweep_timer_ = 0;
};

}  // namespace vsd::health
