#!/usr/bin/python3
"""vsd's data plane in the LVS lab: NAT, DR, TUN and FULLNAT for TCP and UDP, and DR over IPv6.

What a user of IPVS checks, from net/netfilter/ipvs/ip_vs_rr.c (round robin: 300 new connections
to 3 equal servers give exactly 100 each), ip_vs_conn.c (a connection keeps its real server for
its whole life), ip_vs_xmit.c (NAT rewrites the reply source back to the VIP; DR and TUN replies
go from the real server straight to the client with the VIP as source) and the FULLNAT of DPVS
(the real server sees a director's local address, never the client).

vsd runs in the director namespace as `vsd -f <generated conf> -n -l` with a `dataplane { }`
block (backend afpacket, one worker, interfaces cli0 and lan0, a FULLNAT local address). Until vsd accepts that
block (`vsd -t` warns "unknown keyword 'dataplane'"), this scenario reports itself skipped with
the reason, and it starts running by itself once the data plane lands.
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

    def sources_seen_by_client(self, action):
        """Source addresses tshark on the client sees during action(). tshark prints each packet as
        it arrives (-l): a SIGINT would drop the ring block still being filled."""
        log = os.path.join(self.lab.workdir, f"client-{time.monotonic_ns()}.log")
        with open(log + ".err", "w") as errors:
            tshark = self.lab.spawn(self.lab.client, "tshark", "-n", "-l", "-i", "eth0", "-f",
                                    "tcp or udp", "-a", "duration:60", "-T", "fields", "-e", "ip.src",
                                    "-e", "ipv6.src", log_name=os.path.basename(log), stderr=errors)
        deadline = time.monotonic() + 10
        while "Capturing on" not in open(log + ".err").read() and time.monotonic() < deadline:
            time.sleep(0.05)
        action()
        size, deadline = -1, time.monotonic() + 5
        while size != os.path.getsize(log) and time.monotonic() < deadline:  # until tshark is idle
            size = os.path.getsize(log)
            time.sleep(0.5)
        self.lab.stop(tshark)
        rows = open(log, errors="replace").read().splitlines()
        return {s for line in rows for s in line.split("\t") if s} - {lab.CLIENT4, lab.CLIENT6}

    # ---- scenarios ----------------------------------------------------------------------------
    @staticmethod
    def reals4():
        return [lab.real_server_address4(i) for i in range(1, 4)]

    def test_nat_tcp_round_robin_and_the_client_sees_only_the_vip(self):
        self.start_vsd([virtual_server(lab.VIP4, 80, "NAT", "TCP", self.reals4())],
                       f"http://{lab.VIP4}/")
        counts = {}
        sources = self.sources_seen_by_client(
            lambda: counts.update(self.count_tcp_answers(f"http://{lab.VIP4}/")))
        self.assert_round_robin(counts)
        self.assertEqual(sources, {lab.VIP4})

    def test_nat_udp_round_robin(self):
        self.start_vsd([virtual_server(lab.VIP4, UDP_PORT, "NAT", "UDP", self.reals4()),
                        virtual_server(lab.VIP4, 80, "NAT", "TCP", self.reals4())],
                       f"http://{lab.VIP4}/")
        self.assert_round_robin(self.count_udp_answers(lab.VIP4))

    def test_nat_long_download_keeps_its_real_server(self):
        self.start_vsd([virtual_server(lab.VIP4, 80, "NAT", "TCP", self.reals4())],
                       f"http://{lab.VIP4}/")
        download = self.lab.spawn(self.lab.client, "curl", "-s", "-m", "20", f"http://{lab.VIP4}/big",
                                  stdout=subprocess.PIPE)
        time.sleep(0.3)
        self.count_tcp_answers(f"http://{lab.VIP4}/")  # other connections move on meanwhile
        body, _ = download.communicate(timeout=20)
        names = set(body.split())
        self.assertEqual(len(body), 4 << 20)
        self.assertEqual(len(names), 1, names)  # every byte from the one server it started on

    def test_dr_tcp_and_udp_round_robin_replies_bypass_the_director(self):
        self.prepare_real_servers(lab.VIP4, "dr")
        self.start_vsd([virtual_server(lab.VIP4, 80, "DR", "TCP", self.reals4()),
                        virtual_server(lab.VIP4, UDP_PORT, "DR", "UDP", self.reals4())],
                       f"http://{lab.VIP4}/")
        self.assert_round_robin(self.count_tcp_answers(f"http://{lab.VIP4}/"))
        self.assert_round_robin(self.count_udp_answers(lab.VIP4))

    def test_tun_tcp_and_udp_round_robin(self):
        self.prepare_real_servers(lab.VIP4, "tun")
        self.start_vsd([virtual_server(lab.VIP4, 80, "TUN", "TCP", self.reals4()),
                        virtual_server(lab.VIP4, UDP_PORT, "TUN", "UDP", self.reals4())],
                       f"http://{lab.VIP4}/")
        sources = self.sources_seen_by_client(
            lambda: self.assert_round_robin(self.count_tcp_answers(f"http://{lab.VIP4}/")))
        self.assertEqual(sources, {lab.VIP4})
        self.assert_round_robin(self.count_udp_answers(lab.VIP4))

    def test_fullnat_tcp_round_robin_and_the_real_server_never_sees_the_client(self):
        self.start_vsd([virtual_server(lab.VIP4, 80, "FNAT", "TCP", self.reals4())],
                       f"http://{lab.VIP4}/",
                       dataplane_extra=f"    fullnat_local_address {FULLNAT_LOCAL_ADDRESS}\n")
        self.assert_round_robin(self.count_tcp_answers(f"http://{lab.VIP4}/"))
        code, seen = self.lab.curl(f"http://{lab.VIP4}/whoami")
        self.assertEqual(code, 0)
        self.assertNotEqual(seen.strip(), lab.CLIENT4)
        self.assertEqual(seen.strip(), FULLNAT_LOCAL_ADDRESS)

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
    scenario.run([VsdLab], time_limit_seconds=200)
