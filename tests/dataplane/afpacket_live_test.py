#!/usr/bin/python3
"""The afpacket (or, with --backend afxdp, the afxdp) backend on real links: three network
namespaces made by this test.

    cli (10.77.1.2) --veth-- dir (10.77.1.1 | 10.77.2.1, vsd) --veth-- rs (10.77.2.2)

VIP 10.77.1.100 is on the director's client-side link (its kernel answers ARP for it); vsd
forwards UDP 10.77.1.100:7777 to the real server by NAT, and TCP 10.77.1.100:7778 by NAT too.
The real server's replies route through the director, where vsd gives them the VIP back. The
director's kernel does not forward (ip_forward 0): everything that arrives went through vsd.
Offloads stay on (tx checksumming on the veths: the frames reach vsd with partial checksums,
lab-notes trap 3). Behaviour matched: net/netfilter/ipvs/ip_vs_xmit.c ip_vs_nat_xmit and
ip_vs_core.c ip_vs_out (NAT replies).

Needs root; exits 77 (skipped) otherwise. Removes its namespaces and processes when it ends.
Usage: afpacket_live_test.py PATH/TO/vsd [--backend afpacket|afxdp] [--vsadm PATH/TO/vsadm]
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

VSD = sys.argv.pop(1) if len(sys.argv) > 1 else "vsd"
BACKEND = "afpacket"
VSADM = None
while len(sys.argv) > 2 and sys.argv[1] in ("--backend", "--vsadm"):
    if sys.argv[1] == "--backend":
        BACKEND = sys.argv[2]
    else:
        VSADM = sys.argv[2]
    del sys.argv[1:3]
# AF_XDP binds one socket per receive queue: a veth has one, so one worker.
WORKERS = 2 if BACKEND == "afpacket" else 1
TAG = "vsddp%d" % (os.getpid() % 100000)
CLI, DIR, RS = TAG + "c", TAG + "d", TAG + "r"
VIP = "10.77.1.100"

CONFIG = """
dataplane {
    backend %(backend)s
    workers %(workers)d%(extra)s
    interface cli0
    interface lan0
}
virtual_server %(vip)s 7777 {
    lb_algo rr
    lb_kind NAT
    protocol UDP
    real_server 10.77.2.2 7777 {
    }
}
virtual_server %(vip)s 7778 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 10.77.2.2 8080 {
    }
}
""" % {"vip": VIP, "backend": BACKEND, "workers": WORKERS,
       "extra": "\n    xdp_mode " + os.environ.get("VSD_XDP_MODE", "auto") if BACKEND == "afxdp" else ""}

ECHO = r"""
import socket, sys, threading
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 7777))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 8080))
t.listen(64)
def tcp():
    while True:
        c, peer = t.accept()
        data = c.recv(1000)
        c.sendall(b"from " + peer[0].encode() + b": " + data)
        c.close()
threading.Thread(target=tcp, daemon=True).start()
print("ready", flush=True)
while True:
    data, peer = u.recvfrom(2000)
    u.sendto(data, peer)
