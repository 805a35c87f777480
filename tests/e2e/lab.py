"""The LVS documents' lab in network namespaces, for end-to-end tests and the lab benchmark.

    client ns            director ns                switch ns             rs1..rs3 ns
    eth0 ---------- cli0 (forwarding) lan0 ---------- pdir  br0  prs1 -------- eth0 (+ nginx)
    198.51.100.2    198.51.100.1      192.0.2.1              prs2 -------- eth0 192.0.2.12
    2001:db8:c::2   2001:db8:c::1     2001:db8:1::1          prs3 -------- eth0 192.0.2.13

Addresses come from the documentation ranges (RFC 5737, RFC 3849) and exist only inside the
namespaces this module creates, so test traffic never leaves them. The real servers route back
through the director (what NAT needs); the VIPs (203.0.113.10, 2001:db8:ff::10) are routed to the
director by the client's default route.

The traps of lab-notes.md handled here: static FDB entries on every bridge port (1), bridged frames
kept out of netfilter (2), tx checksumming, TSO and GSO off on the senders into the director (3, 4).

Everything is removed by PID and by the names this run created, also when a test fails: use the
Lab as a context manager. A lab left behind by a killed run (its owner PID is gone) is removed by
the next Lab before it starts.
"""

import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CLIENT4, CLIENT6 = "198.51.100.2", "2001:db8:c::2"
DIRECTOR_CLIENT_SIDE4, DIRECTOR_CLIENT_SIDE6 = "198.51.100.1", "2001:db8:c::1"
DIRECTOR_LAN4, DIRECTOR_LAN6 = "192.0.2.1", "2001:db8:1::1"
VIP4, VIP6 = "203.0.113.10", "2001:db8:ff::10"
NAMESPACE_PREFIX = "vsdlab"

SKIP_EXIT_CODE = 77

# Answers each datagram with the server's name, from the address it was sent to (the VIP under
# DR/TUN: IP_PKTINFO / IPV6_PKTINFO), on IPv4 and IPv6; runs until stopped by PID.
UDP_RESPONDER = """
import select, socket, struct, sys
IP_PKTINFO, IPV6_RECVPKTINFO, IPV6_PKTINFO = 8, 49, 50
name, port = sys.argv[1].encode(), int(sys.argv[2])
v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v4.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
v4.bind(("0.0.0.0", port))
v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
v6.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
v6.bind(("::", port))
while True:
    for s in select.select([v4, v6], [], [])[0]:
        data, ancillary, flags, peer = s.recvmsg(2048, 256)
        reply = []
        for level, kind, info in ancillary:
            if s is v4 and kind == IP_PKTINFO:
                reply = [(level, kind, struct.pack("=i4s4s", 0, info[8:12], b"\\0" * 4))]
            elif s is v6 and kind == IPV6_PKTINFO:
                reply = [(level, kind, info[:16] + struct.pack("=I", 0))]
        s.sendmsg([name + b"\\n"], reply, 0, peer)
"""  # ctest SKIP_RETURN_CODE of every e2e scenario


def real_server_address4(index):
    return f"192.0.2.{10 + index}"


def real_server_address6(index):
    return f"2001:db8:1::{10 + index}"


def mac(group, index):
    return f"02:76:73:64:{group:02x}:{index:02x}"


