// TAXII 2.1 polling over Boost.Beast (HTTP or HTTPS with certificate and host name checks).
#include "app/taxii_client.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/api_routes.h"
#include "api/http_server.h"
#include "core/metrics.h"
#include "intel/stix_bundle_importer.h"
#include "intel/stix_object.h"
#include "intel/taxii_envelope_reader.h"
#include "intel/tlp.h"
#include "store/state_store.h"
#include "store/stix_store.h"

namespace khien {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

constexpr const char* kTaxiiMediaType = "application/taxii+json;version=2.1";
// A server that keeps saying `more` must not hold the poller forever; the next poll resumes.
constexpr std::size_t kMaxPagesPerPoll = 10000;

struct FeedUrl {
  bool tls = false;
  std::string host, port, path;  ///< path of the API root, ending in '/'
};

Result<FeedUrl> split_url(const std::string& url) {
  FeedUrl u;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    u.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return fail(fmt::format("url '{}': expected http:// or https:// and the API root's path", url));
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.path.find_first_of("?#") != std::string::npos) return fail(fmt::format("url '{}': the API root URL has no query or fragment", url));
  if (u.path.back() != '/') u.path += '/';
  if (authority.empty()) return fail(fmt::format("url '{}': no host", url));
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return fail(fmt::format("url '{}': unclosed '[' in the host", url));
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') u.port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return fail(fmt::format("url '{}': no host", url));
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  return u;
}

std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

struct Answer {
  int status = 0;
  std::string body, date_added_last, content_type;
};

template <typename Stream>
Result<Answer> round_trip(Stream& stream, const http::request<http::empty_body>& req) {
  boost::system::error_code ec;
  http::write(stream, req, ec);
  if (ec) return fail("sending the request: " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);
  http::read(stream, buffer, parser, ec);
  if (ec) return fail("reading the answer: " + ec.message());
  auto res = parser.release();
  Answer a;
  a.status = static_cast<int>(res.result_int());
  a.body = std::move(res.body());
  a.date_added_last = std::string(res["X-TAXII-Date-Added-Last"]);
  a.content_type = std::string(res[http::field::content_type]);
  return a;
}

// One GET on a fresh connection: polls are minutes apart, so keep-alive buys nothing.
Result<Answer> get(const FeedUrl& u, const TaxiiFeedConfig& feed, const std::string& target) {
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, u.port == (u.tls ? "443" : "80") ? u.host : u.host + ":" + u.port);
  req.set(http::field::user_agent, "khien-taxii-client");
  req.set(http::field::accept, kTaxiiMediaType);
  if (!feed.token.empty())
    req.set(http::field::authorization, "Bearer " + feed.token);
  else if (!feed.user.empty())
    req.set(http::field::authorization, "Basic " + base64(feed.user + ":" + feed.password));
  req.keep_alive(false);

  asio::io_context io;
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(u.host, u.port, ec);
  if (ec) return fail(fmt::format("cannot resolve {}: {}", u.host, ec.message()));
  auto timeout = std::chrono::seconds(feed.timeout ? feed.timeout : 60);
  if (!u.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(endpoints, ec);
    if (ec) return fail(fmt::format("cannot connect to {}:{}: {}", u.host, u.port, ec.message()));
    auto a = round_trip(stream, req);
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return a;
  }
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_default_verify_paths(ec);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str()))
    return fail(fmt::format("TLS: cannot set the server name {}", u.host));
  stream.set_verify_callback(asio::ssl::host_name_verification(u.host));
  beast::get_lowest_layer(stream).expires_after(timeout);
  beast::get_lowest_layer(stream).connect(endpoints, ec);
  if (ec) return fail(fmt::format("cannot connect to {}:{}: {}", u.host, u.port, ec.message()));
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return fail(fmt::format("TLS handshake with {}: {}", u.host, ec.message()));
  auto a = round_trip(stream, req);
  stream.shutdown(ec);
  return a;
}

std::string error_text(const Answer& a) {
  auto j = json::parse(a.body, nullptr, false);
  if (j.is_object()) {
    std::string t = j.value("title", ""), d = j.value("description", "");
    if (!t.empty() || !d.empty()) return t + (d.empty() ? "" : ": " + d);
  }
  return a.body.substr(0, 200);
}

Counter& feed_counter(const char* name, const char* help, const TaxiiFeedConfig& feed) {
  return Metrics::instance().counter(name, help, fmt::format("feed=\"{}\"", feed.source.empty() ? feed.url : feed.source));
}

}  // namespace

