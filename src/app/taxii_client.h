// TAXII 2.1 client: polls external collections (config `[[taxii_feeds]]`) into the StixStore,
// following `next`/`more` pagination and keeping an `added_after` bookmark per feed.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

namespace khien {

class StixStore;
class Router;
struct ApiContext;

/// One external collection to poll (a `[[taxii_feeds]]` table of the config).
struct TaxiiFeedConfig {
  std::string url;         ///< the API root, "https://feeds.example.org/taxii2/api1/" (http:// or https://)
  std::string collection;  ///< the collection id at that API root
  std::string user, password;  ///< HTTP Basic credentials, or
  std::string token;           ///< a Bearer token
  std::uint32_t interval = 3600;  ///< seconds between polls
  std::string source;             ///< recorded with every object; empty: the URL's host
  std::string tlp = "amber";      ///< TLP given to objects that arrive without a TLP marking
  std::uint32_t limit = 0;        ///< page size asked for (`limit`); 0: the server's default
  std::string into;               ///< local collection id; empty: the default import collection
  std::uint32_t timeout = 60;     ///< seconds allowed for each HTTP request
};

/// Checks a feed's settings: URL scheme and host, collection, credentials not both kinds, TLP name.
Status check_taxii_feed(const TaxiiFeedConfig& feed);

/// What one poll did.
struct TaxiiPollReport {
  std::size_t pages = 0;           ///< envelopes received
  std::size_t objects = 0;         ///< objects in accepted envelopes
  std::size_t added = 0, unchanged = 0;
  std::size_t rejected_pages = 0;  ///< envelopes refused whole (an invalid object); logged, bookmark moved past
  std::size_t rejected_objects = 0;
  std::string bookmark;            ///< added_after for the next poll (empty: from the beginning)
  std::vector<std::string> errors;  ///< one per rejected envelope
};

/// Polls one feed once: GET …/collections/{id}/objects/?added_after=BOOKMARK[&limit=N], then each
/// `next` page (or, when a server says `more` without `next`, again from its
/// X-TAXII-Date-Added-Last), importing each envelope through StixBundleImporter (the same
/// validation and store path as every other import). An envelope with an invalid object is
/// rejected whole, logged and counted, and the bookmark moves past it (asking again returns the
/// same invalid content). Transport, HTTP and store failures end the poll with an error and leave
/// the bookmark at the last envelope stored, so the next poll resumes there; `progress` (may be
/// null) then still tells what the envelopes before the failure added.
Result<TaxiiPollReport> poll_taxii_feed(StixStore& store, const TaxiiFeedConfig& feed,
                                        TaxiiPollReport* progress = nullptr);

/// The StixStore meta key of a feed's bookmark.
std::string taxii_feed_bookmark_key(const TaxiiFeedConfig& feed);

/// Runs every configured feed on its interval on one thread (first poll at start).
/// Threading: start/stop from the owner's thread; status() from any thread; `on_objects_added`
/// runs on the polling thread.
class TaxiiFeedPoller {
 public:
  /// `on_objects_added` (may be empty) is called after each poll that added objects, failed
  /// polls included when their first envelopes were stored (the server asks for a matcher
  /// rebuild there, as an API import does).
  TaxiiFeedPoller(StixStore& store, std::vector<TaxiiFeedConfig> feeds,
                  std::function<void()> on_objects_added = {});
  ~TaxiiFeedPoller();
  void start();
  /// Stops after the request in flight (bounded by the feed's timeout).
  void stop();
  /// Per feed: url, collection, polls, errors, totals, the last report and bookmark (JSON text).
  std::string status_json() const;

 private:
  struct FeedState;
  void run();
  StixStore& store_;
  std::function<void()> on_objects_added_;
  std::vector<std::unique_ptr<FeedState>> feeds_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

/// GET /api/v1/intel/feeds (national roles, as the other intelligence routes): the poller's
/// status_json().
void register_taxii_feed_routes(Router& router, TaxiiFeedPoller& poller, const ApiContext& api);

}  // namespace khien
