// vsd-genhash: keepalived's genhash. Fetches a URL from a real server and prints the MD5 digest
// of its body, the value HTTP_GET / SSL_GET compare with `digest`.
//   vsd-genhash -s SERVER -p PORT -u URL [-S] [-V VHOST] [-v]
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>

#include "health/http_message.h"
#include "health/socket.h"
#include "health/tls_session.h"

namespace {

int usage() {
  std::cerr << "usage: vsd-genhash -s server -p port -u url [-S] [-V virtualhost] [-v]\n"
               "  -s, --server     real server address\n"
               "  -p, --port       TCP port\n"
               "  -u, --url        path to fetch\n"
               "  -S, --use-ssl    use SSL\n"
               "  -V, --use-virtualhost  Host header (and SNI) to send\n"
               "  -v, --verbose    print the response headers too\n";
  return 1;
}

int run(int argc, char** argv) {
  std::string server, url, vhost;
  int port = 0;
  bool ssl = false, verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "-s" || a == "--server")
      server = value();
    else if (a == "-p" || a == "--port")
      port = std::atoi(value().c_str());
    else if (a == "-u" || a == "--url")
      url = value();
    else if (a == "-S" || a == "--use-ssl")
      ssl = true;
    else if (a == "-V" || a == "--use-virtualhost")
      vhost = value();
    else if (a == "-v" || a == "--verbose")
      verbose = true;
    else
      return usage();
  }
  auto address = vsd::IpAddress::parse(server);
  if (!address || port <= 0 || port > 65535 || url.empty()) return usage();
  const vsd::Endpoint target{*address, static_cast<uint16_t>(port)};
  sockaddr_storage sa;
  const socklen_t len = vsd::health::to_sockaddr(target, sa);
  const int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0) {
    std::cerr << "vsd-genhash: cannot connect to " << vsd::to_string(target) << ": "
              << std::strerror(errno) << "\n";
    return 1;
  }
  std::string host = vhost.empty() ? (address->is_v4() ? server : "[" + server + "]") : vhost;
  if (port != (ssl ? 443 : 80)) host += ":" + std::to_string(port);
  const std::string request = vsd::health::http_request(url, host, false);
  std::string response;
  vsd::health::TlsSession tls;
  if (ssl) {
    size_t sent = 0;
    using Step = vsd::health::TlsSession::Step;
    if (!tls.attach(fd, vhost) || tls.handshake() != Step::done ||
        tls.write(request, &sent) != Step::done || tls.read(response) != Step::done) {
      std::cerr << "vsd-genhash: SSL error: " << tls.last_error() << "\n";
      return 1;
    }
  } else {
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) return 1;
    char buffer[16384];
    ssize_t n;
    while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0)
      response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  auto parsed = vsd::health::parse_http_response(response);
  if (!parsed) {
    std::cerr << "vsd-genhash: malformed HTTP response\n";
    return 1;
  }
  if (verbose) std::cout << response.substr(0, response.find("\r\n\r\n")) << "\n\n";
  std::cout << "MD5SUM = " << vsd::health::md5_hex(parsed->body) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return run(argc, argv);
}
