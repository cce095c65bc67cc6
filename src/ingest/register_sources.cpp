// The one list of listening sources; adding a transport means adding one line here.
#include "ingest/netflow_udp_source.h"
#include "ingest/source.h"
#include "ingest/syslog_tcp_source.h"
#include "ingest/syslog_udp_source.h"
#include "ingest/tls_syslog_source.h"

namespace khien {

const std::vector<SourceInfo>& registered_sources() {
  static const std::vector<SourceInfo> sources{
      {"syslog-udp", "Syslog over UDP (RFC 5426), RFC 3164 or 5424 messages, JSON/CEF/LEEF payloads", &make_syslog_udp_source},
      {"syslog-tcp", "Syslog over TCP (RFC 6587 octet counting or LF framing)", &make_syslog_tcp_source},
      {"syslog-tls", "Syslog over TLS (RFC 5425), attributed by client certificate when tls.client_ca is set",
       &make_tls_syslog_source},
      {"netflow", "NetFlow v5/v9 and IPFIX over UDP from exporters registered in exporters.yaml", &make_netflow_udp_source},
  };
  return sources;
}

}  // namespace khien
