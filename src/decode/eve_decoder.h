// EveDecoder: Suricata EVE JSON (alert, dns, http, tls, flow, fileinfo, anomaly and the rest).
#pragma once

#include <memory>

#include "decode/field_mapper.h"
#include "decode/json_decoder.h"

namespace khien {

/// Decodes one EVE record. The class follows event_type: alert and anomaly → 2004 Detection
/// Finding, dns → 4003, http → 4002, fileinfo → 4010, flow/netflow/tls and other protocol
/// records → 4001. Protocol sections (http, dns, tls, fileinfo, flow) map whatever the event_type,
/// since alerts carry them too.
class EveDecoder final : public JsonDecoder {
 public:
  EveDecoder();
  std::string_view name() const override { return "eve"; }
  Status decode(std::string_view record, Event& event) override { return decode_flattened(record, event); }
  Status decode_object(simdjson::dom::object root, Event& event) override;

 protected:
  Status map_flattened(Event& event) override;

 private:
  FieldMapper mapper_;
  FieldId event_type_, timestamp_, alert_severity_, dns_type_, http_url_, http_hostname_;
};

/// A new EVE decoder.
std::unique_ptr<Decoder> make_eve_decoder();

/// Splits a request target ("/a/b?x=1") into url.path and url.query_string and, with a host,
/// builds url.url_string ("http://host/a/b?x=1"). Shared by the EVE and Zeek decoders.
void set_url_parts(Event& event, std::string_view scheme, std::string_view host, std::string_view target);

/// OCSF HTTP Activity activity id of a request method (GET 3, POST 6, ...; 99 other).
std::int64_t http_activity(std::string_view method);

}  // namespace khien
