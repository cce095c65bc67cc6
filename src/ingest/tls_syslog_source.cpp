// Syslog TLS source: the TLS handshake, certificate attribution and the TLS byte stream.
#include "ingest/tls_syslog_source.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>

namespace khien {

namespace {

void set_timeouts(int fd, int receive_seconds, int send_seconds) {
  timeval rcv{receive_seconds, 0};
  timeval snd{send_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof(snd));
}

// One TLS connection after its handshake.
class TlsStream : public SyslogTcpSource::Stream {
 public:
  TlsStream(SSL* ssl, int fd) : ssl_(ssl), fd_(fd) {}
  ~TlsStream() override {
    // One close_notify, without waiting for the peer's: the socket closes right after.
    ERR_clear_error();
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  long read(char* data, std::size_t size) override {
    // Bytes OpenSSL already decrypted do not show up in poll().
    if (SSL_pending(ssl_) == 0) {
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 200) <= 0) return 0;
    }
    ERR_clear_error();
    int n = SSL_read(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1u << 30)));
    if (n > 0) return n;
    // WANT_READ: the socket held a partial record or a non-data record (the receive timeout
    // set after the handshake ends the wait); the next call continues where this one stopped.
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
    return -1;
  }

 private:
  SSL* ssl_;
  int fd_;
};

}  // namespace

TlsSyslogSource::TlsSyslogSource(SourceContext context, std::string listen)
    : SyslogTcpSource(std::move(context), std::move(listen)) {}

TlsSyslogSource::~TlsSyslogSource() {
  stop();
}

Result<std::string> TlsSyslogSource::start() {
  auto clients = ctx_.tls.client_ca.empty() ? ClientCertificates::None : ClientCertificates::Required;
  auto tls = TlsContext::create(ctx_.tls, clients);
  if (!tls) return tl::unexpected(tls.error());
  tls_ = std::move(*tls);
  return SyslogTcpSource::start();
}

std::optional<SyslogTcpSource::Accepted> TlsSyslogSource::open(int fd, const IpAddress& peer) {
  // OpenSSL writes with write(2): to a peer that went away that raises SIGPIPE, which would end
  // the process. Blocked on this connection's thread, the write fails with EPIPE instead.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  // A client that stalls in the handshake holds this thread only this long.
  set_timeouts(fd, kHandshakeSeconds, kHandshakeSeconds);
  SSL* ssl = SSL_new(tls_->native());
  if (!ssl) {
    refuse(peer, "tls_handshake", "cannot create a TLS session: " + openssl_errors());
    return std::nullopt;
  }
  SSL_set_fd(ssl, fd);
  ERR_clear_error();
  int r = SSL_accept(ssl);
  if (r != 1) {
    long verify = SSL_get_verify_result(ssl);
    int reason = ERR_GET_REASON(ERR_peek_error());
    bool certificate = reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE || reason == SSL_R_CERTIFICATE_VERIFY_FAILED ||
                       verify != X509_V_OK;
    std::string why = openssl_errors();
    if (verify != X509_V_OK) why += fmt::format(" (client certificate: {})", X509_verify_cert_error_string(verify));
    if (why.empty()) why = "the peer closed the connection or sent nothing in time";
    SSL_free(ssl);
    refuse(peer, certificate ? "client_certificate" : "tls_handshake", "TLS handshake failed: " + why);
    return std::nullopt;
  }
  // From now on a receive timeout only bounds one read call; idle senders stay connected.
  set_timeouts(fd, 1, kHandshakeSeconds);
  auto stream = std::make_unique<TlsStream>(ssl, fd);
  std::optional<std::pair<std::uint32_t, std::string>> soc;
  std::string by;
  std::vector<std::string> names;
  if (tls_->clients() != ClientCertificates::None) {
    X509* cert = SSL_get0_peer_certificate(ssl);
    names = certificate_names(cert);
    for (const auto& n : names) {
      soc = ctx_.soc_by_id(n);
      if (soc) {
        by = "client certificate name " + n;
        break;
      }
    }
  }
  if (!soc) {
    soc = ctx_.soc_for_sender(peer);
    by = "sender address";
  }
  if (!soc) {
    std::string shown;
    for (const auto& n : names) shown += (shown.empty() ? "" : ", ") + n;
    refuse(
        peer, "unknown_sender",
        names.empty()
            ? std::string("no SOC registers that sender address")
            : fmt::format("the client certificate names no SOC ({}), and no SOC registers that sender address", shown));
    return std::nullopt;
  }
  spdlog::info("syslog-tls: connection from {} attributed to {} by {}", peer.to_string(), soc->second, by);
  return Accepted{std::move(stream), soc->first, soc->second};
}

std::unique_ptr<Source> make_tls_syslog_source(const SourceContext& context, const std::string& listen) {
  return std::make_unique<TlsSyslogSource>(context, listen);
}

}  // namespace khien
