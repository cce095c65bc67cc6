// Windows event JSON: the System part by table, the EventData part by WindowsEventMapper.
#include "decode/winlog_decoder.h"

#include "core/field_dictionary.h"

namespace khien {

namespace {

constexpr FieldMapping kNested[] = {
    {"Event.System.EventID", field::winlog_event_id},
    {"Event.System.EventID.#text", field::winlog_event_id},
    {"Event.System.Channel", field::winlog_channel},
    {"Event.System.Channel", field::metadata_log_name},
    {"Event.System.Provider.#attributes.Name", field::winlog_provider_name},
    {"Event.System.Provider_attributes.Name", field::winlog_provider_name},
    {"Event.System.EventRecordID", field::winlog_record_id},
    {"Event.System.Computer", field::device_hostname},
};

constexpr FieldMapping kFlat[] = {
    {"EventID", field::winlog_event_id},
    {"Channel", field::winlog_channel},
    {"Channel", field::metadata_log_name},
    {"ProviderName", field::winlog_provider_name},
    {"SourceName", field::winlog_provider_name},
    {"EventRecordID", field::winlog_record_id},
    {"RecordNumber", field::winlog_record_id},
    {"Computer", field::device_hostname},
    {"Hostname", field::device_hostname},
};

constexpr std::string_view kNestedTime[] = {"Event.System.TimeCreated.#attributes.SystemTime",
                                            "Event.System.TimeCreated_attributes.SystemTime"};
constexpr std::string_view kFlatTime[] = {"EventTime", "TimeCreated", "UtcTime"};

// Windows levels: 1 critical, 2 error, 3 warning, 4 information, 5 verbose, 0 "log always".
std::int64_t severity_of_level(std::int64_t level) {
  switch (level) {
    case 1: return 5;
    case 2: return 4;
    case 3: return 3;
    default: return 1;
  }
}

}  // namespace

WinlogDecoder::WinlogDecoder()
    : nested_(kNested), flat_(kFlat), nested_data_("Event.EventData."), flat_data_("") {
  nested_ids_[0] = intern_field("Event.System.EventID");
  nested_ids_[1] = intern_field("Event.System.EventID.#text");
  nested_ids_[2] = intern_field("Event.System.Level");
  nested_ids_[3] = intern_field("Event.System.Channel");
  for (std::size_t i = 0; i < 2; ++i) nested_time_[i] = intern_field(kNestedTime[i]);
  flat_ids_[0] = intern_field("EventID");
  flat_ids_[1] = intern_field("Level");
  for (std::size_t i = 0; i < 3; ++i) flat_time_[i] = intern_field(kFlatTime[i]);
}

Status WinlogDecoder::decode_object(simdjson::dom::object root, Event& event) {
  flattener_.flatten(root, event);
  const bool nested = event.has(nested_ids_[0]) || event.has(nested_ids_[1]) || event.has(nested_ids_[3]);
  (nested ? nested_ : flat_).apply(event);
  const Value* id_value = event.get(field::winlog_event_id);
  if (id_value == nullptr)
    return fail(nested ? "field 'Event.System.EventID': missing or not a number"
                       : "field 'EventID': missing or not a number (not a Windows event)");
  const std::int64_t event_id = id_value->i;

  const FieldId* times = nested ? nested_time_ : flat_time_;
  const std::string_view* names = nested ? kNestedTime : kFlatTime;
  const std::size_t time_count = nested ? 2 : 3;
  for (std::size_t i = 0; i < time_count; ++i) {
    if (!event.has(times[i])) continue;
    if (auto st = set_time_from(event, times[i], names[i], EpochUnit::Seconds); !st) return st;
    break;
  }
  if (const Value* level = event.get(nested ? nested_ids_[2] : flat_ids_[1])) {
    std::int64_t n = 0;
    if (value_int(*level, n)) event.set_int(field::severity_id, severity_of_level(n));
  }
  const std::string_view provider = event.get_string(field::winlog_provider_name);
  (nested ? nested_data_ : flat_data_).apply(event, event_id, provider);
  if (provider == "Microsoft-Windows-Sysmon") set_product(event, "Sysmon", "Microsoft");
  else set_product(event, "Windows", "Microsoft");
  return {};
}

std::unique_ptr<Decoder> make_winlog_decoder() { return std::make_unique<WinlogDecoder>(); }

}  // namespace khien
