// XDP program of the afxdp backend: sends to vsd's AF_XDP sockets exactly the frames vsd
// handles and passes everything else to the kernel (a frame given to an AF_XDP socket cannot be
// handed back). Steered: TCP/UDP to a virtual service (exact port, or port 0 = every port),
// IPv4 later fragments to a VIP, NAT replies (from a real server's address:port to anyone but
// the director), everything to a FULLNAT local address, ICMP errors to a VIP or from a NAT real
// server, and ARP requests / neighbour solicitations for a FULLNAT local address (vsd answers
// them). The maps are filled
// by vsd's control thread from each published snapshot (src/dataplane/afxdp_port.cc).
// Built with clang -target bpf (src/bpf/CMakeLists.txt).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct service4 {
  __u32 address; /* network order */
  __u16 port;    /* network order; 0: every port */
  __u8 protocol;
  __u8 pad;
};

struct service6 {
  __u8 address[16];
  __u16 port;
  __u8 protocol;
  __u8 pad;
};

/* One XSKMAP for every interface the program is attached to: the socket of (interface slot s,
   receive queue q) is at s * 64 + q; `interfaces` gives the slot of a kernel ifindex. */
#define QUEUES_PER_INTERFACE 64
struct {
  __uint(type, BPF_MAP_TYPE_XSKMAP);
  __uint(max_entries, 16 * QUEUES_PER_INTERFACE);
  __type(key, __u32);
  __type(value, __u32);
} xsks SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16);
  __type(key, __u32);
  __type(value, __u32);
} interfaces SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, struct service4);
  __type(value, __u8);
} services4 SEC(".maps");  /* virtual services; NAT real servers as (address, port) sources */

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, struct service6);
  __type(value, __u8);
} services6 SEC(".maps");

/* Address sets (value: a kind bit). IPv4 addresses stored in the first four bytes. */
#define KIND_VIP 1
#define KIND_OWN 2
#define KIND_LOCAL 4
#define KIND_REPLY_SOURCE 16

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u8[16]);
  __type(value, __u8);
} addresses SEC(".maps");

/* services4/6 value bits */
#define SERVICE 1
#define REPLY 2

static __always_inline __u8 kind_of4(__u32 address) {
  __u8 key[16] = {};
  __builtin_memcpy(key, &address, 4);
  __u8* kind = bpf_map_lookup_elem(&addresses, key);
  return kind ? *kind : 0;
}

static __always_inline __u8 kind_of6(const __u8* address) {
  __u8 key[16];
  __builtin_memcpy(key, address, 16);
  __u8* kind = bpf_map_lookup_elem(&addresses, key);
  return kind ? *kind : 0;
}

