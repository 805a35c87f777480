#!/usr/bin/python3
"""The lab works without vsd: the LVS topology comes up, curl reaches every nginx through the
director's kernel forwarding (IPv4 and IPv6), tshark on the director dissects what it forwarded,
and vsd-realserver's user-space decapsulator delivers tunnelled requests (IPIP and IPv6-in-IPv6,
built with scapy) to nginx on a real server, which answers the client directly with the VIP.

Matches the real-server side of IPVS tunnelling: net/netfilter/ipvs/ip_vs_xmit.c
(ip_vs_tunnel_xmit: outer source is the director, outer destination the real server, inner packet
unchanged) and the LVS-Tun HOWTO (VIP on the real server, hidden from ARP, rp_filter off).
"""

import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402
import scenario  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PATHS = None


def wait_for_line(path, text, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path) and text in open(path, errors="replace").read():
            return True
        time.sleep(0.05)
    return False


class KernelForwarding(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lab = lab.Lab().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.lab.down()
        assert not cls.lab.leftovers(), cls.lab.leftovers()

    def test_curl_reaches_each_nginx_over_ipv4_and_ipv6(self):
        for index in range(1, 4):
            for url in (f"http://{lab.real_server_address4(index)}/",
                        f"http://[{lab.real_server_address6(index)}]/"):
                code, body = self.lab.curl(url)
                self.assertEqual((code, body), (0, f"rs{index}\n"), url)

    def test_replies_come_back_through_the_director(self):
        before = self.lab.ip_counters(self.lab.director)["ForwDatagrams"]
        code, _ = self.lab.curl(f"http://{lab.real_server_address4(2)}/")
        self.assertEqual(code, 0)
        forwarded = self.lab.ip_counters(self.lab.director)["ForwDatagrams"] - before
        # At least SYN, SYN-ACK, ACK, request, response, FINs: both directions cross the director.
        self.assertGreaterEqual(forwarded, 8)

    def test_tshark_on_the_director_dissects_the_forwarded_http(self):
        # tshark prints each dissected packet as it arrives (-l). "Capturing on" comes before the
        # packet ring is live and a SIGINT drops the block still being filled (both seen here), so
        # the test repeats the request, a bounded number of times, until tshark has shown it.
        log = os.path.join(self.lab.workdir, "tshark.log")
        tshark = self.lab.spawn(self.lab.director, "tshark", "-n", "-l", "-i", "lan0", "-f", "tcp port 80",
                                "-a", "duration:30", "-Y", "http", "-T", "fields", "-e", "ip.src",
                                "-e", "ip.dst", "-e", "http.request.method", "-e", "http.response.code",
                                log_name="tshark.log")
        self.assertTrue(wait_for_line(log, "Capturing on", 10), open(log).read())
        request = "\t".join([lab.CLIENT4, lab.real_server_address4(3), "GET", ""])
        response = "\t".join([lab.real_server_address4(3), lab.CLIENT4, "", "200"])
        for _ in range(10):
            code, body = self.lab.curl(f"http://{lab.real_server_address4(3)}/")
            self.assertEqual((code, body), (0, "rs3\n"))
            if wait_for_line(log, response, 1.0):
                break
        self.lab.stop(tshark)
        rows = open(log, errors="replace").read().splitlines()
        self.assertIn(request, rows, rows)
        self.assertIn(response, rows, rows)


class Teardown(unittest.TestCase):
    def test_a_failing_test_leaves_no_namespace_or_process_behind(self):
        child = subprocess.run([sys.executable, "-c", f"""
import sys; sys.path.insert(0, {HERE!r})
import lab, os
with lab.Lab(real_servers=1) as the_lab:
    print(os.getpid(), the_lab.processes[0].pid, flush=True)
    raise AssertionError("a failing test")
"""], capture_output=True, text=True, timeout=60)
        self.assertIn("a failing test", child.stderr)
        owner, nginx = (int(word) for word in child.stdout.split())
        listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        self.assertNotIn(f"{lab.NAMESPACE_PREFIX}{owner}-", listed)
        self.assertFalse(os.path.exists(f"/proc/{nginx}"))


class UserSpaceTunnel(unittest.TestCase):
    """rs1 prepared with `vsd-realserver start --mode tun --tunnel user`."""

    @classmethod
    def setUpClass(cls):
        cls.lab = lab.Lab(real_servers=1).__enter__()
        cls.state_dir = tempfile.mkdtemp(dir=cls.lab.workdir)
        cls.rs1 = cls.lab.real_servers[0]
        for vip in (lab.VIP4, lab.VIP6):
            cls.realserver("start", vip, "--mode", "tun", "--tunnel", "user", "--decap", PATHS.decap,
                           "--tun-name", "vsdtun4" if vip == lab.VIP4 else "vsdtun6")
            # The director does not own the VIP here: a blackhole stops it from answering the
            # client with unreachables while the encapsulator copies the packets.
            cls.lab.ip(cls.lab.director, "route", "add", "blackhole", vip)

    @classmethod
    def tearDownClass(cls):
        try:
            for vip in (lab.VIP4, lab.VIP6):
                cls.realserver("stop", vip)
        finally:
            cls.lab.down()

    @classmethod
    def realserver(cls, action, vip, *args):
        return cls.lab.run(cls.rs1, PATHS.realserver, action, "--vip", vip,
                           "--state-dir", cls.state_dir, *args)

    def encapsulate_to_rs1(self, vip, real_server):
        source = lab.DIRECTOR_LAN6 if ":" in vip else lab.DIRECTOR_LAN4
        process = self.lab.spawn(self.lab.director, sys.executable,
                                 os.path.join(HERE, "ipip_encapsulator.py"), "--listen", "cli0",
                                 "--vip", vip, "--real-server", real_server, "--source", source,
                                 "--count", "40", "--seconds", "15", stdout=subprocess.PIPE,
                                 text=True)
        self.assertEqual(process.stdout.readline().strip(), "ready")
        return process

    def test_curl_to_the_vip_through_ipip_reaches_nginx_on_rs1(self):
        encapsulator = self.encapsulate_to_rs1(lab.VIP4, lab.real_server_address4(1))
        before = self.lab.ip_counters(self.rs1)["InReceives"]
        code, body = self.lab.curl(f"http://{lab.VIP4}/")
        self.lab.stop(encapsulator)
        self.assertEqual((code, body), (0, "rs1\n"))
        # The request arrived twice at rs1's IP layer: tunnelled on eth0, then inner on the TUN.
        self.assertGreater(self.lab.ip_counters(self.rs1)["InReceives"] - before, 6)

    def test_curl_to_the_ipv6_vip_through_ip6ip6_reaches_nginx_on_rs1(self):
        encapsulator = self.encapsulate_to_rs1(lab.VIP6, lab.real_server_address6(1))
        code, body = self.lab.curl(f"http://[{lab.VIP6}]/")
        self.lab.stop(encapsulator)
        self.assertEqual((code, body), (0, "rs1\n"))

    def test_a_crafted_ipip_syn_for_another_address_is_not_answered(self):
        answered = self.lab.run(self.lab.director, sys.executable, "-c", f"""
from scapy.all import IP, TCP, AsyncSniffer, send
sniffer = AsyncSniffer(iface="lan0", filter="tcp and src port 80", timeout=1.5)
sniffer.start()
import time; time.sleep(0.3)
send(IP(src="{lab.DIRECTOR_LAN4}", dst="{lab.real_server_address4(1)}", proto=4) /
     IP(src="{lab.CLIENT4}", dst="203.0.113.99") / TCP(sport=40001, dport=80, flags="S"), verbose=0)
send(IP(src="{lab.DIRECTOR_LAN4}", dst="{lab.real_server_address4(1)}", proto=4) /
     IP(src="{lab.CLIENT4}", dst="{lab.VIP4}") / TCP(sport=40002, dport=80, flags="S", seq=7),
     verbose=0)
sniffer.join()
print(sorted(set((p["IP"].src, p["TCP"].dport, p["TCP"].ack) for p in sniffer.results)))
""", timeout=20).stdout.strip()
        # Only the SYN for the VIP is answered (SYN-ACK from the VIP, acknowledging seq 7 + 1;
        # rs1 may retransmit it, the client's RST to the VIP being blackholed).
        self.assertEqual(answered, f"[('{lab.VIP4}', 40002, 8)]")

    def test_stop_undoes_what_start_did(self):
        self.realserver("stop", lab.VIP4)
        links = self.lab.run(self.rs1, "ip", "-br", "link").stdout
        addresses = self.lab.run(self.rs1, "ip", "-br", "addr", "show", "dev", "lo").stdout
        arp_ignore = self.lab.run(self.rs1, "sysctl", "-n", "net.ipv4.conf.all.arp_ignore").stdout
        self.realserver("start", lab.VIP4, "--mode", "tun", "--tunnel", "user", "--decap",
                        PATHS.decap, "--tun-name", "vsdtun4")
        self.assertNotIn("vsdtun4", links)
        self.assertIn("vsdtun6", links)
        self.assertNotIn(lab.VIP4, addresses)
        self.assertIn(lab.VIP6, addresses)
        self.assertEqual(arp_ignore.strip(), "0")


if __name__ == "__main__":
    PATHS = scenario.parse_paths(__doc__, "decap", "realserver")
    reason = lab.missing_requirements(["ip", "bridge", "ethtool", "nginx", "curl", "tshark"])
    if reason:
        scenario.skip(reason)
    try:
        import scapy  # noqa: F401
    except ImportError:
        scenario.skip("needs python3-scapy (make deps installs it)")
    scenario.run([KernelForwarding, Teardown, UserSpaceTunnel], time_limit_seconds=150, only=PATHS.only)
