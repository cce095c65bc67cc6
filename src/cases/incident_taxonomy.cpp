// The national incident taxonomy table.
#include "cases/incident_taxonomy.h"

namespace khien {

const std::vector<IncidentCategory>& incident_categories() {
  static const std::vector<IncidentCategory> kTable{
      {"abusive-content.spam", "abusive-content", "Thư rác", "Spam"},
      {"abusive-content.harmful-speech", "abusive-content", "Nội dung xúc phạm, bôi nhọ", "Harmful speech"},
      {"abusive-content.violence", "abusive-content", "Nội dung bạo lực, lạm dụng trẻ em",
       "Child abuse, sexual or violent content"},
      {"abusive-content.disinformation", "abusive-content", "Tin giả, thông tin sai sự thật", "Disinformation"},
      {"malicious-code.infected-system", "malicious-code", "Hệ thống nhiễm mã độc", "Infected system"},
      {"malicious-code.c2-server", "malicious-code", "Máy chủ điều khiển mã độc (C&C)", "Command and control server"},
      {"malicious-code.malware-distribution", "malicious-code", "Phát tán mã độc", "Malware distribution"},
      {"malicious-code.malware-configuration", "malicious-code", "Cấu hình mã độc", "Malware configuration"},
      {"malicious-code.ransomware", "malicious-code", "Mã độc mã hóa tống tiền", "Ransomware"},
      {"information-gathering.scanner", "information-gathering", "Rà quét", "Scanning"},
      {"information-gathering.sniffing", "information-gathering", "Nghe lén lưu lượng", "Sniffing"},
      {"information-gathering.social-engineering", "information-gathering", "Tấn công phi kỹ thuật",
       "Social engineering"},
      {"intrusion-attempts.ioc", "intrusion-attempts", "Dấu hiệu tấn công đã biết (IOC)",
       "Known indicator of compromise"},
      {"intrusion-attempts.brute-force", "intrusion-attempts", "Dò mật khẩu", "Login attempts (brute force)"},
      {"intrusion-attempts.exploit", "intrusion-attempts", "Khai thác lỗ hổng (chưa thành công)",
       "Exploitation attempt"},
      {"intrusions.privileged-account-compromise", "intrusions", "Chiếm quyền tài khoản quản trị",
       "Privileged account compromise"},
      {"intrusions.unprivileged-account-compromise", "intrusions", "Chiếm quyền tài khoản người dùng",
       "Unprivileged account compromise"},
      {"intrusions.application-compromise", "intrusions", "Xâm nhập ứng dụng", "Application compromise"},
      {"intrusions.system-compromise", "intrusions", "Xâm nhập hệ thống", "System compromise"},
      {"intrusions.defacement", "intrusions", "Thay đổi giao diện trang web", "Website defacement"},
      {"intrusions.burglary", "intrusions", "Xâm nhập vật lý", "Burglary"},
      {"availability.dos", "availability", "Tấn công từ chối dịch vụ (DoS)", "Denial of service"},
      {"availability.ddos", "availability", "Tấn công từ chối dịch vụ phân tán (DDoS)",
       "Distributed denial of service"},
      {"availability.misconfiguration", "availability", "Gián đoạn do cấu hình sai", "Misconfiguration"},
      {"availability.sabotage", "availability", "Phá hoại", "Sabotage"},
      {"availability.outage", "availability", "Gián đoạn dịch vụ", "Outage"},
      {"information-content-security.unauthorised-information-access", "information-content-security",
       "Truy cập trái phép thông tin", "Unauthorised access to information"},
      {"information-content-security.unauthorised-information-modification", "information-content-security",
       "Sửa đổi trái phép thông tin", "Unauthorised modification of information"},
      {"information-content-security.data-loss", "information-content-security", "Mất dữ liệu", "Data loss"},
      {"information-content-security.data-leak", "information-content-security", "Lộ lọt dữ liệu", "Data leak"},
      {"fraud.unauthorised-use-of-resources", "fraud", "Sử dụng trái phép tài nguyên", "Unauthorised use of resources"},
      {"fraud.copyright", "fraud", "Vi phạm bản quyền", "Copyright infringement"},
      {"fraud.masquerade", "fraud", "Giả mạo danh tính", "Masquerade"},
      {"fraud.phishing", "fraud", "Lừa đảo trực tuyến (phishing)", "Phishing"},
      {"fraud.scam-app", "fraud", "Ứng dụng lừa đảo, giả mạo", "Scam or impersonating application"},
      {"vulnerable.weak-crypto", "vulnerable", "Mật mã yếu", "Weak cryptography"},
      {"vulnerable.ddos-amplifier", "vulnerable", "Dịch vụ có thể bị lợi dụng khuếch đại DDoS", "DDoS amplifier"},
      {"vulnerable.potentially-unwanted-accessible", "vulnerable", "Dịch vụ mở không cần thiết",
       "Potentially unwanted accessible service"},
      {"vulnerable.information-disclosure", "vulnerable", "Lộ thông tin hệ thống", "Information disclosure"},
      {"vulnerable.vulnerable-system", "vulnerable", "Hệ thống tồn tại lỗ hổng", "Vulnerable system"},
      {"other.other", "other", "Khác", "Other"},
      {"other.undetermined", "other", "Chưa xác định", "Undetermined"},
      {"test.test", "test", "Kiểm thử, diễn tập", "Test or drill"},
  };
  return kTable;
}

const IncidentCategory* find_incident_category(std::string_view code) {
  for (const auto& c : incident_categories())
    if (c.code == code) return &c;
  return nullptr;
}

}  // namespace khien
