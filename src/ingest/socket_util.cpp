// Socket helpers implementation.
#include "ingest/socket_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace khien {

Result<std::pair<int, std::string>> bind_socket(const std::string& listen, int type) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return fail(fmt::format("listen address '{}': expected host:port", listen));
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int port = -1;
  auto ps = std::string_view(listen).substr(colon + 1);
  auto [end, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
  if (ec != std::errc() || end != ps.data() + ps.size() || port < 0 || port > 65535)
    return fail(fmt::format("listen address '{}': bad port", listen));
  auto ip = IpAddress::parse(host);
  if (!ip) return fail(fmt::format("listen address '{}': '{}' is not an IP address", listen, host));
  sockaddr_storage ss{};
  socklen_t len;
  int family;
  if (ip->v4) {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(static_cast<std::uint16_t>(port));
    std::memcpy(&sa->sin_addr, ip->bytes.data() + 12, 4);
    len = sizeof(sockaddr_in);
    family = AF_INET;
  } else {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(static_cast<std::uint16_t>(port));
    std::memcpy(&sa->sin6_addr, ip->bytes.data(), 16);
    len = sizeof(sockaddr_in6);
    family = AF_INET6;
  }
  int fd = ::socket(family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(fmt::format("socket: {}", std::strerror(errno)));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return fail(fmt::format("cannot listen on {}: {}", listen, why));
  }
  if (type == SOCK_STREAM && ::listen(fd, 512) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return fail(fmt::format("cannot listen on {}: {}", listen, why));
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
  int bound_port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                           : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  std::string shown = ip->v4 ? host : "[" + host + "]";
  return std::make_pair(fd, fmt::format("{}:{}", shown, bound_port));
}

IpAddress address_of(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* sa = reinterpret_cast<const sockaddr_in*>(&ss);
    return IpAddress::from_v4(ntohl(sa->sin_addr.s_addr));
  }
  IpAddress ip;
  const auto* sa = reinterpret_cast<const sockaddr_in6*>(&ss);
  std::memcpy(ip.bytes.data(), &sa->sin6_addr, 16);
  static const std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  ip.v4 = std::memcmp(ip.bytes.data(), kMapped, 12) == 0;
  return ip;
}

}  // namespace khien
