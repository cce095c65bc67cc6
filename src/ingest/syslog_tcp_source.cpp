// Syslog TCP source implementation.
#include "ingest/syslog_tcp_source.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include <spdlog/spdlog.h>

#include "core/metrics.h"
#include "ingest/socket_util.h"
#include "ingest/syslog_framer.h"

namespace khien {

SyslogTcpSource::SyslogTcpSource(SourceContext context, std::string listen)
    : ctx_(std::move(context)), listen_(std::move(listen)) {}

SyslogTcpSource::~SyslogTcpSource() { stop(); }

Result<std::string> SyslogTcpSource::start() {
  auto bound = bind_socket(listen_, SOCK_STREAM);
  if (!bound) return tl::unexpected(bound.error());
  fd_ = bound->first;
  acceptor_ = std::thread([this] { accept_loop(); });
  return bound->second;
}

void SyslogTcpSource::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int c : connections_) ::shutdown(c, SHUT_RDWR);
  }
  for (auto& t : threads_) t.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SyslogTcpSource::accept_loop() {
  while (!stopping_) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    sockaddr_storage from{};
    socklen_t len = sizeof(from);
    int c = ::accept4(fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_CLOEXEC);
    if (c < 0) continue;
    IpAddress peer = address_of(from);
    auto soc = ctx_.soc_for_sender(peer);
    if (!soc) {
      ctx_.stats->record_unknown_sender("syslog-tcp");
      Metrics::instance()
          .counter("khien_ingest_dropped_total", "Records dropped, by source and reason", "source=\"syslog-tcp\",reason=\"unknown_sender\"")
          .add();
      spdlog::warn("syslog-tcp: connection from {} refused: no SOC registers that sender address", peer.to_string());
      ::close(c);
      continue;
    }
    std::lock_guard lock(mutex_);
    connections_.push_back(c);
    threads_.emplace_back([this, c, peer] { serve(c, peer); });
  }
}

void SyslogTcpSource::serve(int fd, IpAddress peer) {
  SyslogFramer framer(ctx_.limits.max_line_bytes);
  std::vector<char> chunk(256 * 1024);
  std::vector<SpoolInput> records;
  // Frame views are only valid until the framer's next call, so frames are copied into one
  // batch buffer and appended together after each read.
  std::string batch;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::vector<std::uint8_t> codes;
  std::string soc_id;
  std::uint32_t soc_row = 0;
  auto refresh_soc = [&] {
    auto soc = ctx_.soc_for_sender(peer);
    if (!soc) return false;
    soc_row = soc->first;
    soc_id = soc->second;
    return true;
  };
  refresh_soc();
  Counter& framing_errors = Metrics::instance().counter("khien_syslog_framing_errors_total", "Oversized or malformed TCP syslog frames");
  auto take = [&](std::optional<Result<std::string_view>> frame, std::uint64_t& rejected) {
    if (!*frame) {
      framing_errors.add();
      ++rejected;
      spdlog::warn("syslog-tcp {}: {}", peer.to_string(), (*frame).error().message);
      return;
    }
    auto code = ctx_.validate(**frame, "syslog");
    if (!code) {
      ++rejected;
      return;
    }
    spans.emplace_back(batch.size(), (**frame).size());
    codes.push_back(*code);
    batch.append(**frame);
  };
  bool open = true;
  while (open && !stopping_) {
    // Backpressure: while the pipeline is behind, stop reading; the kernel's window fills and the sender waits.
    while (spool_saturated(ctx_) && !stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    ssize_t n = ::recv(fd, chunk.data(), chunk.size(), 0);
    std::uint64_t rejected = 0;
    records.clear();
    batch.clear();
    spans.clear();
    codes.clear();
    if (n <= 0) {
      open = false;
      while (auto f = framer.next()) take(f, rejected);
      if (auto f = framer.finish()) take(f, rejected);
    } else {
      framer.feed(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
      while (auto f = framer.next()) take(f, rejected);
    }
    for (std::size_t i = 0; i < spans.size(); ++i)
      records.push_back(SpoolInput{soc_row, codes[i], SourceKind::SyslogTcp,
                                   std::string_view(batch).substr(spans[i].first, spans[i].second)});
    if (!records.empty()) {
      if (auto r = ctx_.spool->append(records, false); !r) {
        spdlog::error("syslog-tcp: {}", r.error().message);
        open = false;
      }
    }
    if (!records.empty() || rejected) ctx_.stats->record(soc_id, "syslog-tcp", records.size(), rejected);
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  connections_.remove(fd);
}

std::unique_ptr<Source> make_syslog_tcp_source(const SourceContext& context, const std::string& listen) {
  return std::make_unique<SyslogTcpSource>(context, listen);
}

}  // namespace khien
