// CefDecoder: ArcSight Common Event Format records, bare or after a syslog header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "decode/key_value.h"

namespace khien {

/// Decodes `CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|Severity|Extension`.
/// The record may start with a syslog header: decoding starts at the first "CEF:" found at the
/// start of the record or after a space. Header fields and every extension key are kept as
/// original fields (`cef.device_vendor`, `cef.ext.<key>`, custom labels as `cef.<label>`), and the
/// known keys map to the common schema (see the table in cef_decoder.cpp). Not thread-safe: one
/// instance per worker (it keeps scratch buffers).
class CefDecoder final : public Decoder {
 public:
  std::string_view name() const override { return "cef"; }
  Status decode(std::string_view record, Event& event) override;

 private:
  std::vector<KeyValue> pairs_;  // scratch, reused across records
  std::string name_;             // scratch for original field names
};

/// A new CEF decoder.
std::unique_ptr<Decoder> make_cef_decoder();

}  // namespace khien
