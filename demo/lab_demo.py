#!/usr/bin/python3
"""`make demo`, live: vsd directing the LVS namespace lab (tests/e2e/lab.py).

    client -- director (vsd) -- bridge -- rs1, rs2, rs3 (nginx)

vsd runs in the director namespace with a keepalived.conf: virtual server 203.0.113.10:80 (NAT,
round robin) over the three nginx, checked by HTTP_GET (rs1, rs3) and TCP_CHECK (rs2) every
second, alerts mailed to an SMTP sink in the director namespace. The demo shows the table
(`vsadm -L -n`), stops nginx on rs2, shows the health checker's log lines, the alert mail and the
table without rs2, starts nginx again and shows rs2 back. When vsd has a data plane (it accepts a
`dataplane { }` block and a curl through the VIP answers), it also sends requests from the client
through the VIP and shows who answered and `vsadm -L -n --stats`.

Every wait is bounded; the lab (processes by PID, namespaces) is torn down on exit, also on
Ctrl-C. Needs root; exits 77 with the reason when the lab cannot run here.
"""

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import lab  # noqa: E402

VIP, PORT, SMTP_PORT = lab.VIP4, 80, 2525
CHECK_LINES = ("Removing service", "Adding service", "TCP_CHECK", "HTTP_GET", "quorum", "SMTP",
               "Activating healthchecker")

# Records each mail's DATA into a file, one mail after another; answers as a mail server does.
SMTP_SINK = r"""
import socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(8)
while True:
    c, _ = server.accept()
    f = c.makefile("rb")
    c.sendall(b"220 sink ESMTP\r\n")
    in_data = False
    mail = []
    for raw in f:
        line = raw.decode(errors="replace").rstrip("\r\n")
        if in_data:
            if line == ".":
                in_data = False
                with open(out, "a") as o:
                    o.write("\n".join(mail) + "\n----\n")
                mail = []
                c.sendall(b"250 queued\r\n")
            else:
                mail.append(line)
        elif line.upper().startswith("DATA"):
            in_data = True
            c.sendall(b"354 go ahead\r\n")
        elif line.upper().startswith("QUIT"):
            c.sendall(b"221 bye\r\n")
            break
        else:
            c.sendall(b"250 ok\r\n")
    c.close()
"""


def dataplane_block():
    return """dataplane {
    backend afpacket
    workers 1
    interface cli0
    interface lan0
}
"""


def configuration(with_dataplane):
    servers = []
    for index in (1, 2, 3):
        address = lab.real_server_address4(index)
        if index == 2:
            check = "TCP_CHECK {\n            connect_timeout 1\n        }"
        else:
            check = ("HTTP_GET {\n            url {\n                path /\n"
                     "                status_code 200\n            }\n"
                     "            connect_timeout 1\n        }")
        servers.append(f"""    real_server {address} {PORT} {{
        weight 1
        {check}
    }}
""")
    return f"""global_defs {{
    router_id vsd_demo
    notification_email {{
        ops@example.org
    }}
    notification_email_from vsd@director.demo
    smtp_server 127.0.0.1 {SMTP_PORT}
}}
{dataplane_block() if with_dataplane else ""}virtual_server {VIP} {PORT} {{
    delay_loop 1
    retry 1
    delay_before_retry 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
{"".join(servers)}}}
"""


def say(text):
    print(f"\n=== {text}", flush=True)


