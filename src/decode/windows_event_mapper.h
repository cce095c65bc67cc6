// WindowsEventMapper: maps the EventData of Sysmon and Security events to the schema, by EventID.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/event.h"

namespace khien {

/// Knows what the EventData fields of common Windows events mean (Sysmon 1/3/5/7/10/11/12/13/22,
/// Security 4624/4625/4634/4688/4698-4702) and sets the class and schema fields from them.
/// The same names appear under different prefixes: `Event.EventData.` (evtx dumps), none (NXLog
/// flat JSON), `winlog.event_data.` (Winlogbeat), so each decoder builds one mapper per prefix.
/// Immutable after construction.
class WindowsEventMapper {
 public:
  explicit WindowsEventMapper(std::string_view prefix);

  /// Maps the EventData fields of an event with this EventID and provider; fields already set stay.
  void apply(Event& event, std::int64_t event_id, std::string_view provider) const;

  /// The EventData keys this mapper reads.
  enum class Key : std::uint8_t {
    Image, CommandLine, ProcessId, ParentImage, ParentCommandLine, ParentProcessId, ParentUser, User,
    IntegrityLevel, Hashes, TargetFilename, ImageLoaded, SourceImage, TargetImage, SourceProcessId,
    TargetProcessId, SourceIp, SourcePort, SourceHostname, DestinationIp, DestinationPort,
    DestinationHostname, Protocol, QueryName, QueryStatus, TargetUserName, TargetDomainName,
    SubjectUserName, SubjectDomainName, IpAddress, IpPort, WorkstationName, NewProcessName,
    NewProcessId, ParentProcessName, ProcessName, Status, SourceUser, Count
  };

 private:
  static constexpr std::size_t kKeys = static_cast<std::size_t>(Key::Count);
  // Where each key's field is in the event: slot position + 1, 0 when absent, kMany when it occurs
  // more than once. Found in one pass over the slots, so a mapping does not search them again.
  static constexpr std::uint32_t kMany = 0xFFFFFFFFu;
  using Positions = std::array<std::uint32_t, kKeys>;
  Positions find_keys(const Event& event) const;

  // `at` from find_keys(event) of this same apply().
  void map_key(Event& event, const Positions& at, Key key, FieldId target, int as = 0) const;
  void map_hash_list(Event& event, const Positions& at) const;
  std::array<FieldId, kKeys> ids_{};
  // FieldId - first_id_ -> key index, or kNoKey (ids_ are interned together, so the range is small).
  static constexpr std::uint8_t kNoKey = 0xFF;
  FieldId first_id_ = 0;
  std::vector<std::uint8_t> key_of_;
};

}  // namespace khien
