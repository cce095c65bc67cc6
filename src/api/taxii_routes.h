// The TAXII 2.1 server routes under /taxii2/: discovery, API roots, collections, objects,
// manifests, versions and status resources, over the StixStore.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "api/identity.h"
#include "intel/tlp.h"
#include "store/stix_store.h"

namespace khien {

/// Who is calling, as the authentication callback established.
struct TaxiiPrincipal {
  std::string name;          ///< user or key name (for the status resources and logs)
  std::string org;           ///< the caller's organisation id (registry id)
  Tlp max_tlp = Tlp::green;  ///< the most restricted TLP level the caller may read
  bool can_write = true;     ///< may POST objects (collections' own rules apply as well)
  bool is_admin = false;     ///< sees and writes every collection and every TLP level
};

/// The TAXII identity of an authenticated principal (docs/ACCESS.md): national roles read and write
/// everything; auditors read up to AMBER+STRICT; an organisation SOC reads up to AMBER, with its
/// organisation for the collections' reader lists; sector CERTs up to AMBER; ISP consumers CLEAR and
/// GREEN; reporters nothing (nullopt).
std::optional<TaxiiPrincipal> taxii_principal(const Principal& principal);

/// Everything the TAXII routes use. Owned by the server; outlives the router.
///
/// Access rules (in this order): a collection is listed to a caller when it is readable or
/// writable for them — admins always; others when its `readers` list is empty or names their
/// organisation. Objects are served when the collection's `can_read` is set, the object's TLP
/// is at most the caller's `max_tlp`, and, for TLP:RED and TLP:AMBER+STRICT objects, the
/// caller's organisation is one of the collection's named `recipients` (the collection ACL is
/// where TLP:RED recipients are recorded). Writes need `can_write` on the collection, the
/// caller's `can_write`, and an empty `writers` list or one naming their organisation.
struct TaxiiContext {
  StixStore* store = nullptr;
  /// Checks the request's credentials (HTTP Basic or Bearer; see basic_credentials() and
  /// bearer_token()); nullopt means 401. Unset: every request is refused.
  std::function<std::optional<TaxiiPrincipal>(const HttpRequest&)> authenticate;
  /// Prefix of the URLs listed in discovery ("https://khien.example.vn"); empty: taken from the
  /// request's Host header (http://HOST).
  std::string base_url;
  std::size_t max_page_size = 1000;           ///< `limit` is capped here; also the page size when no limit is given
  std::size_t max_bundle_bytes = 256u << 20;  ///< POST bodies above this (or the API root's max_content_length) get 413
  /// Called after a POST added at least one object (the server rebuilds its indicator matcher).
  std::function<void()> on_objects_added;
};

/// Registers every /taxii2/ route on `router` (with and without the trailing slash).
void register_taxii_routes(Router& router, TaxiiContext& context);

/// The user and password of an `Authorization: Basic …` header.
std::optional<std::pair<std::string, std::string>> basic_credentials(const HttpRequest& request);
/// The token of an `Authorization: Bearer …` header.
std::optional<std::string> bearer_token(const HttpRequest& request);

/// Creates the national API root ("khien") with the default import collection when the store
/// has no API root yet, so a fresh server answers discovery with something useful.
Status ensure_default_taxii_layout(StixStore& store);

}  // namespace khien
