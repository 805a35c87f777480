#!/usr/bin/python3
"""vsd's data plane in the LVS lab: NAT, DR, TUN and FULLNAT for TCP and UDP, and DR over IPv6.

What a user of IPVS checks, from net/netfilter/ipvs/ip_vs_rr.c (round robin: 300 new connections
to 3 equal servers give exactly 100 each), ip_vs_conn.c (a connection keeps its real server for
its whole life), ip_vs_xmit.c (NAT rewrites the reply source back to the VIP; DR and TUN replies
go from the real server straight to the client with the VIP as source) and the FULLNAT of DPVS
(the real server sees a director's local address, never the client).

vsd runs in the director namespace as `vsd -f <generated conf> -n -l` with a `dataplane { }`
block (backend afpacket, one worker, interfaces cli0 and lan0, a FULLNAT local address). For each
method, TCP and UDP: 300 requests through the VIP all succeed and rr gives each real server exactly
100; a long download keeps its real server; the client sees only the VIP; and tshark on the
switch port facing the director checks what vsd put on the wire (IPIP outer headers for TUN, the local address for
FULLNAT, every IPv4/TCP/UDP checksum valid: the lab's senders have checksum offload off).
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

PATHS = None
UDP_PORT = 9000
REQUESTS = 300


FULLNAT_LOCAL_ADDRESS = "192.0.2.100"


def dataplane_block(backend="afpacket", extra=""):
    """The block src/config/dataplane_parser.cc reads: the client side, the server side."""
    return f"""dataplane {{
    backend {backend}
    workers 1
    interface cli0
    interface lan0
{extra}}}
"""


def virtual_server(vip, port, kind, protocol, real_servers):
    reals = "".join(f"""    real_server {address} {port} {{
        weight 1
    }}
""" for address in real_servers)
    return f"""virtual_server {vip} {port} {{
    delay_loop 60
    lb_algo rr
    lb_kind {kind}
    protocol {protocol}
{reals}}}
"""


def dataplane_missing(vsd):
    """Why the vsd binary cannot run this scenario yet, or None."""
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as conf:
        conf.write(dataplane_block() + virtual_server(lab.VIP4, 80, "NAT", "TCP", ["192.0.2.11"]))
        conf.flush()
        check = subprocess.run([vsd, "-t", "-f", conf.name], capture_output=True, text=True,
                               timeout=30)
    said = check.stdout + check.stderr
    if "unknown keyword" in said or check.returncode != 0:
        return "vsd has no data plane yet (vsd -t: " + said.strip().splitlines()[0] + ")"
    return None


class Capture:
    """tshark in a namespace printing fields of each packet as it arrives (-l): reading a capture
    file after a SIGINT loses the ring block being filled, and 'Capturing on' precedes a live
    ring, so the rows are read from the live output once tshark has gone quiet."""

    CHECKSUMS = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o",
                 "udp.check_checksum:TRUE"]

    def __init__(self, the_lab, namespace, interface, fields, capture_filter="tcp or udp or ip proto 4",
                 options=()):
        self.lab, self.fields = the_lab, fields
        self.log = os.path.join(the_lab.workdir, f"tshark-{namespace}-{time.monotonic_ns()}.log")
        argv = ["tshark", "-n", "-l", "-i", interface, "-f", capture_filter, "-a", "duration:90",
                *options, "-T", "fields", "-E", "separator=/t"]
        for field in fields:
            argv += ["-e", field]
        with open(self.log + ".err", "w") as errors:
            self.process = the_lab.spawn(namespace, *argv, log_name=os.path.basename(self.log),
                                         stderr=errors)
        self.rows = []

    def __enter__(self):
        deadline = time.monotonic() + 10
        while "Capturing on" not in open(self.log + ".err").read():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("tshark did not start: " + open(self.log + ".err").read())
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        size, deadline = -1, time.monotonic() + 5
        while size != os.path.getsize(self.log) and time.monotonic() < deadline:  # tshark is idle
            size = os.path.getsize(self.log)
            time.sleep(0.5)
        self.lab.stop(self.process)
        for line in open(self.log, errors="replace").read().splitlines():
            values = line.split("\t")
            self.rows.append(dict(zip(self.fields, values + [""] * (len(self.fields) - len(values)))))
        return False


WIRE_FIELDS = ["eth.dst", "ip.src", "ip.dst", "ip.proto", "ip.checksum.status", "tcp.checksum.status",
               "udp.checksum.status", "tcp.srcport", "tcp.dstport", "tcp.flags.str", "tcp.len",
               "tcp.checksum", "tcp.checksum_calculated"]


def negative_zero_tcp_checksum(row):
    """0xffff where 0x0000 was computed: the same one's-complement zero (RFC 1624), which the
    kernel writes whenever it computes a TCP checksum in software (skb_checksum_help puts
    CSUM_MANGLED_0 for a zero result) and every receiver accepts; tshark calls it bad. With
    checksum offload off in the lab's senders, about one segment in 65,536 carries it."""
    return row["tcp.checksum"] == "0xffff" and row["tcp.checksum_calculated"] == "0x0000"


