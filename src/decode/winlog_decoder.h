// WinlogDecoder: Windows events as JSON (evtx dumps with Event.System/Event.EventData, or flat NXLog JSON).
#pragma once

#include <memory>

#include "decode/field_mapper.h"
#include "decode/json_decoder.h"
#include "decode/windows_event_mapper.h"

namespace khien {

/// Decodes one Windows event. Two layouts are accepted:
/// - evtx dumps: `Event.System.EventID` (a number, or an object with `#text`), `Event.System.Channel`,
///   `Event.System.Provider.#attributes.Name` or `Event.System.Provider_attributes.Name`,
///   `Event.System.TimeCreated.#attributes.SystemTime` (or `TimeCreated_attributes`), `Event.EventData.*`;
/// - flat JSON (NXLog): `EventID`, `Channel`, `SourceName`/`ProviderName`, `EventTime`, EventData at the top.
/// Sets winlog.event_id/channel/provider_name/record_id, then the class and fields by EventID.
class WinlogDecoder final : public JsonDecoder {
 public:
  WinlogDecoder();
  std::string_view name() const override { return "winlog"; }
  Status decode_object(simdjson::dom::object root, Event& event) override;

 private:
  FieldMapper nested_;
  FieldMapper flat_;
  WindowsEventMapper nested_data_;
  WindowsEventMapper flat_data_;
  FieldId nested_ids_[4];  // EventID, EventID.#text, Level, Channel
  FieldId nested_time_[2];
  FieldId flat_ids_[2];    // EventID, Level
  FieldId flat_time_[3];
};

/// A new winlog decoder.
std::unique_ptr<Decoder> make_winlog_decoder();

}  // namespace khien
