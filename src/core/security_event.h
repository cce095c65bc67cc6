// A refused or suspicious request worth a record in the audit chain (failed login, refused CSRF token, ...).
#pragma once

#include <functional>
#include <string>

namespace khien {

/// One security event as the layer that saw it describes it; the cases layer writes it to the audit
/// chain (`cases/security_audit.h`), coalescing repeats.
struct SecurityEvent {
  std::string action;  ///< "security.login_failed", "security.csrf_refused", ...
  std::string actor;   ///< login, API key id, or "anonymous" when nobody is identified
  std::string source;  ///< the remote address of the request
  std::string reason;  ///< why it was refused, for a reader of the audit log
};

/// Where the layers that see security events hand them; may be empty (nothing is recorded).
using SecurityEventSink = std::function<void(const SecurityEvent&)>;

}  // namespace khien
