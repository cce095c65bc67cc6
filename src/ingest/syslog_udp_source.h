// Syslog over UDP (RFC 5426): one message per datagram, attributed to a SOC by sender address.
#pragma once

#include <memory>
#include <string>

#include "ingest/udp_receiver.h"

namespace khien {

/// Threading: one receive thread. Datagrams from unregistered senders, and datagrams that
/// arrive while the pipeline is saturated, are dropped and counted (UDP has no way to push back).
class SyslogUdpSource : public UdpReceiver {
 public:
  SyslogUdpSource(SourceContext context, std::string listen);
  ~SyslogUdpSource() override;
  std::string_view name() const override { return "syslog-udp"; }

 private:
  void run() override;
};

std::unique_ptr<Source> make_syslog_udp_source(const SourceContext& context, const std::string& listen);

}  // namespace khien