static __always_inline int is_icmp_error4(__u8 type) {
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static __always_inline int steer(struct xdp_md* ctx) {
  __u32 ifindex = ctx->ingress_ifindex;
  __u32* slot = bpf_map_lookup_elem(&interfaces, &ifindex);
  if (!slot || ctx->rx_queue_index >= QUEUES_PER_INTERFACE) return XDP_PASS;
  return bpf_redirect_map(&xsks, *slot * QUEUES_PER_INTERFACE + ctx->rx_queue_index, XDP_PASS);
}

struct arp_body {
  __be16 hardware;
  __be16 protocol;
  __u8 hardware_length;
  __u8 protocol_length;
  __be16 operation;
  __u8 sender_mac[6];
  __u8 sender_ip[4];
  __u8 target_mac[6];
  __u8 target_ip[4];
} __attribute__((packed));

SEC("xdp")
int vsd_steer(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > end) return XDP_PASS;
  __u16 type = eth->h_proto;
  void* l3 = eth + 1;
  if (type == bpf_htons(0x8100) || type == bpf_htons(0x88a8)) {
    if (l3 + 4 > end) return XDP_PASS;
    type = *(__be16*)(l3 + 2);
    l3 += 4;
  }
  if (type == bpf_htons(ETH_P_ARP)) {
    struct arp_body* arp = l3;
    if ((void*)(arp + 1) > end) return XDP_PASS;
    if (arp->operation != bpf_htons(1)) return XDP_PASS;
    __u32 target;
    __builtin_memcpy(&target, arp->target_ip, 4);
    return (kind_of4(target) & KIND_LOCAL) ? steer(ctx) : XDP_PASS;
  }
  if (type == bpf_htons(ETH_P_IP)) {
    struct iphdr* ip = l3;
    if ((void*)(ip + 1) > end || ip->ihl < 5) return XDP_PASS;
    const __u8 to = kind_of4(ip->daddr);
    if (to & KIND_LOCAL) return steer(ctx);
    void* l4 = l3 + ip->ihl * 4;
    if (ip->frag_off & bpf_htons(0x1fff)) return (to & KIND_VIP) ? steer(ctx) : XDP_PASS;
    if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP || ip->protocol == 132) {
      __be16* ports = l4;
      if ((void*)(ports + 2) > end) return XDP_PASS;
      struct service4 key = {ip->daddr, ports[1], ip->protocol, 0};
      __u8* v = bpf_map_lookup_elem(&services4, &key);
      if (v && (*v & SERVICE)) return steer(ctx);
      key.port = 0;
      v = bpf_map_lookup_elem(&services4, &key);
      if (v && (*v & SERVICE)) return steer(ctx);
      if (to & KIND_OWN) return XDP_PASS;  /* health checks and the director's own traffic */
      struct service4 from = {ip->saddr, ports[0], ip->protocol, 0};
      v = bpf_map_lookup_elem(&services4, &from);
      return (v && (*v & REPLY)) ? steer(ctx) : XDP_PASS;
    }
    if (ip->protocol == IPPROTO_ICMP) {
      __u8* icmp_type = l4;
      if ((void*)(icmp_type + 1) > end || !is_icmp_error4(*icmp_type)) return XDP_PASS;
      if (to & KIND_VIP) return steer(ctx);
      if (!(to & KIND_OWN) && (kind_of4(ip->saddr) & KIND_REPLY_SOURCE)) return steer(ctx);
    }
    return XDP_PASS;
  }
  if (type == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr* ip6 = l3;
    if ((void*)(ip6 + 1) > end) return XDP_PASS;
    const __u8 to = kind_of6(ip6->daddr.s6_addr);
    if (to & KIND_LOCAL) return steer(ctx);
    void* l4 = ip6 + 1;
    const __u8 next = ip6->nexthdr;
    if (next == IPPROTO_TCP || next == IPPROTO_UDP || next == 132) {
      __be16* ports = l4;
      if ((void*)(ports + 2) > end) return XDP_PASS;
      struct service6 key = {};
      __builtin_memcpy(key.address, ip6->daddr.s6_addr, 16);
      key.port = ports[1];
      key.protocol = next;
      __u8* v = bpf_map_lookup_elem(&services6, &key);
      if (v && (*v & SERVICE)) return steer(ctx);
      key.port = 0;
      v = bpf_map_lookup_elem(&services6, &key);
      if (v && (*v & SERVICE)) return steer(ctx);
      if (to & KIND_OWN) return XDP_PASS;
      __builtin_memcpy(key.address, ip6->saddr.s6_addr, 16);
      key.port = ports[0];
      v = bpf_map_lookup_elem(&services6, &key);
      return (v && (*v & REPLY)) ? steer(ctx) : XDP_PASS;
    }
    if (next == IPPROTO_FRAGMENT) return (to & KIND_VIP) ? steer(ctx) : XDP_PASS;
    if (next == 58 /* ICMPv6 */) {
      __u8* icmp_type = l4;
      if ((void*)(icmp_type + 1) > end) return XDP_PASS;
      if (*icmp_type == 135) {  /* neighbour solicitation: vsd answers for its local addresses */
        __u8* target = l4 + 8;
        if ((void*)(target + 16) > end) return XDP_PASS;
        return (kind_of6(target) & KIND_LOCAL) ? steer(ctx) : XDP_PASS;
      }
      if (*icmp_type >= 128) return XDP_PASS;
      if (to & KIND_VIP) return steer(ctx);
      if (!(to & KIND_OWN) && (kind_of6(ip6->saddr.s6_addr) & KIND_REPLY_SOURCE))
        return steer(ctx);
    }
    return XDP_PASS;
  }
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
