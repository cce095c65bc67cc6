// The opening of a record in each format (OCSF class header, ECS event block, EVE/Zeek/Wazuh/Windows
// envelopes, CEF/LEEF headers) and small naming helpers the simulator's renderers share.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "app/simulated_activity.h"
#include "app/simulated_text.h"

namespace khien::sim {

struct EcsEvent {
  std::initializer_list<std::string_view> categories, types;
  std::string_view dataset, agent, kind = "event", action = {}, outcome = {}, code = {};
  int severity = 0;
};

std::string url_of(std::string_view scheme, std::string_view host, std::string_view target);
std::string basename_of(std::string_view path);
std::string guid(std::string_view seed);
std::string zeek_version(std::string_view tls);
std::string sysmon_hashes(std::string_view sha1, std::string_view md5, std::string_view sha256, std::string_view seed);
JsonLine ocsf_base(const Context& c, int class_uid, int activity_id, int severity_id, std::string_view product,
                   std::string_view vendor);
void ocsf_endpoints(JsonLine& j, const IpAddress& src, int sport, const IpAddress& dst, int dport,
                    std::string_view proto, std::string_view direction = {});
JsonLine ecs_base(const Context& c, const EcsEvent& e);
void ecs_endpoints(JsonLine& j, const IpAddress& src, int sport, const IpAddress& dst, int dport);
JsonLine eve_base(const Context& c, std::string_view event_type, const IpAddress& src, int sport, const IpAddress& dst,
                  int dport, std::string_view proto);
JsonLine zeek_base(const Context& c, std::string_view path, const IpAddress& src, int sport, const IpAddress& dst,
                   int dport);
JsonLine wazuh_base(const Context& c, std::string_view rule_id, int level, std::string_view description,
                    const std::vector<std::string>& groups, std::string_view agent_name, const IpAddress& agent_ip);
JsonLine winlog_base(const Context& c, int event_id, bool sysmon, std::string_view host, std::string_view event_type);
std::string fortigate_class(std::string_view kind);
CefLine cef_base(const Context& c, std::string_view kind, std::string_view name, int severity);
LeefLine leef_base(const Context& c, std::string_view event_id, std::string_view category);

}  // namespace khien::sim
