// NetflowRecordDecoder: the flow records the NetFlow/IPFIX collector spools (one flat JSON object per flow).
#pragma once

#include <memory>

#include "decode/json_decoder.h"

namespace khien {

/// Decodes one flow record written by the collector (ingest/netflow_udp_source): a flat JSON
/// object whose keys are common-schema names (`src_endpoint.ip`, `traffic.bytes`, `time` in
/// RFC 3339, ...) and original `netflow.<IE name>` / `ipfix.<pen>.<id>` paths. The packet was
/// decoded at ingest, where the exporter's templates live; this only reads the result back, so a
/// record needs no template and the pipeline stays stateless. The record is not kept as raw: its
/// fields are the event, and the original is the binary packet.
class NetflowRecordDecoder final : public JsonDecoder {
 public:
  std::string_view name() const override { return "netflow"; }
  Status decode_object(simdjson::dom::object root, Event& event) override;
};

/// A new flow record decoder.
std::unique_ptr<Decoder> make_netflow_record_decoder();

}  // namespace khien
