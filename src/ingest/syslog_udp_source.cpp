// Syslog UDP source implementation.
#include "ingest/syslog_udp_source.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/metrics.h"
#include "ingest/socket_util.h"

namespace khien {

SyslogUdpSource::SyslogUdpSource(SourceContext context, std::string listen)
    : UdpReceiver(std::move(context), std::move(listen), 8 << 20) {}

SyslogUdpSource::~SyslogUdpSource() { stop(); }

void SyslogUdpSource::run() {
  auto& metrics = Metrics::instance();
  Counter& dropped_saturated = metrics.counter("khien_ingest_dropped_total", "Records dropped, by source and reason",
                                               "source=\"syslog-udp\",reason=\"saturated\"");
  Counter& dropped_unknown = metrics.counter("khien_ingest_dropped_total", "Records dropped, by source and reason",
                                             "source=\"syslog-udp\",reason=\"unknown_sender\"");
  std::vector<char> datagram(65536);
  // Datagrams are batched into one spool append per poll round (up to 512 or 20 ms).
  std::string batch_bytes;
  struct Pending {
    std::uint32_t soc;
    std::string soc_id;
    std::size_t offset, size;
    std::uint8_t format;
  };
  std::vector<Pending> pending;
  std::unordered_set<std::string> logged_unknown;
  auto flush = [&] {
    if (pending.empty()) return;
    std::vector<SpoolInput> records;
    records.reserve(pending.size());
    std::map<std::string, std::uint64_t> per_soc;
    for (const auto& p : pending) {
      records.push_back(SpoolInput{p.soc, p.format, SourceKind::SyslogUdp, std::string_view(batch_bytes).substr(p.offset, p.size)});
      ++per_soc[p.soc_id];
    }
    if (auto r = ctx_.spool->append(records, false); !r) spdlog::error("syslog-udp: {}", r.error().message);
    for (const auto& [soc, n] : per_soc) ctx_.stats->record(soc, "syslog-udp", n, 0);
    pending.clear();
    batch_bytes.clear();
  };
  while (!stopping()) {
    pollfd pfd{socket_fd(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, pending.empty() ? 200 : 20);
    if (ready <= 0) {
      flush();
      continue;
    }
    sockaddr_storage from{};
    socklen_t from_len = sizeof(from);
    ssize_t n = ::recvfrom(socket_fd(), datagram.data(), datagram.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n <= 0) continue;
    std::string_view msg(datagram.data(), static_cast<std::size_t>(n));
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\0' || msg.back() == '\r')) msg.remove_suffix(1);
    if (msg.empty()) continue;
    IpAddress sender = address_of(from);
    auto soc = ctx_.soc_for_sender(sender);
    if (!soc) {
      dropped_unknown.add();
      ctx_.stats->record_unknown_sender("syslog-udp");
      if (logged_unknown.size() < 10000 && logged_unknown.insert(sender.to_string()).second)
        spdlog::warn("syslog-udp: messages from {} rejected: no SOC registers that sender address", sender.to_string());
      continue;
    }
    if (spool_saturated(ctx_)) {
      dropped_saturated.add();
      continue;
    }
    if (msg.size() > ctx_.limits.max_line_bytes) {
      ctx_.stats->record(soc->second, "syslog-udp", 0, 1);
      ctx_.stats->note_rejection(soc->second, "syslog-udp",
                                 fmt::format("message of {} bytes exceeds the maximum of {}", msg.size(), ctx_.limits.max_line_bytes), msg);
      continue;
    }
    auto code = ctx_.validate(msg, "syslog");
    if (!code) {
      ctx_.stats->record(soc->second, "syslog-udp", 0, 1);
      ctx_.stats->note_rejection(soc->second, "syslog-udp", code.error().message, msg);
      continue;
    }
    pending.push_back(Pending{soc->first, soc->second, batch_bytes.size(), msg.size(), *code});
    batch_bytes.append(msg);
    if (pending.size() >= 512) flush();
  }
  flush();
}

std::unique_ptr<Source> make_syslog_udp_source(const SourceContext& context, const std::string& listen) {
  return std::make_unique<SyslogUdpSource>(context, listen);
}

}  // namespace khien
