// WindowsEventMapper: the EventData of a Sysmon process creation mapped to the schema, with
// Windows' "-" for no value, fields set already, repeated keys and the Hashes list.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/arena.h"
#include "core/event.h"
#include "core/field_dictionary.h"
#include "decode/windows_event_mapper.h"

namespace khien {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Event sysmon_event(Arena& arena, const Fields& fields) {
  Event e(arena);
  for (const auto& [name, value] : fields) e.add(intern_field(name), Value::of_string(arena.copy(value)));
  return e;
}

std::string text(const Event& e, FieldId f) { return std::string(e.get_string(f)); }

TEST(WindowsEventMapper, ProcessCreationFields) {
  WindowsEventMapper mapper("");
  Arena arena;
  Event e = sysmon_event(arena, {{"Image", "C:\\Windows\\System32\\cmd.exe"},
                                 {"CommandLine", "cmd.exe /c whoami"},
                                 {"ProcessId", "4242"},
                                 {"User", "CORP\\alice"},
                                 {"ParentImage", "C:\\Windows\\explorer.exe"},
                                 {"ParentProcessId", "17"},
                                 {"Hashes", "SHA1=AA11,MD5=bb22bb22bb22bb22b,SHA256=cc33cc33cc33CC33,IMPHASH=DD44"}});
  mapper.apply(e, 1, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(e.get(field::class_uid)->i, 1007);
  EXPECT_EQ(text(e, field::process_file_path), "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(text(e, field::process_name), "cmd.exe");
  EXPECT_EQ(text(e, field::process_cmd_line), "cmd.exe /c whoami");
  EXPECT_EQ(e.get(field::process_pid)->i, 4242);
  EXPECT_EQ(text(e, field::process_user_name), "CORP\\alice");
  EXPECT_EQ(text(e, field::actor_process_name), "explorer.exe");
  EXPECT_EQ(e.get(field::actor_process_pid)->i, 17);
  EXPECT_EQ(text(e, field::actor_user_name), "CORP\\alice");  // no ParentUser: the User
  // Lowered: upper case in the first eight bytes, after them, or nowhere.
  EXPECT_EQ(text(e, field::file_hashes_sha1), "aa11");
  EXPECT_EQ(text(e, field::file_hashes_md5), "bb22bb22bb22bb22b");
  EXPECT_EQ(text(e, field::file_hashes_sha256), "cc33cc33cc33cc33");
  EXPECT_FALSE(e.has(field::actor_process_cmd_line));  // no ParentCommandLine
}

TEST(WindowsEventMapper, DashIsNoValueAndFieldsSetStay) {
  WindowsEventMapper mapper("winlog.event_data.");
  Arena arena;
  Event e = sysmon_event(arena, {{"winlog.event_data.Image", "C:\\x\\tool.exe"},
                                 {"winlog.event_data.CommandLine", "tool.exe -q"},
                                 {"winlog.event_data.User", "-"},
                                 {"winlog.event_data.ParentUser", "-"},
                                 // Twice, the first "-": as for one "-", nothing is mapped.
                                 {"winlog.event_data.IntegrityLevel", "-"},
                                 {"winlog.event_data.IntegrityLevel", "High"}});
  e.set_string(field::process_cmd_line, "set by the decoder");
  mapper.apply(e, 1, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(text(e, field::process_file_path), "C:\\x\\tool.exe");
  EXPECT_EQ(text(e, field::process_cmd_line), "set by the decoder");
  EXPECT_FALSE(e.has(field::process_user_name));
  EXPECT_FALSE(e.has(field::actor_user_name));
  EXPECT_FALSE(e.has(field::process_integrity));
}

TEST(WindowsEventMapper, RepeatedKeyWithAValueIsMapped) {
  WindowsEventMapper mapper("");
  Arena arena;
  Event e = sysmon_event(arena, {{"IntegrityLevel", "High"}, {"IntegrityLevel", "-"}, {"QueryName", "example.vn"}});
  mapper.apply(e, 1, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(text(e, field::process_integrity), "High");
  EXPECT_FALSE(e.has(field::query_hostname));  // a DNS key means nothing in a process creation
}

}  // namespace
}  // namespace khien
