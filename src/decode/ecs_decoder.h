// EcsDecoder: Elastic Common Schema documents (Elastic Agent, Filebeat, Winlogbeat).
#pragma once

#include <memory>

#include "decode/field_mapper.h"
#include "decode/json_decoder.h"
#include "decode/windows_event_mapper.h"

namespace khien {

/// Decodes one ECS document: ECS fields by table, then, for Winlogbeat documents, the
/// `winlog.event_data.*` fields as the winlog decoder maps them, then the class from
/// event.category / event.type / event.kind when nothing more specific set it.
class EcsDecoder final : public JsonDecoder {
 public:
  EcsDecoder();
  std::string_view name() const override { return "ecs"; }
  Status decode(std::string_view record, Event& event) override { return decode_flattened(record, event); }
  Status decode_object(simdjson::dom::object root, Event& event) override;

 protected:
  Status map_flattened(Event& event) override;

 private:
  void set_class_from_category(Event& event) const;

  FieldMapper mapper_;
  WindowsEventMapper windows_;
  FieldId timestamp_, category_, type_, kind_, agent_type_;
};

/// A new ECS decoder.
std::unique_ptr<Decoder> make_ecs_decoder();

}  // namespace khien