Status check_taxii_feed(const TaxiiFeedConfig& feed) {
  if (auto u = split_url(feed.url); !u) return tl::unexpected(u.error());
  if (feed.collection.empty()) return fail(fmt::format("feed {}: collection is required", feed.url));
  if (feed.collection.find_first_of("/?#% ") != std::string::npos)
    return fail(fmt::format("feed {}: collection '{}' is not a collection id", feed.url, feed.collection));
  if (!feed.token.empty() && !feed.user.empty())
    return fail(fmt::format("feed {}: give either user/password or token, not both", feed.url));
  if (!parse_tlp(feed.tlp)) return fail(fmt::format("feed {}: tlp '{}' is not clear, green, amber, amber+strict or red", feed.url, feed.tlp));
  if (feed.interval == 0) return fail(fmt::format("feed {}: interval must be at least 1 second", feed.url));
  return {};
}

std::string taxii_feed_bookmark_key(const TaxiiFeedConfig& feed) {
  return "taxii_client.added_after." + sha256_hex(feed.url + "|" + feed.collection + "|" + feed.into).substr(0, 24);
}

Result<TaxiiPollReport> poll_taxii_feed(StixStore& store, const TaxiiFeedConfig& feed, TaxiiPollReport* progress) {
  if (auto st = check_taxii_feed(feed); !st) return tl::unexpected(st.error());
  auto u = *split_url(feed.url);
  static Counter& rejected_total = Metrics::instance().counter(
      "khien_taxii_client_rejected_envelopes_total", "TAXII envelopes refused whole by the client (invalid objects)");
  Counter& rejected = feed_counter("khien_taxii_client_feed_rejected_envelopes_total",
                                   "TAXII envelopes refused whole, per feed", feed);
  Counter& added = feed_counter("khien_taxii_client_feed_objects_added_total", "STIX objects added from a feed", feed);

  StixImportOptions options;
  options.collection = feed.into.empty() ? std::string(kDefaultStixCollection) : feed.into;
  options.source = feed.source.empty() ? "taxii:" + u.host : feed.source;
  options.default_tlp = *parse_tlp(feed.tlp);
  StixBundleImporter importer(&store);

  TaxiiPollReport local;
  TaxiiPollReport& report = progress ? *progress : local;
  report = {};
  std::string key = taxii_feed_bookmark_key(feed);
  report.bookmark = store.meta(key).value_or("");
  std::string added_after = report.bookmark;  // constant across the `next` pages of one request
  std::string next;
  std::string objects_path = u.path + "collections/" + percent_encode(feed.collection) + "/objects/";
  for (std::size_t page = 0; page < kMaxPagesPerPoll; ++page) {
    std::string target = objects_path;
    std::string sep = "?";
    if (!added_after.empty()) target += sep + "added_after=" + percent_encode(added_after), sep = "&";
    if (feed.limit) target += sep + fmt::format("limit={}", feed.limit), sep = "&";
    if (!next.empty()) target += sep + "next=" + percent_encode(next);
    auto answer = get(u, feed, target);
    if (!answer) return fail(fmt::format("feed {} collection {}: {}", feed.url, feed.collection, answer.error().message));
    if (answer->status != 200)
      return fail(fmt::format("feed {} collection {}: HTTP {}: {}", feed.url, feed.collection, answer->status, error_text(*answer)));
    ++report.pages;
    auto envelope = read_taxii_envelope(answer->body);
    std::optional<std::string> failure;
    if (!envelope) {
      failure = envelope.error().message;
    } else {
      for (std::size_t i = 0; i < envelope->objects.size() && !failure; ++i)
        if (auto v = validate_stix_object(envelope->objects[i]); !v)
          failure = fmt::format("object {}: {}", i, v.error().message);
      if (!failure && !envelope->objects.empty()) {
        auto result = importer.import_objects(envelope->objects, options);
        // The objects were valid one by one, so what is left is a reference to an unknown marking
        // (refused like any invalid object) or the store failing (retried at the next poll).
        if (!result && result.error().message.find("marking-definition") != std::string::npos) {
          failure = result.error().message;
        } else if (!result) {
          return fail(fmt::format("feed {} collection {}: {}", feed.url, feed.collection, result.error().message));
        } else {
          report.objects += result->objects;
          report.added += result->added;
          report.unchanged += result->unchanged;
          added.add(result->added);
        }
      }
    }
    if (failure) {
      ++report.rejected_pages;
      if (envelope) report.rejected_objects += envelope->objects.size();
      rejected.add();
      rejected_total.add();
      std::string line = fmt::format("envelope {} (added_after={}): rejected, nothing imported: {}", page + 1,
                                     added_after.empty() ? "-" : added_after, *failure);
      spdlog::error("taxii feed {} collection {}: {}", feed.url, feed.collection, line);
      report.errors.push_back(std::move(line));
    }
    // The bookmark follows the server's own clock (TAXII 2.1 section 3.4.2), page by page.
    if (!answer->date_added_last.empty() && parse_stix_timestamp(answer->date_added_last)) {
      report.bookmark = answer->date_added_last;
      if (auto st = store.put_meta(key, report.bookmark); !st) return tl::unexpected(st.error());
    }
    bool more = envelope && envelope->more;
    if (!more) break;
    if (envelope->next.empty()) {
      // `more` without `next`: continue from the last date added, when the server said it.
      if (answer->date_added_last.empty() || answer->date_added_last == added_after) break;
      added_after = answer->date_added_last;
      next.clear();
    } else {
      next = envelope->next;
    }
  }
  return report;
}

