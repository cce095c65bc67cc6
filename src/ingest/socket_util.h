// Socket helpers shared by the listening sources: binding "host:port" and reading peer addresses.
#pragma once

#include <sys/socket.h>

#include <string>
#include <utility>

#include "core/error.h"
#include "core/ip_address.h"

namespace khien {

/// Opens a socket of `type` (SOCK_DGRAM, SOCK_STREAM) bound to "host:port" (port 0 picks one);
/// returns the fd and the bound "host:port".
Result<std::pair<int, std::string>> bind_socket(const std::string& listen, int type);

/// The IP address in a sockaddr (IPv4-mapped IPv6 addresses come back as IPv4).
IpAddress address_of(const sockaddr_storage& ss);

}  // namespace khien
