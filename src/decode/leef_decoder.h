// LeefDecoder: IBM QRadar Log Event Extended Format 1.0 and 2.0 records, bare or after a syslog header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "decode/key_value.h"

namespace khien {

/// Decodes `LEEF:1.0|Vendor|Product|Version|EventID|` + tab-separated `key=value` attributes, and
/// `LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|` + attributes separated by that delimiter (a
/// character, or its hex code as `x5E` / `0x5E`; tab when omitted). The record may start with a
/// syslog header. A LEEF 1.0 record without any tab falls back to space-separated pairs, the way
/// many senders write it. Header fields and attributes are kept as original fields (`leef.vendor`,
/// `leef.<key>`); known keys map to the common schema. Not thread-safe: one instance per worker.
class LeefDecoder final : public Decoder {
 public:
  std::string_view name() const override { return "leef"; }
  Status decode(std::string_view record, Event& event) override;

 private:
  std::vector<KeyValue> pairs_;  // scratch, reused across records
  std::string name_;             // scratch for original field names
};

/// A new LEEF decoder.
std::unique_ptr<Decoder> make_leef_decoder();

}  // namespace khien
