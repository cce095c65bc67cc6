// NetflowRecordDecoder: the flow records the NetFlow/IPFIX collector spools (binary; flat JSON from older builds).
#pragma once

#include <memory>

#include "core/flow_record.h"
#include "decode/json_decoder.h"

namespace khien {

/// Decodes one flow record written by the collector (ingest/netflow_udp_source). Since layout 1
/// that is a binary flow record (core/flow_record.h, docs/TRAFFIC.md): its fields go straight into
/// the event, elements (`netflow.<IE name>`, `ipfix.<pen>.<id>`) by number without interning
/// their names. Records spooled by earlier builds are flat JSON objects whose keys are
/// common-schema names (`src_endpoint.ip`, `traffic.bytes`, `time` in RFC 3339, ...) and original
/// paths; they are still read. The packet was decoded at ingest, where the exporter's templates
/// live; this only reads the result back, so a record needs no template and the pipeline stays
/// stateless. The record is not kept as raw: its fields are the event, and the original is the
/// binary packet.
class NetflowRecordDecoder final : public JsonDecoder {
 public:
  std::string_view name() const override { return "netflow"; }
  Status decode(std::string_view record, Event& event) override;
  Status decode_object(simdjson::dom::object root, Event& event) override;

 private:
  FlowRecordReader reader_;  // binary records, learning the collector's few layouts
};

/// A new flow record decoder.
std::unique_ptr<Decoder> make_netflow_record_decoder();

}  // namespace khien
