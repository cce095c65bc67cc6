// Syslog over TCP (RFC 6587: octet counting or LF framing), attributed to a SOC by sender address.
#pragma once

#include <atomic>
#include <list>
#include <mutex>
#include <thread>

#include "ingest/source.h"

namespace khien {

/// Threading: one accept thread and one thread per connection. When the pipeline is saturated
/// a connection stops reading (TCP flow control pushes back on the sender); nothing is dropped.
class SyslogTcpSource : public Source {
 public:
  SyslogTcpSource(SourceContext context, std::string listen);
  ~SyslogTcpSource() override;
  std::string_view name() const override { return "syslog-tcp"; }
  Result<std::string> start() override;
  void stop() override;

 private:
  void accept_loop();
  void serve(int fd, IpAddress peer);
  SourceContext ctx_;
  std::string listen_;
  int fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::list<int> connections_;
  std::list<std::thread> threads_;
};

std::unique_ptr<Source> make_syslog_tcp_source(const SourceContext& context, const std::string& listen);

}  // namespace khien
