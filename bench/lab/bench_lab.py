#!/usr/bin/python3
"""Lab benchmark (make bench-lab): what the director delivers to the real servers, per path.

    bench_lab.py --build-dir build [--path kernel-forward --path nft-dnat ...] [--packets N]

Paths through the director namespace of tests/e2e/lab.py:
  kernel-forward   plain IP forwarding, the client sending straight to the real addresses
  nft-dnat         nftables DNAT `numgen inc mod 3` to the three real servers (kube-proxy style)
  vsd-<io>-<kind>  build/src/daemon/vsd -f <generated conf> in the director namespace, io afpacket
                   or afxdp, kind dr or nat; "not available yet" while vsd has no data plane
Measurements, each bounded in packets and seconds:
  udp established  64-byte UDP frames over 64 flows (trafgen, pinned to CPU 0), delivered packets
                   counted at the real servers' IP layer (/proc/net/snmp InReceives, trap 1) and
                   dropped right there by an nftables rule (no ICMP port unreachable per packet)
  udp new flow     the same with a new 5-tuple per packet (conntrack / connection-table churn)
  tcp conn/s       wrk -t1 -c64, Connection: close, to nginx; and requests/s with keep-alive
Absolute figures drift with the machine's load: compare rows of one run (lab-notes.md).
"""

import argparse
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "e2e"))
import lab  # noqa: E402
from vsd_dataplane_test import dataplane_block, dataplane_missing, virtual_server  # noqa: E402

UDP_PORT = 9000
GENERATOR_SECONDS = 15
WRK_SECONDS = 3


def trafgen_config(destination, new_flow_per_packet):
    # dinc over 64511 source ports and 16 source addresses: periods 64511 and 16 are coprime, so
    # about a million packets pass before a 5-tuple repeats.
    source = ("198.51.100.16, sa[3]=dinc(16, 31)" if new_flow_per_packet else lab.CLIENT4)
    ports = "dinc(1024, 65534)" if new_flow_per_packet else "dinc(1024, 1087)"
    packets = []
    for address in destination:
        packets.append(f"""{{
  eth(da={lab.mac(1, 1)}, sa={lab.mac(1, 2)}, type=0x0800),
  ipv4(sa={source}, da={address}, ttl=64),
  udp(sp={ports}, dp={UDP_PORT}),
  fill(0x00, 18)
}}""")
    return "\n".join(packets)


class KernelForward:
    name = "kernel-forward"

    def unavailable(self, args):
        return None

    def start(self, the_lab):
        pass

    def stop(self, the_lab):
        pass

    def udp_destinations(self):
        return [lab.real_server_address4(i) for i in range(1, 4)]

    def http_url(self):
        return f"http://{lab.real_server_address4(1)}/"


class NftDnat(KernelForward):
    name = "nft-dnat"

    def start(self, the_lab):
        reals = ", ".join(f"{i - 1} : {lab.real_server_address4(i)}" for i in range(1, 4))
        rules = f"""table ip vsdbench {{
  chain prerouting {{
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr {lab.VIP4} udp dport {UDP_PORT} dnat to numgen inc mod 3 map {{ {reals} }}
    ip daddr {lab.VIP4} tcp dport 80 dnat to numgen inc mod 3 map {{ {reals} }}
  }}
}}
"""
        with tempfile.NamedTemporaryFile("w", suffix=".nft", dir=the_lab.workdir, delete=False) as f:
            f.write(rules)
        the_lab.run(the_lab.director, "nft", "-f", f.name)

    def stop(self, the_lab):
        the_lab.run(the_lab.director, "nft", "delete", "table", "ip", "vsdbench", check=False)

    def udp_destinations(self):
        return [lab.VIP4]

    def http_url(self):
        return f"http://{lab.VIP4}/"


class VsdPath(NftDnat):
    def __init__(self, io, kind):
        self.io, self.kind = io, kind
        self.name = f"vsd-{io}-{kind}"
        self.process = None
        self.prepared = []

    def unavailable(self, args):
        return dataplane_missing(args.vsd) and "not available yet: vsd has no data plane"

    def start(self, the_lab):
        reals = [lab.real_server_address4(i) for i in range(1, 4)]
        kind = {"dr": "DR", "nat": "NAT"}[self.kind]
        conf = os.path.join(the_lab.workdir, f"{self.name}.conf")
        with open(conf, "w") as out:
            out.write(dataplane_block(self.io)
                      + virtual_server(lab.VIP4, UDP_PORT, kind, "UDP", reals)
                      + virtual_server(lab.VIP4, 80, kind, "TCP", reals))
        if self.kind == "dr":
            for namespace in the_lab.real_servers:
                state = tempfile.mkdtemp(dir=the_lab.workdir)
                the_lab.run(namespace, self.realserver, "start", "--vip", lab.VIP4, "--mode", "dr",
                            "--state-dir", state)
                self.prepared.append((namespace, state))
        self.process = the_lab.spawn(the_lab.director, "taskset", "-c", "1", self.vsd, "-f", conf,
                                     "-n", "-l", log_name=f"{self.name}.log")
        deadline = time.monotonic() + 10
        while the_lab.curl(self.http_url(), timeout=1)[0] != 0:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: vsd did not start forwarding")
            time.sleep(0.2)

    def stop(self, the_lab):
        if self.process:
            the_lab.stop(self.process)
            self.process = None
        for namespace, state in self.prepared:
            the_lab.run(namespace, self.realserver, "stop", "--vip", lab.VIP4, "--state-dir", state)
        self.prepared.clear()


