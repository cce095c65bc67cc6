// The one list of decoders: what `format=` accepts, in the order the docs show them.
#include <string>

#include "decode/auto_decoder.h"
#include "decode/cef_decoder.h"
#include "decode/decoder.h"
#include "decode/ecs_decoder.h"
#include "decode/eve_decoder.h"
#include "decode/leef_decoder.h"
#include "decode/netflow_record_decoder.h"
#include "decode/ocsf_decoder.h"
#include "decode/wazuh_decoder.h"
#include "decode/winlog_decoder.h"
#include "decode/zeek_decoder.h"

namespace khien {

const std::vector<DecoderInfo>& registered_decoders() {
  static const std::vector<DecoderInfo> decoders = {
      {"auto", "detect the format of each record (JSON layouts by their keys, CEF/LEEF by header)", &make_auto_decoder},
      {"ocsf", "OCSF JSON events (time in epoch milliseconds)", &make_ocsf_decoder},
      {"ecs", "Elastic Common Schema JSON (Elastic Agent, Filebeat, Winlogbeat)", &make_ecs_decoder},
      {"eve", "Suricata EVE JSON (alert, dns, http, tls, flow, fileinfo, anomaly, ...)", &make_eve_decoder},
      {"zeek", "Zeek JSON logs (conn, dns, http, ssl, files, notice, weird)", &make_zeek_decoder},
      {"wazuh", "Wazuh alerts.json", &make_wazuh_decoder},
      {"winlog", "Windows events as JSON (evtx dumps, NXLog flat JSON): Sysmon, Security", &make_winlog_decoder},
      {"cef", "ArcSight Common Event Format, bare or after a syslog header", &make_cef_decoder},
      {"leef", "IBM QRadar Log Event Extended Format, bare or after a syslog header", &make_leef_decoder},
      {"netflow", "flow records written by the NetFlow/IPFIX collector (binary flow records; flat JSON of older builds)",
       &make_netflow_record_decoder},
  };
  return decoders;
}

Result<std::unique_ptr<Decoder>> make_decoder(std::string_view format) {
  for (const auto& info : registered_decoders())
    if (info.name == format) return info.make();
  std::string known;
  for (const auto& info : registered_decoders()) {
    if (!known.empty()) known += ", ";
    known += info.name;
  }
  return fail("unknown format '" + std::string(format) + "'; known: " + known);
}

}  // namespace khien
