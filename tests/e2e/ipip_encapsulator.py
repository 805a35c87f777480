#!/usr/bin/python3
"""A stand-in IPVS tunnelling director for the lab, made of scapy: every TCP packet for the VIP
seen on --listen is sent on, unchanged, inside an IPIP (RFC 2003) or IPv6-in-IPv6 (RFC 2473)
header to --real-server, as `ipvsadm -a ... -i` would. Bounded: it stops after --count packets or
--seconds, whichever comes first. Prints "ready" once it is capturing.
"""

import argparse
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, Raw, AsyncSniffer, conf  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    for flag in ("listen", "vip", "real-server", "source"):
        parser.add_argument(f"--{flag}", required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    six = ":" in args.vip
    outer = (IPv6(src=args.source, dst=args.real_server, nh=41) if six
             else IP(src=args.source, dst=args.real_server, proto=4))
    inner_type = IPv6 if six else IP
    sender = conf.L3socket6() if six else conf.L3socket()

    def forward(packet):
        sender.send(outer.copy() / Raw(bytes(packet[inner_type])))

    sniffer = AsyncSniffer(iface=args.listen, store=False, prn=forward, count=args.count,
                           timeout=args.seconds,
                           filter=f"{'ip6' if six else 'ip'} dst {args.vip} and tcp",
                           started_callback=lambda: print("ready", flush=True))
    sniffer.start()
    sniffer.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