def missing_requirements(commands):
    """Why the lab cannot run here (not root, a command missing), or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        return "missing " + ", ".join(missing) + " (make deps installs them)"
    return None


def _run(argv, timeout=20, check=True, capture=True):
    result = subprocess.run(argv, timeout=timeout, check=False, text=True,
                            stdout=subprocess.PIPE if capture else None,
                            stderr=subprocess.PIPE if capture else None)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}: {result.stderr}")
    return result


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_pids(pids, grace=3.0):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_pid_alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _namespace_pids(namespace):
    result = _run(["ip", "netns", "pids", namespace], check=False)
    return [int(p) for p in result.stdout.split()] if result.returncode == 0 else []


def _remove_namespace(namespace):
    _kill_pids(_namespace_pids(namespace))
    _run(["ip", "netns", "del", namespace], check=False)


def remove_abandoned_labs():
    """Labs whose owner process is gone (a run killed before its teardown)."""
    names = _run(["ip", "netns", "list"], check=False).stdout.split("\n")
    for line in names:
        match = re.match(rf"({NAMESPACE_PREFIX}(\d+)-\S+)", line)
        if match and not _pid_alive(int(match.group(2))):
            _remove_namespace(match.group(1))


class Lab:
    """client -- director -- bridge -- rs1..rsN, with nginx on every real server."""

    def __init__(self, real_servers=3, nginx=True, nginx_rate_limit="2m"):
        self.real_server_count = real_servers
        self.with_nginx = nginx
        self.nginx_rate_limit = nginx_rate_limit
        prefix = f"{NAMESPACE_PREFIX}{os.getpid()}"
        self.client = f"{prefix}-cli"
        self.director = f"{prefix}-dir"
        self.switch = f"{prefix}-sw"
        self.real_servers = [f"{prefix}-rs{i}" for i in range(1, real_servers + 1)]
        self.namespaces = []
        self.processes = []
        self.workdir = None
        self._previous_sigterm = None

    # ---- lifecycle -------------------------------------------------------------------------
    def __enter__(self):
        self._previous_sigterm = signal.signal(signal.SIGTERM, self._terminated)
        atexit.register(self.down)
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, *exc):
        self.down()
        return False

    def _terminated(self, signum, frame):
        raise SystemExit(f"signal {signum}: lab torn down")

    def up(self):
        remove_abandoned_labs()
        self.workdir = tempfile.mkdtemp(prefix="vsd-lab-")
        os.chmod(self.workdir, 0o755)
        for namespace in [self.client, self.director, self.switch, *self.real_servers]:
            _run(["ip", "netns", "add", namespace])
            self.namespaces.append(namespace)
            self.ip(namespace, "link", "set", "lo", "up")
        self._wire()
        self._address()
        self._tune()
        if self.with_nginx:
            for index in range(1, self.real_server_count + 1):
                self._start_nginx(index)

    def down(self):
        """Idempotent: processes by PID, then the namespaces (their links go with them)."""
        _kill_pids([p.pid for p in self.processes if p.poll() is None])
        for process in self.processes:
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self.processes.clear()
        for namespace in reversed(self.namespaces):
            _remove_namespace(namespace)
        self.namespaces.clear()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None

    def leftovers(self):
        """Namespaces of this lab that still exist: empty after down()."""
        listed = _run(["ip", "netns", "list"], check=False).stdout
        return [n for n in [self.client, self.director, self.switch, *self.real_servers]
                if re.search(rf"^{re.escape(n)}(\s|$)", listed, re.M)]

    # ---- commands in namespaces ---------------------------------------------------------------
    def ip(self, namespace, *args):
        return _run(["ip", "-n", namespace, *args])

    def run(self, namespace, *argv, timeout=20, check=True):
        return _run(["ip", "netns", "exec", namespace, *argv], timeout=timeout, check=check)

    def spawn(self, namespace, *argv, log_name=None, **popen_args):
        """A process in the namespace that down() stops by its PID (ip netns exec execs it)."""
        if log_name:
            log = open(os.path.join(self.workdir, log_name), "w")
            popen_args.setdefault("stdout", log)
            popen_args.setdefault("stderr", subprocess.STDOUT)
        process = subprocess.Popen(["ip", "netns", "exec", namespace, *argv],
                                   stdin=subprocess.DEVNULL, **popen_args)
        self.processes.append(process)
        return process

    def stop(self, process, grace=3.0):
        if process.poll() is None:
            _kill_pids([process.pid], grace)
        process.wait(timeout=grace)
        if process in self.processes:
            self.processes.remove(process)
        return process.returncode

    def sysctl(self, namespace, key, value):
        self.run(namespace, "sysctl", "-q", "-w", f"{key}={value}")

    def ip_counters(self, namespace, family=4):
        """/proc/net/snmp 'Ip:' (or snmp6 Ip6*) counters of the namespace, by name."""
        if family == 4:
            lines = [l.split() for l in self.run(namespace, "cat", "/proc/net/snmp").stdout.splitlines()
                     if l.startswith("Ip:")]
            return {k: int(v) for k, v in zip(lines[0][1:], lines[1][1:])}
        text = self.run(namespace, "cat", "/proc/net/snmp6").stdout
        return {k: int(v) for k, v in (l.split() for l in text.splitlines() if l.startswith("Ip6"))}

    def real_server_name(self, index):
        return f"rs{index}"

    # ---- topology ---------------------------------------------------------------------------
    def _veth(self, namespace, name, address, peer_namespace, peer_name, peer_address):
        self.ip(namespace, "link", "add", name, "address", address, "type", "veth",
                "peer", "name", peer_name, "address", peer_address, "netns", peer_namespace)
        self.ip(namespace, "link", "set", name, "up")
        self.ip(peer_namespace, "link", "set", peer_name, "up")

    def _wire(self):
        self._veth(self.client, "eth0", mac(1, 2), self.director, "cli0", mac(1, 1))
        self.ip(self.switch, "link", "add", "br0", "type", "bridge")
        self.ip(self.switch, "link", "set", "br0", "up")
        self._veth(self.director, "lan0", mac(2, 1), self.switch, "pdir", mac(3, 1))
        ports = {"pdir": mac(2, 1)}
        for index, namespace in enumerate(self.real_servers, start=1):
            port = f"prs{index}"
            self._veth(namespace, "eth0", mac(2, 10 + index), self.switch, port, mac(3, 10 + index))
            ports[port] = mac(2, 10 + index)
        for port, far_end in ports.items():
            self.ip(self.switch, "link", "set", port, "master", "br0")
            # Trap 1: without a static entry a receive-only port ages out and the bridge floods.
            _run(["bridge", "-n", self.switch, "fdb", "replace", far_end, "dev", port,
                  "master", "static"])

    def _address(self):
        def add(namespace, device, address):
            self.ip(namespace, "addr", "add", address, "dev", device, *(["nodad"] if ":" in address else []))

        add(self.client, "eth0", f"{CLIENT4}/24")
        add(self.client, "eth0", f"{CLIENT6}/64")
        add(self.director, "cli0", f"{DIRECTOR_CLIENT_SIDE4}/24")
        add(self.director, "cli0", f"{DIRECTOR_CLIENT_SIDE6}/64")
        add(self.director, "lan0", f"{DIRECTOR_LAN4}/24")
        add(self.director, "lan0", f"{DIRECTOR_LAN6}/64")
        self.ip(self.client, "route", "add", "default", "via", DIRECTOR_CLIENT_SIDE4)
        self.ip(self.client, "-6", "route", "add", "default", "via", DIRECTOR_CLIENT_SIDE6)
        for index, namespace in enumerate(self.real_servers, start=1):
            add(namespace, "eth0", f"{real_server_address4(index)}/24")
            add(namespace, "eth0", f"{real_server_address6(index)}/64")
            # NAT replies must come back through the director.
            self.ip(namespace, "route", "add", "default", "via", DIRECTOR_LAN4)
            self.ip(namespace, "-6", "route", "add", "default", "via", DIRECTOR_LAN6)

    def _tune(self):
        # Trap 2: br_netfilter is built in and on by default in every new namespace.
        for family in ("iptables", "ip6tables", "arptables"):
            self.sysctl(self.switch, f"net.bridge.bridge-nf-call-{family}", 0)
        self.sysctl(self.director, "net.ipv4.ip_forward", 1)
        self.sysctl(self.director, "net.ipv6.conf.all.forwarding", 1)
        # Traps 3 and 4: the senders into the director hand over complete, wire-sized frames.
        for namespace in [self.client, *self.real_servers]:
            self.run(namespace, "ethtool", "-K", "eth0", "tx", "off", "tso", "off", "gso", "off")
            # Trap 11: many short connections from one namespace.
            self.sysctl(namespace, "net.ipv4.tcp_tw_reuse", 1)
            self.sysctl(namespace, "net.ipv4.ip_local_port_range", "10000 65000")

    # ---- nginx ------------------------------------------------------------------------------
    def _start_nginx(self, index):
        name = self.real_server_name(index)
        root = os.path.join(self.workdir, name)
        os.makedirs(os.path.join(root, "html"))
        with open(os.path.join(root, "html", "big"), "wb") as big:
            big.write(f"{name}\n".encode() * (1 << 20))  # 4 MiB naming its server throughout
        os.chmod(root, 0o755)
        conf = os.path.join(root, "nginx.conf")
        with open(conf, "w") as out:
            out.write(f"""user www-data;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    keepalive_requests 1000000;
    server {{
        listen 80 default_server;
        listen [::]:80 default_server;
        root {root}/html;
        location = / {{ default_type text/plain; return 200 "{name}\\n"; }}
        location = /whoami {{ default_type text/plain; return 200 "$remote_addr\\n"; }}
        location = /big {{ limit_rate {self.nginx_rate_limit}; }}
    }}
}}
""")
        self._run_nginx(index)

    def _run_nginx(self, index, log_suffix=""):
        """Starts nginx on real server `index` from the configuration _start_nginx wrote and
        waits until it answers."""
        name = self.real_server_name(index)
        root = os.path.join(self.workdir, name)
        namespace = self.real_servers[index - 1]
        self.spawn(namespace, "nginx", "-p", root, "-c", os.path.join(root, "nginx.conf"), "-g",
                   "daemon off;", log_name=f"{name}-nginx{log_suffix}.log")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = self.run(namespace, "curl", "-s", "-m", "1", "http://127.0.0.1/", check=False)
            if probe.stdout.strip() == name:
                return
            time.sleep(0.1)
        raise RuntimeError(f"nginx on {name} did not answer: "
                           + open(os.path.join(self.workdir, f"{name}-nginx{log_suffix}.log")).read())

    def nginx_process(self, index):
        """The running nginx of real server `index` (to stop it by its PID), or None."""
        root = os.path.join(self.workdir, self.real_server_name(index))
        for process in self.processes:
            if (isinstance(process.args, list) and "nginx" in process.args and root in process.args
                    and process.poll() is None):
                return process
        return None

    def restart_nginx(self, index):
        """Starts real server `index`'s nginx again after a test stopped it."""
        self._run_nginx(index, log_suffix="-again")

    def start_udp_responders(self, port=9000):
        """On every real server, a UDP server answering each datagram with its name."""
        for index, namespace in enumerate(self.real_servers, start=1):
            self.spawn(namespace, sys.executable, "-c", UDP_RESPONDER, self.real_server_name(index),
                       str(port), log_name=f"rs{index}-udp.log")
        time.sleep(0.5)

    def curl(self, url, *extra, timeout=5):
        """curl from the client namespace: (exit code, body)."""
        result = self.run(self.client, "curl", "-s", "-g", "-m", str(timeout), *extra, url,
                          timeout=timeout + 5, check=False)
        return result.returncode, result.stdout