class VsdLab(unittest.TestCase):
    """One lab for every case; each case starts vsd with its own configuration."""

    udp_rounds = 0

    @classmethod
    def setUpClass(cls):
        cls.lab = lab.Lab().__enter__()
        cls.lab.start_udp_responders(UDP_PORT)
        cls.vsd = None
        cls.prepared = []

    @classmethod
    def tearDownClass(cls):
        cls.lab.down()
        assert not cls.lab.leftovers(), cls.lab.leftovers()

    def tearDown(self):
        if self.vsd is not None:
            self.lab.stop(self.vsd)
            self.vsd = None
        for namespace, vip, state_dir in self.prepared:
            self.lab.run(namespace, PATHS.realserver, "stop", "--vip", vip, "--state-dir", state_dir)
        self.prepared.clear()

    # ---- helpers ------------------------------------------------------------------------------
    def start_vsd(self, services, probe_url, dataplane_extra=""):
        conf = os.path.join(self.lab.workdir, f"vsd-{self.id().rsplit('.', 1)[-1]}.conf")
        with open(conf, "w") as out:
            out.write(dataplane_block(extra=dataplane_extra) + "".join(services))
        self.vsd = self.lab.spawn(self.lab.director, PATHS.vsd, "-f", conf, "-n", "-l",
                                  log_name=os.path.basename(conf) + ".log")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.assertIsNone(self.vsd.poll(), "vsd exited")
            if self.lab.curl(probe_url, timeout=1)[0] == 0:
                return
            time.sleep(0.2)
        self.fail(f"{probe_url} did not answer through vsd")

    def prepare_real_servers(self, vip, mode):
        for namespace in self.lab.real_servers:
            state_dir = tempfile.mkdtemp(dir=self.lab.workdir)
            self.lab.run(namespace, PATHS.realserver, "start", "--vip", vip, "--mode", mode,
                         "--decap", PATHS.decap, "--state-dir", state_dir)
            self.prepared.append((namespace, vip, state_dir))

    def count_tcp_answers(self, url):
        """REQUESTS new connections (Connection: close); the page names the server."""
        urls = [url] * REQUESTS
        code, body = self.lab.curl(urls[0], "-H", "Connection: close", *urls[1:], timeout=60)
        self.assertEqual(code, 0)
        return {name: body.split().count(name) for name in ("rs1", "rs2", "rs3")}

    def count_udp_answers(self, vip):
        """REQUESTS datagrams, each from a source port not used before in this lab: a new
        connection each (a reused ephemeral port would still match its earlier connection)."""
        family = "AF_INET6" if ":" in vip else "AF_INET"
        first_port = 20000 + REQUESTS * VsdLab.udp_rounds
        VsdLab.udp_rounds += 1
        result = self.lab.run(self.lab.client, sys.executable, "-c", f"""
import collections, socket
answers = collections.Counter()
for port in range({first_port}, {first_port + REQUESTS}):
    s = socket.socket(socket.{family}, socket.SOCK_DGRAM)
    s.settimeout(1)
    s.bind(("", port))
    s.sendto(b"who", ("{vip}", {UDP_PORT}))
    data, peer = s.recvfrom(100)
    assert peer[0] == "{vip}", peer
    answers[data.decode().strip()] += 1
    s.close()
print(" ".join(f"{{k}}={{v}}" for k, v in sorted(answers.items())))
""", timeout=60)
        return dict(pair.split("=") for pair in result.stdout.split())

    def assert_round_robin(self, counts):
        self.assertEqual({k: int(v) for k, v in counts.items()}, {"rs1": 100, "rs2": 100, "rs3": 100})

    # ---- scenarios ----------------------------------------------------------------------------
    @staticmethod
    def reals4():
        return [lab.real_server_address4(i) for i in range(1, 4)]

    def forward_by(self, kind, dataplane_extra=""):
        """Start vsd with TCP 80 and UDP 9000 forwarded by kind; check what every method promises
        and return the rows tshark saw meanwhile on the director's wire to the real servers: at
        the switch port facing lan0 (vsd sends with PACKET_QDISC_BYPASS, which a capture on
        lan0 itself does not see)."""
        url = f"http://{lab.VIP4}/"
        self.start_vsd([virtual_server(lab.VIP4, 80, kind, "TCP", self.reals4()),
                        virtual_server(lab.VIP4, UDP_PORT, kind, "UDP", self.reals4())], url,
                       dataplane_extra=dataplane_extra)
        with Capture(self.lab, self.lab.client, "eth0", ["ip.src"]) as client_view, \
                Capture(self.lab, self.lab.switch, "pdir", WIRE_FIELDS,
                        options=Capture.CHECKSUMS) as wire:
            self.assert_round_robin(self.count_tcp_answers(url))
            self.assert_round_robin(self.count_udp_answers(lab.VIP4))
        self.assertEqual({row["ip.src"] for row in client_view.rows} - {lab.CLIENT4}, {lab.VIP4})
        self.assertGreater(len(wire.rows), 2 * REQUESTS)
        for field in ("ip.checksum.status", "tcp.checksum.status", "udp.checksum.status"):
            wrong = [row for row in wire.rows if set(row[field].split(",")) - {"", "1"}
                     and not negative_zero_tcp_checksum(row)]
            self.assertEqual(wrong[:5], [], f"{len(wrong)} packets whose {field} is not 1 (good)")

        download = self.lab.spawn(self.lab.client, "curl", "-s", "-m", "20", f"{url}big",
                                  stdout=subprocess.PIPE)
        time.sleep(0.3)
        self.count_tcp_answers(url)  # other connections move on meanwhile
        body, _ = download.communicate(timeout=20)
        self.assertEqual(len(body), 4 << 20)
        self.assertEqual(len(set(body.split())), 1, set(body.split()))  # all from one server
        return wire.rows

    def to_real_servers(self, rows):
        return [row for row in rows if row["ip.dst"].split(",")[0] in self.reals4()]

    def test_nat_rewrites_the_destination_and_the_reply_source(self):
        rows = self.to_real_servers(self.forward_by("NAT"))
        self.assertEqual({row["ip.src"] for row in rows}, {lab.CLIENT4})
        self.assertEqual({row["ip.dst"] for row in rows}, set(self.reals4()))

    def test_dr_rewrites_only_the_mac_and_replies_bypass_the_director(self):
        self.prepare_real_servers(lab.VIP4, "dr")
        rows = self.forward_by("DR")
        requests = [row for row in rows if row["ip.dst"] == lab.VIP4]
        self.assertEqual({row["ip.src"] for row in requests}, {lab.CLIENT4})
        self.assertEqual({row["eth.dst"] for row in requests}, {lab.mac(2, 11), lab.mac(2, 12),
                                                                  lab.mac(2, 13)})
        self.assertEqual(self.to_real_servers(rows), [])

    def test_tun_encapsulates_in_ipip_from_the_director(self):
        self.prepare_real_servers(lab.VIP4, "tun")
        rows = self.to_real_servers(self.forward_by("TUN"))
        # Outer header: the director's address to the real server, protocol 4; inner: unchanged.
        self.assertEqual({row["ip.proto"].split(",")[0] for row in rows}, {"4"})
        self.assertEqual({row["ip.src"] for row in rows}, {f"{lab.DIRECTOR_LAN4},{lab.CLIENT4}"})
        self.assertEqual({row["ip.dst"] for row in rows},
                         {f"{real},{lab.VIP4}" for real in self.reals4()})
        self.assertEqual({row["ip.proto"] for row in rows}, {"4,6", "4,17"})

    def test_fullnat_the_real_server_never_sees_the_client(self):
        rows = self.to_real_servers(self.forward_by(
            "FNAT", dataplane_extra=f"    fullnat_local_address {FULLNAT_LOCAL_ADDRESS}\n"))
        self.assertEqual({row["ip.src"] for row in rows}, {FULLNAT_LOCAL_ADDRESS})
        code, seen = self.lab.curl(f"http://{lab.VIP4}/whoami")
        self.assertEqual((code, seen.strip()), (0, FULLNAT_LOCAL_ADDRESS))

    def test_health_check_takes_a_dead_server_out_and_back(self):
        """keepalived's job, done by vsd (issue 5): when nginx stops on a real server, TCP_CHECK
        takes the server out of the pool within delay_loop + connect_timeout and no new
        connection reaches it afterwards; when nginx is back, so is the server."""
        checked = "".join(f"""    real_server {address} 80 {{
        weight 1
        TCP_CHECK {{
            connect_timeout 1
            retry 0
        }}
    }}
""" for address in self.reals4())
        self.start_vsd([f"""virtual_server {lab.VIP4} 80 {{
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
{checked}}}
"""], f"http://{lab.VIP4}/")
        url = f"http://{lab.VIP4}/"

        def answers(n):
            """n new connections: (how many answered, answers per server)."""
            code, body = self.lab.curl(url, "-H", "Connection: close", *([url] * (n - 1)),
                                       timeout=20)
            names = body.split()
            return len(names), {name: names.count(name) for name in ("rs1", "rs2", "rs3")}

        self.assertEqual(answers(30), (30, {"rs1": 10, "rs2": 10, "rs3": 10}))
        self.lab.stop(self.lab.nginx_process(2))
        stopped = time.monotonic()
        # delay_loop 1 + connect_timeout 1, and a margin for a loaded machine.
        while answers(30) != (30, {"rs1": 15, "rs2": 0, "rs3": 15}):
            self.assertLess(time.monotonic() - stopped, 8, "rs2 still in the pool")
            time.sleep(0.5)
        for _ in range(3):  # and it stays out
            self.assertEqual(answers(30), (30, {"rs1": 15, "rs2": 0, "rs3": 15}))
        self.lab.restart_nginx(2)
        restarted = time.monotonic()
        while answers(30)[1]["rs2"] == 0:
            self.assertLess(time.monotonic() - restarted, 8, "rs2 did not come back")
            time.sleep(0.5)
        self.assertEqual(answers(30), (30, {"rs1": 10, "rs2": 10, "rs3": 10}))

    def test_dr_ipv6_tcp_round_robin(self):
        self.prepare_real_servers(lab.VIP6, "dr")
        reals6 = [lab.real_server_address6(i) for i in range(1, 4)]
        self.start_vsd([virtual_server(lab.VIP6, 80, "DR", "TCP", reals6)], f"http://[{lab.VIP6}]/")
        self.assert_round_robin(self.count_tcp_answers(f"http://[{lab.VIP6}]/"))


if __name__ == "__main__":
    PATHS = scenario.parse_paths(__doc__, "vsd", "decap", "realserver")
    reason = lab.missing_requirements(["ip", "bridge", "ethtool", "nginx", "curl", "tshark"])
    if reason:
        scenario.skip(reason)
    reason = dataplane_missing(PATHS.vsd)
    if reason:
        scenario.skip(reason)
    scenario.run([VsdLab], time_limit_seconds=260, only=PATHS.only)
