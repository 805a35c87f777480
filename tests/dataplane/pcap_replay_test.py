#!/usr/bin/python3
"""Offline replay through `vsd -f FILE --pcap-in IN --pcap-out OUT`.

Behaviour matched: net/netfilter/ipvs/ip_vs_xmit.c (NAT, DR, IPIP tunnel transmitters) and
ip_vs_core.c (NAT replies). The input capture is made here with scapy, the output is read back
with scapy (an independent dissector: its own checksum computation), and with tshark's
dissectors and checksum validation when tshark is installed.

Usage: pcap_replay_test.py PATH/TO/vsd
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from scapy.all import IP, IPv6, TCP, UDP, ICMP, Ether, Raw, rdpcap, wrpcap  # noqa: E402

VSD = sys.argv.pop(1) if len(sys.argv) > 1 else "vsd"

DIRECTOR = "02:00:00:00:00:01"
ROUTER = "02:00:00:00:fe:fe"
RS = {"10.10.10.11": "02:00:00:00:01:11", "10.10.10.12": "02:00:00:00:01:12",
      "10.10.10.13": "02:00:00:00:01:13", "2001:db8:10::11": "02:00:00:00:01:11"}

CONFIG = """
dataplane {
    backend pcap
    interface eth0 {
        mac %(director)s
        address 10.10.10.1/24 2001:db8:10::1/64
    }
    route 0.0.0.0/0 via 10.10.10.254 dev eth0
    route ::/0 via 2001:db8:10::fe dev eth0
    neighbour 10.10.10.254 %(router)s dev eth0
    neighbour 2001:db8:10::fe %(router)s dev eth0
    neighbour 10.10.10.11 %(rs11)s dev eth0
    neighbour 10.10.10.12 %(rs12)s dev eth0
    neighbour 10.10.10.13 %(rs13)s dev eth0
    neighbour 2001:db8:10::11 %(rs11)s dev eth0
    fullnat_local_address 2001:db8:10::100
}
virtual_server 192.168.2.11 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 10.10.10.11 8080 {
    }
}
virtual_server 192.168.2.12 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.10.10.12 80 {
    }
}
virtual_server 192.168.2.13 53 {
    lb_algo rr
    lb_kind TUN
    protocol UDP
    real_server 10.10.10.13 53 {
    }
}
virtual_server 2001:db8:2::11 443 {
    lb_algo rr
    lb_kind FNAT
    protocol TCP
    real_server 2001:db8:10::11 8443 {
    }
}
""" % {"director": DIRECTOR, "router": ROUTER, "rs11": RS["10.10.10.11"],
       "rs12": RS["10.10.10.12"], "rs13": RS["10.10.10.13"]}

CLIENT = "203.0.113.5"
CLIENT6 = "2001:db8:99::5"


def from_router(packet, t):
    frame = Ether(src=ROUTER, dst=DIRECTOR) / packet
    frame.time = t
    return frame


def from_server(server, packet, t):
    frame = Ether(src=RS[server], dst=DIRECTOR) / packet
    frame.time = t
    return frame


def checksums_ok(frame):
    """scapy recomputes each checksum from scratch; compare with what vsd wrote."""
    raw = bytes(frame)
    for layer in (IP, TCP, UDP, ICMP):
        if layer not in frame:
            continue
        fresh = frame.__class__(raw)
        del fresh[layer].chksum
        if frame.__class__(bytes(fresh))[layer].chksum != frame[layer].chksum:
            return False
    return True


class OfflineReplay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vsd-replay-")
        conf = os.path.join(cls.dir, "vsd.conf")
        with open(conf, "w") as f:
            f.write(CONFIG)
        cls.inputs = [
            # 0: NAT SYN, 1: NAT ACK of the same connection
            from_router(IP(src=CLIENT, dst="192.168.2.11", ttl=60) /
                        TCP(sport=40000, dport=80, flags="S", seq=1000), 1000.0),
            from_router(IP(src=CLIENT, dst="192.168.2.11", ttl=60) /
                        TCP(sport=40000, dport=80, flags="A", seq=1001, ack=5001) /
                        Raw(b"GET / HTTP/1.0\r\n\r\n"), 1000.2),
            # 2: the real server's reply (it routes through the director)
            from_server("10.10.10.11", IP(src="10.10.10.11", dst=CLIENT, ttl=64) /
                        TCP(sport=8080, dport=40000, flags="SA", seq=5000, ack=1001), 1000.1),
            # 3: DR SYN
            from_router(IP(src=CLIENT, dst="192.168.2.12") /
                        TCP(sport=40001, dport=80, flags="S"), 1000.3),
            # 4: TUN UDP
            from_router(IP(src=CLIENT, dst="192.168.2.13", tos=0x20) /
                        UDP(sport=40002, dport=53) / Raw(b"\x12\x34" + b"\x00" * 10), 1000.4),
            # 5: FULLNAT over IPv6
            from_router(IPv6(src=CLIENT6, dst="2001:db8:2::11") /
                        TCP(sport=40003, dport=443, flags="S"), 1000.5),
            # 6: truncated (the IP header claims more than there is)
            Ether(bytes(from_router(IP(src=CLIENT, dst="192.168.2.11") /
                                    TCP(sport=40004, dport=80, flags="S"), 0))[:30]),
            # 7: not for a service: left to the kernel, not transmitted
            from_router(IP(src=CLIENT, dst="192.168.2.11") / TCP(sport=40005, dport=22,
                                                                 flags="S"), 1000.7),
            # 8: echo request to a VIP: the kernel's
            from_router(IP(src=CLIENT, dst="192.168.2.11") / ICMP(), 1000.8),
        ]
        cls.inputs[6].time = 1000.6
        cls.pcap_in = os.path.join(cls.dir, "in.pcap")
        cls.pcap_out = os.path.join(cls.dir, "out.pcap")
        wrpcap(cls.pcap_in, cls.inputs)
        cls.vsd = subprocess.run([VSD, "-f", conf, "--pcap-in", cls.pcap_in, "--pcap-out",
                                  cls.pcap_out], capture_output=True, text=True, timeout=60)
        cls.out = rdpcap(cls.pcap_out) if os.path.exists(cls.pcap_out) else []

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_exit_status_and_report(self):
        self.assertEqual(self.vsd.returncode, 0, self.vsd.stderr)
        report = self.vsd.stderr
        self.assertIn("9 packets read, 6 written", report)
        for line in ("forwarded_nat 2", "forwarded_nat_reply 1", "forwarded_dr 1",
                     "forwarded_tunnel 1", "forwarded_fullnat 1", "dropped_truncated 1",
                     "passed_not_service 1", "passed_icmp 1"):
            self.assertIn(line, report)

    def by_time(self, t):
        for frame in self.out:
            if abs(float(frame.time) - t) < 1e-6:
                return frame
        self.fail("no output frame at %s" % t)

    def test_nat_request_goes_to_the_real_server(self):
        f = self.by_time(1000.0)
        self.assertEqual(f[Ether].dst, RS["10.10.10.11"])
        self.assertEqual(f[Ether].src, DIRECTOR)
        self.assertEqual((f[IP].src, f[IP].dst), (CLIENT, "10.10.10.11"))
        self.assertEqual((f[TCP].sport, f[TCP].dport), (40000, 8080))
        self.assertEqual(f[IP].ttl, 60)
        self.assertTrue(checksums_ok(f), f.show(dump=True))
        g = self.by_time(1000.2)
        self.assertEqual(bytes(g[Raw]), b"GET / HTTP/1.0\r\n\r\n")
        self.assertTrue(checksums_ok(g))

    def test_nat_reply_gets_the_virtual_service_back(self):
        f = self.by_time(1000.1)
        self.assertEqual(f[Ether].dst, ROUTER)
        self.assertEqual((f[IP].src, f[IP].dst), ("192.168.2.11", CLIENT))
        self.assertEqual((f[TCP].sport, f[TCP].dport), (80, 40000))
        self.assertEqual(f[IP].ttl, 63)
        self.assertTrue(checksums_ok(f))

    def test_dr_changes_only_the_link_destination(self):
        f = self.by_time(1000.3)
        self.assertEqual(f[Ether].dst, RS["10.10.10.12"])
        self.assertEqual(bytes(f[IP]), bytes(self.inputs[3][IP]))

    def test_tunnel_encapsulates_in_ipip(self):
        f = self.by_time(1000.4)
        self.assertEqual(f[Ether].dst, RS["10.10.10.13"])
        outer = f[IP]
        self.assertEqual((outer.src, outer.dst, outer.proto), ("10.10.10.1", "10.10.10.13", 4))
        self.assertEqual(outer.tos, 0x20)
        self.assertEqual(bytes(outer.payload), bytes(self.inputs[4][IP]))
        self.assertTrue(checksums_ok(IP(bytes(outer))))

    def test_fullnat_ipv6_rewrites_both_ends(self):
        f = self.by_time(1000.5)
        self.assertEqual((f[IPv6].src, f[IPv6].dst), ("2001:db8:10::100", "2001:db8:10::11"))
        self.assertEqual(f[TCP].dport, 8443)
        want = f[TCP].chksum
        fresh = f.copy()
        del fresh[TCP].chksum
        self.assertEqual(Ether(bytes(fresh))[TCP].chksum, want)

    def test_tshark_finds_no_checksum_or_malformed_frame(self):
        tshark = shutil.which("tshark")
        if not tshark:
            self.skipTest("tshark is not installed (Debian package tshark)")
        bad = subprocess.run(
            [tshark, "-r", self.pcap_out, "-o", "ip.check_checksum:TRUE", "-o",
             "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-Y",
             "ip.checksum.status == 0 || tcp.checksum.status == 0 || "
             "udp.checksum.status == 0 || _ws.malformed"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(bad.returncode, 0, bad.stderr)
        self.assertEqual(bad.stdout.strip(), "")
        count = subprocess.run([tshark, "-r", self.pcap_out], capture_output=True, text=True,
                               timeout=60)
        self.assertEqual(len(count.stdout.strip().splitlines()), 6)


if __name__ == "__main__":
    unittest.main(verbosity=2)