class Demo:
    def __init__(self, the_lab, build_dir):
        self.lab = the_lab
        self.vsd_binary = os.path.join(build_dir, "src", "daemon", "vsd")
        self.vsadm_binary = os.path.join(build_dir, "src", "cli", "vsadm")
        self.socket = os.path.join(the_lab.workdir, "vsd.sock")
        self.log_path = os.path.join(the_lab.workdir, "vsd.log")
        self.mail_path = os.path.join(the_lab.workdir, "mail.txt")
        self.log_seen = 0

    def vsadm(self, *args):
        result = subprocess.run([self.vsadm_binary, *args], capture_output=True, text=True,
                                timeout=10, env={**os.environ, "VSD_SOCKET": self.socket})
        return result.stdout + result.stderr

    def show_table(self, *extra):
        print(f"$ vsadm -L -n {' '.join(extra)}".rstrip())
        print(self.vsadm("-L", "-n", *extra), end="", flush=True)

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def show_new_log_lines(self):
        text = self.log()
        for line in text[self.log_seen:].splitlines():
            if any(word in line for word in CHECK_LINES):
                print("  vsd: " + line.split(": ", 1)[-1].split("]: ", 1)[-1])
        self.log_seen = len(text)

    def wait(self, what, predicate, limit):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.2)
        print(f"  (gave up after {limit:.0f} s waiting for {what})")
        return False

    def dataplane_accepted(self):
        conf = os.path.join(self.lab.workdir, "probe.conf")
        with open(conf, "w") as out:
            out.write(configuration(True))
        check = subprocess.run([self.vsd_binary, "-t", "-f", conf], capture_output=True,
                               text=True, timeout=30)
        said = (check.stdout + check.stderr).strip()
        if check.returncode != 0 or "unknown keyword" in said:
            return False, said.splitlines()[0] if said else f"vsd -t exited {check.returncode}"
        return True, ""

    def members(self):
        return self.vsadm("-L", "-n")

    def run(self):
        with_dataplane, why_not = self.dataplane_accepted()
        conf = os.path.join(self.lab.workdir, "keepalived.conf")
        with open(conf, "w") as out:
            out.write(configuration(with_dataplane))
        self.lab.spawn(self.lab.director, sys.executable, "-c", SMTP_SINK, str(SMTP_PORT),
                       self.mail_path, log_name="smtp-sink.log")
        self.lab.spawn(self.lab.director, self.vsd_binary, "-f", conf, "-n", "-l", "--socket",
                       self.socket, log_name="vsd.log")
        say(f"vsd in the director namespace: {VIP}:{PORT} over rs1..rs3 (nginx), HTTP_GET on rs1 "
            "and rs3, TCP_CHECK on rs2, every second"
            + ("" if with_dataplane else f"; no data plane ({why_not})"))
        rs2 = lab.real_server_address4(2)
        self.wait("vsd's control socket", lambda: os.path.exists(self.socket), 10)
        self.wait("three real servers", lambda: self.members().count("Masq") == 3, 10)
        time.sleep(1.5)  # a round of checks, so that their first lines are in the log
        self.show_new_log_lines()
        self.show_table()

        forwarding = False
        if with_dataplane:
            forwarding = self.wait("an answer through the VIP",
                                   lambda: self.lab.curl(f"http://{VIP}/", timeout=1)[0] == 0, 10)
            if forwarding:
                self.show_traffic("through the VIP")
            else:
                print("  (vsd took the dataplane block, but no answer came through the VIP: "
                      "showing the control plane only)")

        say("stopping nginx on rs2 (by its PID)")
        nginx = self.lab.nginx_process(2)
        if nginx is not None:
            self.lab.stop(nginx)
        self.wait("rs2 to leave the table", lambda: rs2 not in self.members(), 10)
        self.show_new_log_lines()
        self.show_table()
        self.wait("the alert mail", lambda: "DOWN" in self.mails(), 5)
        self.show_mails()
        if forwarding:
            self.show_traffic("with rs2 down")

        say("starting nginx on rs2 again")
        self.lab.restart_nginx(2)
        self.wait("rs2 to come back", lambda: rs2 in self.members(), 10)
        self.show_new_log_lines()
        self.show_table()
        self.wait("the alert mail", lambda: "- UP" in self.mails(), 5)
        self.show_mails()
        if forwarding:
            self.show_traffic("with rs2 back")
            self.show_table("--stats")
        say("done; tearing the lab down")

    def mails(self):
        try:
            with open(self.mail_path) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def show_mails(self):
        shown = getattr(self, "mails_shown", 0)
        mails = self.mails().split("----\n")
        for mail in mails[shown:]:
            subject = [line for line in mail.splitlines() if line.startswith("Subject:")]
            body = [line for line in mail.splitlines() if line.startswith("=>")]
            if subject:
                print(f"  mail to ops@example.org: {subject[0]}  {' '.join(body)}")
        self.mails_shown = len([m for m in mails if m.strip()])

    def show_traffic(self, when):
        urls = [f"http://{VIP}/"] * 12
        code, body = self.lab.curl(urls[0], "-H", "Connection: close", *urls[1:], timeout=20)
        answers = body.split()
        counts = {name: answers.count(name) for name in ("rs1", "rs2", "rs3")}
        print(f"$ curl http://{VIP}/ x12 from the client ({when}): {counts}"
              + ("" if code == 0 else f" (curl exit {code})"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default="build")
    args = parser.parse_args()
    reason = lab.missing_requirements(["ip", "bridge", "nginx", "curl", "ethtool", "sysctl"])
    if reason:
        print(f"live demo skipped: {reason}")
        return lab.SKIP_EXIT_CODE
    build_dir = os.path.abspath(args.build_dir)
    for binary in ("src/daemon/vsd", "src/cli/vsadm"):
        if not os.access(os.path.join(build_dir, binary), os.X_OK):
            print(f"live demo skipped: {binary} not built in {build_dir}")
            return lab.SKIP_EXIT_CODE
    with lab.Lab() as the_lab:
        Demo(the_lab, build_dir).run()
        leftovers = the_lab
    if leftovers.leftovers():
        print("lab left behind: " + ", ".join(leftovers.leftovers()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
