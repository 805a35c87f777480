#include "health/tls_session.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace vsd::health {

struct TlsSession::State {
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  ~State() {
    if (ssl) SSL_free(ssl);
    if (context) SSL_CTX_free(context);
  }
};

TlsSession::TlsSession() : state_(std::make_unique<State>()) {}
TlsSession::~TlsSession() = default;

bool TlsSession::attach(int fd, const std::string& sni) {
  // keepalived checks without verifying the certificate unless an SSL block asks for a CA.
  state_->context = SSL_CTX_new(TLS_client_method());
  if (!state_->context) return false;
  SSL_CTX_set_verify(state_->context, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_options(state_->context, SSL_OP_IGNORE_UNEXPECTED_EOF);
  state_->ssl = SSL_new(state_->context);
  if (!state_->ssl || SSL_set_fd(state_->ssl, fd) != 1) return false;
  if (!sni.empty()) SSL_set_tlsext_host_name(state_->ssl, sni.c_str());
  SSL_set_connect_state(state_->ssl);
  return true;
}

TlsSession::Step TlsSession::classify(int rc) {
  switch (SSL_get_error(state_->ssl, rc)) {
    case SSL_ERROR_WANT_READ:
      return Step::want_read;
    case SSL_ERROR_WANT_WRITE:
      return Step::want_write;
    case SSL_ERROR_ZERO_RETURN:
      return Step::done;
    default: {
      char text[256];
      ERR_error_string_n(ERR_get_error(), text, sizeof(text));
      error_ = text;
      ERR_clear_error();
      return Step::failed;
    }
  }
}

TlsSession::Step TlsSession::handshake() {
  const int rc = SSL_do_handshake(state_->ssl);
  return rc == 1 ? Step::done : classify(rc);
}

TlsSession::Step TlsSession::write(const std::string& data, size_t* offset) {
  while (*offset < data.size()) {
    const int rc =
        SSL_write(state_->ssl, data.data() + *offset, static_cast<int>(data.size() - *offset));
    if (rc <= 0) return classify(rc);
    *offset += static_cast<size_t>(rc);
  }
  return Step::done;
}

TlsSession::Step TlsSession::read(std::string& out) {
  char buffer[16384];
  for (;;) {
    const int rc = SSL_read(state_->ssl, buffer, sizeof(buffer));
    if (rc > 0) {
      out.append(buffer, static_cast<size_t>(rc));
      continue;
    }
    // A server that closes without close_notify (common for HTTP/1.0) ends the body too.
    if (SSL_get_error(state_->ssl, rc) == SSL_ERROR_SYSCALL) {
      ERR_clear_error();
      return Step::done;
    }
    return classify(rc);
  }
}

}  // namespace vsd::health
