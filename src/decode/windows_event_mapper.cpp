// EventID-specific meaning of Windows EventData fields (Sysmon and the Security log).
#include "decode/windows_event_mapper.h"

#include <algorithm>
#include <string>

#include "core/field_dictionary.h"
#include "decode/field_mapper.h"
#include "decode/json_record.h"

namespace khien {

namespace {

// Names in Key order.
constexpr std::string_view kKeyNames[] = {
    "Image", "CommandLine", "ProcessId", "ParentImage", "ParentCommandLine", "ParentProcessId", "ParentUser",
    "User", "IntegrityLevel", "Hashes", "TargetFilename", "ImageLoaded", "SourceImage", "TargetImage",
    "SourceProcessId", "TargetProcessId", "SourceIp", "SourcePort", "SourceHostname", "DestinationIp",
    "DestinationPort", "DestinationHostname", "Protocol", "QueryName", "QueryStatus", "TargetUserName",
    "TargetDomainName", "SubjectUserName", "SubjectDomainName", "IpAddress", "IpPort", "WorkstationName",
    "NewProcessName", "NewProcessId", "ParentProcessName", "ProcessName", "Status", "SourceUser",
};
static_assert(std::size(kKeyNames) == static_cast<std::size_t>(WindowsEventMapper::Key::Count));

bool is_sysmon(std::string_view provider) { return provider == "Microsoft-Windows-Sysmon"; }

}  // namespace

WindowsEventMapper::WindowsEventMapper(std::string_view prefix) {
  std::string path;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    path.assign(prefix);
    path.append(kKeyNames[i]);
    ids_[i] = intern_field(path);
  }
  first_id_ = *std::min_element(ids_.begin(), ids_.end());
  const FieldId last = *std::max_element(ids_.begin(), ids_.end());
  key_of_.assign(last - first_id_ + 1, kNoKey);
  for (std::size_t i = 0; i < ids_.size(); ++i) key_of_[ids_[i] - first_id_] = static_cast<std::uint8_t>(i);
}

WindowsEventMapper::Positions WindowsEventMapper::find_keys(const Event& event) const {
  Positions at{};
  const Event::Slot* slots = event.begin();
  for (std::uint32_t i = 0; i < event.size(); ++i) {
    const FieldId f = slots[i].field;
    if (f < first_id_ || f - first_id_ >= key_of_.size()) continue;
    const std::uint8_t k = key_of_[f - first_id_];
    if (k == kNoKey) continue;
    at[k] = at[k] == 0 ? i + 1 : kMany;
  }
  return at;
}

void WindowsEventMapper::map_key(Event& event, const Positions& at, Key key, FieldId target, int as) const {
  const std::uint32_t pos = at[static_cast<std::size_t>(key)];
  if (pos == 0) return;
  const FieldId original = ids_[static_cast<std::size_t>(key)];
  // Windows writes "-" for "no value" (no user, no process, no address).
  if (pos == kMany) {
    if (event.get_string(original) == "-") return;
    map_field(event, original, target, static_cast<MapAs>(as));
    return;
  }
  const Value v = event.begin()[pos - 1].value;  // a copy: put_value may move the slots
  if ((v.type == FieldType::String && v.s == "-") || event.has(target)) return;
  put_value(event, target, v, static_cast<MapAs>(as));
}

void WindowsEventMapper::map_hash_list(Event& event, const Positions& at) const {
  // Sysmon lists hashes as "SHA1=...,MD5=...,SHA256=...,IMPHASH=...".
  const std::uint32_t pos = at[static_cast<std::size_t>(Key::Hashes)];
  if (pos == 0) return;
  const Value* v = pos == kMany ? event.get(ids_[static_cast<std::size_t>(Key::Hashes)]) : &event.begin()[pos - 1].value;
  if (v == nullptr || v->type != FieldType::String) return;
  std::string_view list = v->s;
  if (!event.has(field::process_file_hashes)) event.add(field::process_file_hashes, Value::of_string(list));
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view algo = item.substr(0, eq);
    FieldId target = algo == "MD5" ? field::file_hashes_md5
                     : algo == "SHA1" ? field::file_hashes_sha1
                     : algo == "SHA256" ? field::file_hashes_sha256
                     : algo == "SHA512" ? field::file_hashes_sha512
                                        : field::none;
    if (target == field::none || event.has(target)) continue;
    put_value(event, target, Value::of_string(item.substr(eq + 1)), MapAs::Lower);
  }
}

