// Syslog TCP source implementation.
#include "ingest/syslog_tcp_source.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/metrics.h"
#include "ingest/socket_util.h"
#include "ingest/syslog_framer.h"

namespace khien {

namespace {

// A plain TCP connection.
class SocketStream : public SyslogTcpSource::Stream {
 public:
  explicit SocketStream(int fd) : fd_(fd) {}
  long read(char* data, std::size_t size) override {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) return 0;
    ssize_t n = ::recv(fd_, data, size, 0);
    return n > 0 ? static_cast<long>(n) : -1;
  }

 private:
  int fd_;
};

}  // namespace

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
    for (const auto& w : workers_) ::shutdown(w.fd, SHUT_RDWR);
  }
  for (auto& w : workers_) w.thread.join();
  workers_.clear();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SyslogTcpSource::refuse(const IpAddress& peer, std::string_view reason, const std::string& why) {
  if (reason == "unknown_sender") ctx_.stats->record_unknown_sender(name());
  Metrics::instance()
      .counter("khien_ingest_dropped_total", "Records dropped, by source and reason",
               fmt::format("source=\"{}\",reason=\"{}\"", name(), reason))
      .add();
  spdlog::warn("{}: connection from {} refused: {}", name(), peer.to_string(), why);
}

std::optional<SyslogTcpSource::Accepted> SyslogTcpSource::open(int fd, const IpAddress& peer) {
  auto soc = ctx_.soc_for_sender(peer);
  if (!soc) {
    refuse(peer, "unknown_sender", "no SOC registers that sender address");
    return std::nullopt;
  }
  return Accepted{std::make_unique<SocketStream>(fd), soc->first, soc->second};
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
    std::lock_guard lock(mutex_);
    // Threads of closed connections are joined here, so a stream of short connections
    // (refused senders, failed handshakes) does not pile them up.
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (!it->done) {
        ++it;
        continue;
      }
      it->thread.join();
      it = workers_.erase(it);
    }
    auto worker = workers_.emplace(workers_.end());
    worker->fd = c;
    worker->thread = std::thread([this, worker, peer] { serve(worker, peer); });
  }
}

void SyslogTcpSource::serve(std::list<Worker>::iterator worker, IpAddress peer) {
  int fd = worker->fd;
  if (auto connection = open(fd, peer)) receive(*connection, peer);
  std::lock_guard lock(mutex_);
  // Closed under the lock, so stop() never shuts down a descriptor number already reused.
  ::close(fd);
  worker->fd = -1;
  worker->done = true;
}

void SyslogTcpSource::receive(Accepted& connection, const IpAddress& peer) {
  SyslogFramer framer(ctx_.limits.max_line_bytes);
  std::vector<char> chunk(256 * 1024);
  std::vector<SpoolInput> records;
  // Frame views are only valid until the framer's next call, so frames are copied into one
  // batch buffer and appended together after each read.
  std::string batch;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::vector<std::uint8_t> codes;
  const std::string source(name());
  const SourceKind kind = source == "syslog-tls" ? SourceKind::SyslogTls : SourceKind::SyslogTcp;
  Counter& framing_errors = Metrics::instance().counter("khien_syslog_framing_errors_total", "Oversized or malformed TCP syslog frames");
  auto take = [&](std::optional<Result<std::string_view>> frame, std::uint64_t& rejected) {
    if (!*frame) {
      framing_errors.add();
      ++rejected;
      ctx_.stats->note_rejection(connection.soc_id, source, (*frame).error().message, "");
      return;
    }
    auto code = ctx_.validate(**frame, "syslog");
    if (!code) {
      ++rejected;
      ctx_.stats->note_rejection(connection.soc_id, source, code.error().message, **frame);
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
    long n = connection.stream->read(chunk.data(), chunk.size());
    if (n == 0) continue;
    std::uint64_t rejected = 0;
    records.clear();
    batch.clear();
    spans.clear();
    codes.clear();
    if (n < 0) {
      open = false;
      while (auto f = framer.next()) take(f, rejected);
      if (auto f = framer.finish()) take(f, rejected);
    } else {
      framer.feed(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
      while (auto f = framer.next()) take(f, rejected);
    }
    for (std::size_t i = 0; i < spans.size(); ++i)
      records.push_back(SpoolInput{connection.soc_row, codes[i], kind,
                                   std::string_view(batch).substr(spans[i].first, spans[i].second)});
    if (!records.empty()) {
      if (auto r = ctx_.spool->append(records, false); !r) {
        spdlog::error("{}: {}", source, r.error().message);
        open = false;
      }
    }
    if (!records.empty() || rejected) ctx_.stats->record(connection.soc_id, source, records.size(), rejected);
  }
}

std::unique_ptr<Source> make_syslog_tcp_source(const SourceContext& context, const std::string& listen) {
  return std::make_unique<SyslogTcpSource>(context, listen);
}

}  // namespace khien
