// The UDP sources' socket and receive thread.
#include "ingest/udp_receiver.h"

#include <sys/socket.h>
#include <unistd.h>

#include "ingest/socket_util.h"

namespace khien {

UdpReceiver::UdpReceiver(SourceContext context, std::string listen, int receive_buffer)
    : ctx_(std::move(context)), listen_(std::move(listen)), receive_buffer_(receive_buffer) {}

Result<std::string> UdpReceiver::start() {
  auto bound = bind_socket(listen_, SOCK_DGRAM);
  if (!bound) return tl::unexpected(bound.error());
  fd_ = bound->first;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_, sizeof(receive_buffer_));
  thread_ = std::thread([this] { run(); });
  return bound->second;
}

void UdpReceiver::stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace khien