void WindowsEventMapper::apply(Event& event, std::int64_t id, std::string_view provider) const {
  constexpr int kLower = static_cast<int>(MapAs::Lower);
  constexpr int kBase = static_cast<int>(MapAs::Basename);
  const Positions at = find_keys(event);
  // The mappings below all read the positions found above.
  auto map = [&](Event& e, Key key, FieldId target, int as = 0) { map_key(e, at, key, target, as); };
  auto map_hashes = [&](Event& e) { map_hash_list(e, at); };
  auto created_process = [&](Key image, Key cmd, Key pid) {
    map(event, image, field::process_file_path);
    map(event, image, field::process_name, kBase);
    map(event, cmd, field::process_cmd_line);
    map(event, pid, field::process_pid);
  };
  auto acting_process = [&](Key image, Key pid) {
    map(event, image, field::actor_process_file_path);
    map(event, image, field::actor_process_name, kBase);
    map(event, pid, field::actor_process_pid);
  };
  if (is_sysmon(provider)) {
    switch (id) {
      case 1:  // process creation
        set_class(event, 1007, 1, "Launch");
        created_process(Key::Image, Key::CommandLine, Key::ProcessId);
        map(event, Key::User, field::process_user_name);
        map(event, Key::IntegrityLevel, field::process_integrity);
        map(event, Key::ParentImage, field::actor_process_file_path);
        map(event, Key::ParentImage, field::actor_process_name, kBase);
        map(event, Key::ParentCommandLine, field::actor_process_cmd_line);
        map(event, Key::ParentProcessId, field::actor_process_pid);
        map(event, Key::ParentUser, field::actor_user_name);
        map(event, Key::User, field::actor_user_name);
        map_hashes(event);
        return;
      case 3:  // network connection
        set_class(event, 4001, 1, "Open");
        map(event, Key::SourceIp, field::src_endpoint_ip);
        map(event, Key::SourcePort, field::src_endpoint_port);
        map(event, Key::SourceHostname, field::src_endpoint_hostname);
        map(event, Key::DestinationIp, field::dst_endpoint_ip);
        map(event, Key::DestinationPort, field::dst_endpoint_port);
        map(event, Key::DestinationHostname, field::dst_endpoint_hostname);
        map(event, Key::Protocol, field::connection_info_protocol_name, kLower);
        acting_process(Key::Image, Key::ProcessId);
        map(event, Key::User, field::actor_user_name);
        return;
      case 5:  // process terminated
        set_class(event, 1007, 2, "Terminate");
        created_process(Key::Image, Key::CommandLine, Key::ProcessId);
        map(event, Key::User, field::process_user_name);
        return;
      case 7:  // image loaded
        set_class(event, 1005, 1, "Load");
        map(event, Key::ImageLoaded, field::file_path);
        map(event, Key::ImageLoaded, field::file_name, kBase);
        acting_process(Key::Image, Key::ProcessId);
        map(event, Key::User, field::actor_user_name);
        map_hashes(event);
        return;
      case 10:  // process access
        set_class(event, 1007, 3, "Open");
        acting_process(Key::SourceImage, Key::SourceProcessId);
        map(event, Key::SourceUser, field::actor_user_name);
        map(event, Key::TargetImage, field::process_file_path);
        map(event, Key::TargetImage, field::process_name, kBase);
        map(event, Key::TargetProcessId, field::process_pid);
        return;
      case 11:  // file created
        set_class(event, 1001, 1, "Create");
        map(event, Key::TargetFilename, field::file_path);
        map(event, Key::TargetFilename, field::file_name, kBase);
        acting_process(Key::Image, Key::ProcessId);
        map(event, Key::User, field::actor_user_name);
        return;
      case 12:  // registry key created or deleted
      case 13:  // registry value set
      case 14:  // registry key or value renamed
        set_class(event, id == 13 ? 201002 : 201001, 99, "Other");
        acting_process(Key::Image, Key::ProcessId);
        map(event, Key::User, field::actor_user_name);
        return;
      case 22:  // DNS query
        set_class(event, 4003, 1, "Query");
        map(event, Key::QueryName, field::query_hostname);
        map(event, Key::QueryStatus, field::rcode);
        acting_process(Key::Image, Key::ProcessId);
        map(event, Key::User, field::actor_user_name);
        return;
      default: return;
    }
  }
  switch (id) {
    case 4624:
    case 4625:
    case 4634:
    case 4647: {
      const bool logon = id == 4624 || id == 4625;
      set_class(event, 3002, logon ? 1 : 2, logon ? "Logon" : "Logoff");
      if (id == 4624) event.set(field::status, Value::of_string("Success"));
      if (id == 4625) event.set(field::status, Value::of_string("Failure"));
      map(event, Key::TargetUserName, field::actor_user_name);
      map(event, Key::TargetDomainName, field::actor_user_domain);
      map(event, Key::IpAddress, field::src_endpoint_ip);
      map(event, Key::IpPort, field::src_endpoint_port);
      map(event, Key::WorkstationName, field::src_endpoint_hostname);
      acting_process(Key::ProcessName, Key::ProcessId);
      return;
    }
    case 4688:  // process creation; pids are hex ("0x1a2c")
      set_class(event, 1007, 1, "Launch");
      created_process(Key::NewProcessName, Key::CommandLine, Key::NewProcessId);
      map(event, Key::TargetUserName, field::process_user_name);
      acting_process(Key::ParentProcessName, Key::ProcessId);
      map(event, Key::SubjectUserName, field::actor_user_name);
      map(event, Key::SubjectDomainName, field::actor_user_domain);
      return;
    case 4698:
    case 4699:
    case 4700:
    case 4701:
    case 4702: {
      // Scheduled task created, deleted, enabled, disabled, updated.
      static constexpr std::int64_t kActivity[] = {1, 3, 4, 5, 2};
      static constexpr std::string_view kName[] = {"Create", "Delete", "Enable", "Disable", "Update"};
      set_class(event, 1006, kActivity[id - 4698], kName[id - 4698]);
      map(event, Key::SubjectUserName, field::actor_user_name);
      map(event, Key::SubjectDomainName, field::actor_user_domain);
      return;
    }
    default: return;
  }
}

}  // namespace khien
