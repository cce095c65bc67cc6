// WazuhDecoder: Wazuh alerts (alerts.json) as detection findings.
#pragma once

#include <memory>

#include "decode/field_mapper.h"
#include "decode/json_decoder.h"

namespace khien {

/// Decodes one Wazuh alert into a 2004 Detection Finding: rule.* → finding_info and ATT&CK ids,
/// rule.level (0..15) → severity_id, agent.* → device, data.* → endpoints and user, syscheck.* → file.
class WazuhDecoder final : public JsonDecoder {
 public:
  WazuhDecoder();
  std::string_view name() const override { return "wazuh"; }
  Status decode_object(simdjson::dom::object root, Event& event) override;

 private:
  FieldMapper mapper_;
  FieldId timestamp_, level_;
};

/// OCSF severity_id of a Wazuh rule level: 0-3 informational, 4-7 low, 8-11 medium, 12-14 high, 15 critical.
std::int64_t wazuh_severity(std::int64_t level);

/// A new Wazuh decoder.
std::unique_ptr<Decoder> make_wazuh_decoder();

}  // namespace khien
