#include "cli/listing_order.h"

#include <sys/socket.h>

#include <cstdint>

namespace vsd::cli {

namespace {

// C's `int r = (unsigned)a - (unsigned)b;` as libipvs writes it.
int wrapped_difference(uint32_t a, uint32_t b) {
  return static_cast<int>(static_cast<int32_t>(a - b));
}

uint32_t address_word(const IpAddress& address, unsigned index) {
  const auto& b = address.bytes();
  const unsigned i = index * 4;
  return (uint32_t{b[i]} << 24) | (uint32_t{b[i + 1]} << 16) | (uint32_t{b[i + 2]} << 8) |
         uint32_t{b[i + 3]};
}

// The family decides how many words take part (IPv4 addresses sit in the first word).
int compare_addresses(bool first_is_v6, const IpAddress& a, const IpAddress& b) {
  if (!first_is_v6) return wrapped_difference(address_word(a, 0), address_word(b, 0));
  int r = 0;
  for (unsigned i = 0; r == 0 && i < 4; ++i)
    r = wrapped_difference(address_word(a, i), address_word(b, i));
  return r;
}

int socket_family(AddressFamily family) {
  return family == AddressFamily::v6 ? AF_INET6 : AF_INET;
}

// glibc's msort_with_tmp: split at n/2, sort both halves, merge taking from the left run while
// compare(left, right) <= 0. Defined for any comparator, transitive or not.
template <class T, class Compare>
void merge_sort(std::span<T> items, std::span<T> scratch, Compare compare) {
  const size_t n = items.size();
  if (n <= 1) return;
  const size_t n1 = n / 2;
  merge_sort(items.first(n1), scratch, compare);
  merge_sort(items.subspan(n1), scratch, compare);
  size_t left = 0;
  size_t right = n1;
  size_t out = 0;
  while (left < n1 && right < n)
    scratch[out++] = compare(items[left], items[right]) <= 0 ? items[left++] : items[right++];
  while (left < n1) scratch[out++] = items[left++];
  for (size_t i = 0; i < out; ++i) items[i] = scratch[i];
}

template <class Row, class Compare>
std::vector<const Row*> sorted_pointers(std::span<const Row> rows, Compare compare) {
  std::vector<const Row*> order;
  order.reserve(rows.size());
  for (const Row& row : rows) order.push_back(&row);
  std::vector<const Row*> scratch(order.size());
  merge_sort(std::span<const Row*>(order), std::span<const Row*>(scratch), compare);
  return order;
}

}  // namespace

int ipvsadm_compare_services(const core::ServiceConfig& a, const core::ServiceConfig& b) {
  const core::ServiceKey& ka = a.key;
  const core::ServiceKey& kb = b.key;
  int r = wrapped_difference(ka.fwmark, kb.fwmark);
  if (r != 0) return r;
  r = socket_family(ka.family) - socket_family(kb.family);
  if (r != 0) return r;
  // A fwmark service has no protocol, address or port of its own; libipvs compares the zeros
  // (and the protocol ipvsadm -f stores, TCP, which ServiceKey::firewall_mark also uses).
  r = int{static_cast<uint8_t>(ka.protocol)} - int{static_cast<uint8_t>(kb.protocol)};
  if (r != 0) return r;
  r = compare_addresses(ka.family == AddressFamily::v6, ka.address, kb.address);
  if (r != 0) return r;
  return int{ka.port} - int{kb.port};
}

int ipvsadm_compare_destinations(const core::DestinationConfig& a,
                                 const core::DestinationConfig& b) {
  const int r = compare_addresses(a.address.is_v6(), a.address, b.address);
  if (r != 0) return r;
  return int{a.port} - int{b.port};
}

std::vector<const ServiceRow*> ipvsadm_service_order(std::span<const ServiceRow> services) {
  return sorted_pointers(services, [](const ServiceRow* a, const ServiceRow* b) {
    return ipvsadm_compare_services(a->config, b->config);
  });
}

std::vector<const DestinationRow*> ipvsadm_destination_order(
    std::span<const DestinationRow> destinations) {
  return sorted_pointers(destinations, [](const DestinationRow* a, const DestinationRow* b) {
    return ipvsadm_compare_destinations(a->config, b->config);
  });
}

}  // namespace vsd::cli
