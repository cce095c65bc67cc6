// What the UDP sources (syslog, NetFlow/IPFIX) share: a bound socket with a deep receive buffer and one receive thread.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "ingest/source.h"

namespace khien {

/// A Source that receives datagrams on one thread. start() binds `listen`, asks for
/// `receive_buffer` bytes of socket buffer (UDP cannot push back: a deep buffer rides out bursts)
/// and runs run() on its thread until stop(). A subclass's destructor must call stop() itself, so
/// the thread ends before the subclass's members go.
class UdpReceiver : public Source {
 public:
  Result<std::string> start() override;
  void stop() override;

 protected:
  UdpReceiver(SourceContext context, std::string listen, int receive_buffer);
  /// The receive loop; returns once stopping() is true (it should poll with a timeout).
  virtual void run() = 0;
  bool stopping() const { return stopping_; }
  int socket_fd() const { return fd_; }

  SourceContext ctx_;

 private:
  std::string listen_;
  int receive_buffer_;
  int fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace khien
