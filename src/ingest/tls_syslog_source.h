// Syslog over TLS (RFC 5425: octet-counted frames in a TLS stream), attributed by client certificate.
#pragma once

#include <memory>

#include "ingest/syslog_tcp_source.h"
#include "ingest/tls_context.h"

namespace khien {

/// The syslog TCP source with a TLS handshake on each connection (RFC 5425; port 6514 by
/// convention). Framing is RFC 6587's, so LF-framed senders work too.
///
/// Attribution: when `tls.client_ca` is set, every client must present a certificate chaining
/// to it, and the connection belongs to the SOC whose id equals the certificate's subject CN or
/// one of its DNS subjectAltNames, compared lower-cased (CN `soc-evn` → SOC `soc-evn`). A valid
/// certificate that names no SOC falls back to the sender address ranges, as without client_ca.
/// Connections with no SOC, and failed handshakes, are refused and counted in
/// khien_ingest_dropped_total{source="syslog-tls"} with reason unknown_sender,
/// client_certificate or tls_handshake.
///
/// Threading: as SyslogTcpSource; the handshake runs on the connection's thread, bounded by
/// kHandshakeSeconds.
class TlsSyslogSource : public SyslogTcpSource {
 public:
  static constexpr int kHandshakeSeconds = 10;

  TlsSyslogSource(SourceContext context, std::string listen);
  ~TlsSyslogSource() override;
  std::string_view name() const override { return "syslog-tls"; }
  /// Loads the certificate, key and client CA (errors name the file), then listens.
  Result<std::string> start() override;

 protected:
  std::optional<Accepted> open(int fd, const IpAddress& peer) override;

 private:
  std::shared_ptr<TlsContext> tls_;
};

std::unique_ptr<Source> make_tls_syslog_source(const SourceContext& context, const std::string& listen);

}  // namespace khien