"""


def read(path):
    with open(path) as f:
        return f.read()


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True, timeout=30)


def ns(name, *args, check=True):
    return sh("ip", "netns", "exec", name, *args, check=check)


def in_ns_python(name, code, timeout=20):
    return subprocess.run(["ip", "netns", "exec", name, "/usr/bin/python3", "-c", code],
                          capture_output=True, text=True, timeout=timeout)


class AfPacketLive(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.processes = []
        cls.dir = tempfile.mkdtemp(prefix="vsd-afpacket-")
        for n in (CLI, DIR, RS):
            sh("ip", "netns", "add", n)
        sh("ip", "link", "add", "cli0", "netns", DIR, "type", "veth", "peer", "name", "eth0",
           "netns", CLI)
        sh("ip", "link", "add", "lan0", "netns", DIR, "type", "veth", "peer", "name", "eth0",
           "netns", RS)
        for n, address in ((CLI, "10.77.1.2/24"), (RS, "10.77.2.2/24")):
            ns(n, "ip", "addr", "add", address, "dev", "eth0")
            ns(n, "ip", "link", "set", "eth0", "up")
            ns(n, "ip", "link", "set", "lo", "up")
        ns(CLI, "ip", "route", "add", "default", "via", "10.77.1.1")
        ns(RS, "ip", "route", "add", "default", "via", "10.77.2.1")
        ns(DIR, "ip", "addr", "add", "10.77.1.1/24", "dev", "cli0")
        ns(DIR, "ip", "addr", "add", VIP + "/32", "dev", "cli0")
        ns(DIR, "ip", "addr", "add", "10.77.2.1/24", "dev", "lan0")
        for link in ("cli0", "lan0", "lo"):
            ns(DIR, "ip", "link", "set", link, "up")
        ns(DIR, "sysctl", "-qw", "net.ipv4.ip_forward=0")
        conf = os.path.join(cls.dir, "vsd.conf")
        with open(conf, "w") as f:
            f.write(CONFIG)
        cls.log = open(os.path.join(cls.dir, "vsd.log"), "w")
        cls.vsd = subprocess.Popen(["ip", "netns", "exec", DIR, VSD, "-f", conf, "-n", "-l",
                                    "--socket", os.path.join(cls.dir, "vsd.sock")],
                                   stdout=cls.log, stderr=subprocess.STDOUT)
        cls.processes.append(cls.vsd)
        cls.echo = subprocess.Popen(["ip", "netns", "exec", RS, "/usr/bin/python3", "-c", ECHO],
                                    stdout=subprocess.PIPE, text=True)
        cls.processes.append(cls.echo)
        cls.echo.stdout.readline()
        cls.echo.stdout.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "data plane:" in read(os.path.join(cls.dir, "vsd.log")):
                break
            if cls.vsd.poll() is not None:
                break
            time.sleep(0.1)
        time.sleep(0.5)

    @classmethod
    def tearDownClass(cls):
        for p in cls.processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        cls.log.close()
        for n in (CLI, DIR, RS):
            sh("ip", "netns", "delete", n, check=False)
        if os.environ.get("VSD_KEEP_LOGS"):
            print("logs in", cls.dir)
        else:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def log_text(self):
        return read(os.path.join(self.dir, "vsd.log"))

    def test_udp_answers_come_back_from_the_vip(self):
        self.assertIsNone(self.vsd.poll(), self.log_text())
        code = r"""
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
good = 0
for i in range(50):
    s.sendto(b"ping %%d" %% i, ("%s", 7777))
    try:
        data, peer = s.recvfrom(2000)
        if data == b"ping %%d" %% i and peer == ("%s", 7777):
            good += 1
    except socket.timeout:
        pass
print(good)
""" % (VIP, VIP)
        r = in_ns_python(CLI, code, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreaterEqual(int(r.stdout.strip()), 48, self.log_text())

    def test_tcp_through_nat_and_the_server_sees_the_client(self):
        self.assertIsNone(self.vsd.poll(), self.log_text())
        code = r"""
import socket
answers = []
for i in range(10):
    c = socket.create_connection(("%s", 7778), timeout=3)
    c.sendall(b"hello %%d" %% i)
    answers.append(c.recv(1000).decode())
    c.close()
print("\n".join(answers))
""" % VIP
        r = in_ns_python(CLI, code, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr + self.log_text())
        lines = r.stdout.strip().splitlines()
        self.assertEqual(len(lines), 10)
        for i, line in enumerate(lines):
            self.assertEqual(line, "from 10.77.1.2: hello %d" % i)

    def test_vsadm_lists_the_data_planes_connections(self):
        if not VSADM:
            self.skipTest("no --vsadm given")
        code = r"""
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.1.2", 45454))
s.sendto(b"hello", ("%s", 7777))
"""  % VIP
        self.assertEqual(in_ns_python(CLI, code).returncode, 0)
        time.sleep(0.3)
        listing = sh(VSADM, "--socket", os.path.join(self.dir, "vsd.sock"), "-L", "-c", "-n")
        self.assertIn("UDP", listing.stdout)
        line = [l for l in listing.stdout.splitlines() if "10.77.1.2:45454" in l]
        self.assertEqual(len(line), 1, listing.stdout)
        self.assertIn("%s:7777" % VIP, line[0])
        self.assertIn("10.77.2.2:7777", line[0])
        # ipvsadm --stats: the data plane counts in the model's services and real servers.
        stats = sh(VSADM, "--socket", os.path.join(self.dir, "vsd.sock"), "-L", "-n", "--stats")
        service = [l for l in stats.stdout.splitlines() if l.startswith("UDP") and VIP in l]
        self.assertEqual(len(service), 1, stats.stdout)
        conns, in_packets, out_packets = (int(x) for x in service[0].split()[2:5])
        self.assertGreaterEqual(conns, 1)
        self.assertGreaterEqual(in_packets, 1)
        self.assertGreaterEqual(out_packets, 1)

    def test_the_kernel_table_hides_the_services(self):
        if BACKEND == "afxdp":
            links = ns(DIR, "ip", "link", "show", "cli0").stdout
            self.assertIn("xdp", links)  # the steering program is attached
            return
        rules = ns(DIR, "nft", "list", "table", "netdev", "vsd").stdout
        self.assertIn("ip daddr %s udp dport 7777 drop" % VIP, rules)
        self.assertIn("ip saddr 10.77.2.2 tcp sport 8080", rules)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("skipped: needs root (network namespaces)")
        sys.exit(77)
    if not shutil.which("ip") or not shutil.which("nft"):
        print("skipped: needs iproute2 and nftables")
        sys.exit(77)
    unittest.main(verbosity=2)