def all_paths():
    paths = [KernelForward(), NftDnat()]
    paths += [VsdPath(io, kind) for io in ("afpacket", "afxdp") for kind in ("dr", "nat")]
    return {p.name: p for p in paths}


def delivered_udp_pps(the_lab, path, new_flow_per_packet, packets):
    config = os.path.join(the_lab.workdir, "trafgen.cfg")
    with open(config, "w") as out:
        out.write(trafgen_config(path.udp_destinations(), new_flow_per_packet))
    before = [the_lab.ip_counters(n)["InReceives"] for n in the_lab.real_servers]
    started = time.monotonic()
    the_lab.run(the_lab.client, "timeout", str(GENERATOR_SECONDS), "taskset", "-c", "0", "trafgen",
                "--dev", "eth0", "--conf", config, "-P", "1", "-n", str(packets), "-q",
                timeout=GENERATOR_SECONDS + 10, check=False)
    elapsed = time.monotonic() - started
    time.sleep(0.2)  # what is still queued in the lab arrives
    after = [the_lab.ip_counters(n)["InReceives"] for n in the_lab.real_servers]
    delivered = sum(after) - sum(before)
    return delivered / elapsed, delivered, packets


def sink_udp_at_the_real_servers(the_lab):
    """Drop the benchmark's datagrams at each real server's prerouting hook, after the IP layer
    has counted them (InReceives) and before routing: a closed port would make every real server
    route and build an ICMP port unreachable per packet (a quarter of the CPU in a profile), on
    whichever CPU transmitted into the veth, which measures the lab instead of the director."""
    rules = f"""table ip vsdbench_sink {{
  chain prerouting {{
    type filter hook prerouting priority raw; policy accept;
    udp dport {UDP_PORT} drop
  }}
}}
"""
    path = os.path.join(the_lab.workdir, "sink.nft")
    with open(path, "w") as out:
        out.write(rules)
    for namespace in the_lab.real_servers:
        the_lab.run(namespace, "nft", "-f", path)


def wrk_rate(the_lab, url, close):
    argv = ["wrk", "-t1", "-c64", f"-d{WRK_SECONDS}s", "--timeout", "2s", url]
    if close:
        argv[1:1] = ["-H", "Connection: close"]
    output = the_lab.run(the_lab.client, "taskset", "-c", "0", *argv, timeout=WRK_SECONDS + 15).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return float(match.group(1)) if match else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--path", action="append", choices=sorted(all_paths()))
    parser.add_argument("--packets", type=int, default=1_000_000)
    args = parser.parse_args()
    root = os.path.abspath(os.path.join(HERE, "..", ".."))
    args.vsd = os.path.join(root, args.build_dir, "src", "daemon", "vsd")
    reason = lab.missing_requirements(["ip", "bridge", "ethtool", "nginx", "trafgen", "wrk", "nft",
                                       "taskset"])
    if reason:
        print(f"bench-lab: {reason}")
        return 1
    paths = all_paths()
    for path in paths.values():
        path.vsd = args.vsd
        path.realserver = os.path.join(root, "src", "realserver", "vsd-realserver")
    chosen = [paths[name] for name in (args.path or paths)]

    rows = []
    with lab.Lab(nginx_rate_limit="0") as the_lab:
        sink_udp_at_the_real_servers(the_lab)
        for path in chosen:
            reason = path.unavailable(args) if os.path.exists(args.vsd) else "vsd not built"
            if reason:
                rows.append((path.name, reason))
                continue
            path.start(the_lab)
            try:
                established = delivered_udp_pps(the_lab, path, False, args.packets)
                churn = delivered_udp_pps(the_lab, path, True, args.packets)
                close = wrk_rate(the_lab, path.http_url(), close=True)
                keepalive = wrk_rate(the_lab, path.http_url(), close=False)
            finally:
                path.stop(the_lab)
            rows.append((path.name, established, churn, close, keepalive))
            print(f"  measured {path.name}", flush=True)

    print(f"\n{'path':<20} {'udp established pps':>20} {'udp new-flow pps':>17} "
          f"{'tcp conn/s':>11} {'keep-alive req/s':>17}")
    baseline = next((r for r in rows if len(r) == 5), None)
    for row in rows:
        if len(row) == 2:
            print(f"{row[0]:<20} {row[1]}")
            continue
        name, established, churn, close, keepalive = row
        print(f"{name:<20} {established[0]:>20,.0f} {churn[0]:>17,.0f} {close:>11,.0f} "
              f"{keepalive:>17,.0f}")
        for label, value in (("established", established), ("new flow", churn)):
            if value[1] < value[2] * 0.99:
                print(f"{'':<20} ({label}: {value[1]:,} of {value[2]:,} packets delivered)")
    if baseline:
        print(f"\nratios against {baseline[0]} (same run): " + ", ".join(
            f"{r[0]} {r[1][0] / baseline[1][0]:.2f}" for r in rows if len(r) == 5))
    print("generator on CPU 0; without threaded NAPI the director's forwarding runs on the "
          "sender's CPU (trap 8), so udp pps is the sender-limited delivery rate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
