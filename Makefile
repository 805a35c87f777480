# Entry points for newcomers: `make demo`, `make test`, `make bench`. Each installs the Debian
# packages it needs (when missing), builds, and runs.
JOBS ?= $(shell nproc)
BUILD ?= build
BUILD_SAN ?= build-asan
DEBIAN_PACKAGES := cmake ninja-build g++ make pkg-config libgtest-dev libgmock-dev libbenchmark-dev \
	nlohmann-json3-dev keepalived libssl-dev nginx \
	iproute2 nftables curl wrk tshark python3-scapy netsniff-ng ethtool clang libbpf-dev libxdp-dev

.PHONY: deps build build-asan test bench bench-lab demo format clean install

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(BUILD_SAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVSD_SANITIZE=ON >/dev/null
	cmake --build $(BUILD_SAN) -j $(JOBS)

# Unit tests run under AddressSanitizer + UndefinedBehaviorSanitizer.
test: build-asan
	cd $(BUILD_SAN) && ctest --output-on-failure -j $(JOBS) --timeout 600

bench: build
	@for b in $(BUILD)/bench/vsd_bench_*; do echo "== $$b"; $$b --benchmark_min_time=0.2 || exit 1; done

# Packets/s and connections/s through the namespace lab (bench/lab/bench_lab.py): kernel
# forwarding, nftables DNAT and, once the data plane exists, vsd. Needs root.
bench-lab: build
	@[ "$$(id -u)" = 0 ] || { echo "bench-lab needs root (network namespaces)"; exit 1; }
	/usr/bin/python3 bench/lab/bench_lab.py --build-dir $(BUILD)

# Live (root): vsd directing the namespace lab (demo/lab_demo.py: health checks take a stopped
# nginx out and put it back, alert mails, traffic through the VIP when the data plane runs); then
# the offline core demo, which is also what runs without root.
demo: build
	@if [ "$$(id -u)" = 0 ]; then \
	  status=0; /usr/bin/python3 demo/lab_demo.py --build-dir $(BUILD) || status=$$?; \
	  [ $$status = 0 ] || [ $$status = 77 ] || exit $$status; \
	else echo "live demo skipped: it needs root (network namespaces); the offline core demo follows"; fi
	@echo; echo "=== offline core demo"
	$(BUILD)/demo/vsd-core-demo

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_SAN)

# Installs vsd, vsadm (and the ipvsadm link), the systemd unit and the manuals under PREFIX.
PREFIX ?= /usr
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)