struct TaxiiFeedPoller::FeedState {
  TaxiiFeedConfig config;
  std::chrono::steady_clock::time_point due;
  std::size_t polls = 0, failures = 0, added = 0, rejected_pages = 0;
  std::string last_poll, last_error;
  json last_report;
};

TaxiiFeedPoller::TaxiiFeedPoller(StixStore& store, std::vector<TaxiiFeedConfig> feeds,
                                 std::function<void()> on_objects_added)
    : store_(store), on_objects_added_(std::move(on_objects_added)) {
  for (auto& f : feeds) {
    auto s = std::make_unique<FeedState>();
    s->config = std::move(f);
    feeds_.push_back(std::move(s));
  }
}

TaxiiFeedPoller::~TaxiiFeedPoller() { stop(); }

void TaxiiFeedPoller::start() {
  if (feeds_.empty() || thread_.joinable()) return;
  auto now = std::chrono::steady_clock::now();
  for (auto& f : feeds_) f->due = now;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void TaxiiFeedPoller::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TaxiiFeedPoller::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    auto soonest = now + std::chrono::hours(24);
    for (auto& f : feeds_) {
      if (stopping_) break;
      if (f->due > now) {
        soonest = std::min(soonest, f->due);
        continue;
      }
      TaxiiFeedConfig config = f->config;
      lock.unlock();  // status() stays answerable during the poll
      TaxiiPollReport progress;
      auto result = poll_taxii_feed(store_, config, &progress);
      // A failure after some envelopes were stored still changed the store.
      if (progress.added > 0 && on_objects_added_) on_objects_added_();
      lock.lock();
      ++f->polls;
      f->last_poll = format_stix_timestamp(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
      if (result) {
        f->added += result->added;
        f->rejected_pages += result->rejected_pages;
        f->last_report = json{{"pages", result->pages},     {"objects", result->objects},
                              {"added", result->added},     {"unchanged", result->unchanged},
                              {"rejected_pages", result->rejected_pages}, {"rejected_objects", result->rejected_objects},
                              {"bookmark", result->bookmark}, {"errors", result->errors}};
        if (result->added || result->rejected_pages)
          spdlog::info("taxii feed {} collection {}: {} pages, {} objects added, {} envelopes rejected", config.url,
                       config.collection, result->pages, result->added, result->rejected_pages);
      } else {
        ++f->failures;
        f->last_error = result.error().message;
        spdlog::warn("taxii feed: {}", f->last_error);
      }
      f->due = std::chrono::steady_clock::now() + std::chrono::seconds(config.interval);
      soonest = std::min(soonest, f->due);
    }
    if (stopping_) break;
    wake_.wait_until(lock, soonest, [this] { return stopping_; });
  }
}

std::string TaxiiFeedPoller::status_json() const {
  std::lock_guard lock(mutex_);
  json feeds = json::array();
  for (const auto& f : feeds_) {
    json j{{"url", f->config.url},       {"collection", f->config.collection}, {"interval", f->config.interval},
           {"polls", f->polls},           {"failures", f->failures},            {"added", f->added},
           {"rejected_pages", f->rejected_pages}, {"last_poll", f->last_poll}, {"last_error", f->last_error},
           {"bookmark", store_.meta(taxii_feed_bookmark_key(f->config)).value_or("")}};
    if (!f->last_report.is_null()) j["last_report"] = f->last_report;
    feeds.push_back(std::move(j));
  }
  return json{{"feeds", feeds}}.dump();
}

void register_taxii_feed_routes(Router& router, TaxiiFeedPoller& poller, const ApiContext& api) {
  router.add("GET", "/api/v1/intel/feeds", [&poller, &api](HttpRequest& req) {
    auto a = admit(api.identity, api.admin_token_hash, req, access::kNational);
    if (a.refusal) return *a.refusal;
    HttpResponse r;
    r.body = poller.status_json();
    return r;
  });
}

}  // namespace khien
