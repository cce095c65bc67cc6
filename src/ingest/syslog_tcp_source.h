// Syslog over TCP (RFC 6587: octet counting or LF framing), attributed to a SOC by sender address.
#pragma once

#include <atomic>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "ingest/source.h"

namespace khien {

/// Threading: one accept thread and one thread per connection. When the pipeline is saturated
/// a connection stops reading (TCP flow control pushes back on the sender); nothing is dropped.
///
/// Stream transports layered on TCP (TLS) derive from it and override open(): accepting,
/// framing, validation, spooling and backpressure stay here, once.
class SyslogTcpSource : public Source {
 public:
  SyslogTcpSource(SourceContext context, std::string listen);
  /// A derived class calls stop() in its own destructor, so no connection thread outlives it.
  ~SyslogTcpSource() override;
  std::string_view name() const override { return "syslog-tcp"; }
  Result<std::string> start() override;
  void stop() override;

  /// The bytes of one accepted connection.
  class Stream {
   public:
    virtual ~Stream() = default;
    /// Waits a short while (~200 ms) for bytes and reads some: the count read, 0 when none came
    /// yet, -1 once the peer closed or the connection failed.
    virtual long read(char* data, std::size_t size) = 0;
  };

  /// A connection ready to read, and the SOC its records belong to.
  struct Accepted {
    std::unique_ptr<Stream> stream;
    std::uint32_t soc_row = 0;
    std::string soc_id;
  };

 protected:
  /// Prepares a connection on its own thread (it may block, e.g. for a TLS handshake) and
  /// attributes it to a SOC; nullopt refuses it after counting why (see refuse()). The caller
  /// closes `fd` after the returned stream is gone.
  virtual std::optional<Accepted> open(int fd, const IpAddress& peer);

  /// Counts a refused connection in khien_ingest_dropped_total{source, reason} (and, for
  /// reason "unknown_sender", in the unknown-senders counter) and logs `why`.
  void refuse(const IpAddress& peer, std::string_view reason, const std::string& why);

  SourceContext ctx_;

 private:
  struct Worker {
    std::thread thread;
    int fd = -1;
    bool done = false;
  };
  void accept_loop();
  void serve(std::list<Worker>::iterator worker, IpAddress peer);
  void receive(Accepted& connection, const IpAddress& peer);
  std::string listen_;
  int fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::list<Worker> workers_;
};

std::unique_ptr<Source> make_syslog_tcp_source(const SourceContext& context, const std::string& listen);

}  // namespace khien
