// The console's words in Vietnamese (default) and English; the choice is kept in localStorage.
import { signalLang } from './state';

type Dict = Record<string, string>;

const vi: Dict = {
  app_title: 'Khiên — Trung tâm điều hành',
  login: 'Đăng nhập', logout: 'Đăng xuất', username: 'Tên đăng nhập', password: 'Mật khẩu',
  login_failed: 'Đăng nhập không thành công', overview: 'Tổng quan', warnings: 'Cảnh báo sớm',
  incidents: 'Sự cố', directives: 'Chỉ đạo', compliance: 'Xếp hạng tuân thủ', vulns: 'Lỗ hổng',
  intel: 'Tình báo', events: 'Tìm sự kiện', registry: 'Danh mục', users: 'Người dùng & khóa',
  loading: 'Đang tải…', empty: 'Không có dữ liệu', error: 'Lỗi', next: 'Trang sau', first: 'Trang đầu',
  filter: 'Lọc', search: 'Tìm', total: 'Tổng', province_map: 'Bản đồ hoạt động theo tỉnh/thành',
  sector_heat: 'Mức độ theo lĩnh vực', live_warnings: 'Cảnh báo trực tiếp', top_attackers: 'Nguồn tấn công hàng đầu',
  soc_health: 'Tình trạng kết nối SOC', event_rate: 'Tốc độ sự kiện', alerts: 'Cảnh báo', alerts_per_hour: 'Cảnh báo/giờ',
  baseline: 'Đường cơ sở', source_ip: 'IP nguồn', asn: 'ASN', country: 'Quốc gia', last_seen: 'Lần cuối',
  status: 'Trạng thái', ok: 'Tốt', stale: 'Mất kết nối', never: 'Chưa kết nối', events_per_second: 'Sự kiện/giây',
  connected: 'Đã kết nối', disconnected: 'Mất kết nối', window: 'Khoảng thời gian', title: 'Tiêu đề', kind: 'Loại',
  severity: 'Mức độ', state: 'Trạng thái', sector: 'Lĩnh vực', province: 'Tỉnh/thành', org: 'Tổ chức', orgs: 'Tổ chức',
  active: 'Đang hoạt động', all: 'Tất cả', yes: 'Có', no: 'Không', detail: 'Chi tiết', back: 'Quay lại',
  evidence: 'Bằng chứng', first_seen: 'Lần đầu', key: 'Khóa', timeline: 'Diễn biến', assign: 'Giao xử lý',
  assignee: 'Người/đơn vị xử lý', assigned_to: 'Đã giao cho', transition: 'Chuyển trạng thái', note: 'Ghi chú',
  comment: 'Bình luận', send: 'Gửi', create_incident: 'Tạo sự cố', description: 'Mô tả', created: 'Tạo lúc',
  updated: 'Cập nhật', deadline: 'Hạn chót', issuer: 'Đơn vị ban hành', acknowledge: 'Xác nhận đã nhận',
  complete: 'Báo cáo hoàn thành', acknowledged: 'Đã xác nhận', completed: 'Đã hoàn thành', targets: 'Đối tượng',
  required_actions: 'Yêu cầu', rank: 'Hạng', score: 'Điểm', change: 'Thay đổi', previous: 'Kỳ trước', period: 'Kỳ',
  scope: 'Phạm vi', national: 'Toàn quốc', breakdown: 'Chi tiết điểm', component: 'Thành phần', weight: 'Trọng số',
  value: 'Giá trị', points: 'Điểm', priority: 'Ưu tiên', cvss: 'CVSS', epss: 'EPSS', kev: 'KEV', systems: 'Hệ thống',
  intel_status: 'Trạng thái bộ so khớp', sightings: 'Lần phát hiện', indicator: 'Chỉ báo', hits: 'Số lần',
  query: 'Truy vấn', since: 'Từ', until: 'Đến', time: 'Thời gian', soc: 'SOC', name: 'Tên', type: 'Loại hình',
  level: 'Cấp độ', owner: 'Chủ quản', role: 'Vai trò', disabled: 'Vô hiệu', keys: 'Khóa API', created_by: 'Người tạo',
  revoked: 'Đã thu hồi', language: 'English', signed_in_as: 'Đăng nhập với', not_found: 'Không tìm thấy trang',
  no_warnings_yet: 'Chưa có cảnh báo', done: 'Đã thực hiện', socs: 'SOC', value_col: 'Giá trị', matcher_version: 'Phiên bản',
  indicators: 'Chỉ báo', observables: 'Quan sát', built: 'Xây dựng lúc', forbidden: 'Không có quyền xem mục này',
  affected_orgs: 'Tổ chức bị ảnh hưởng', category: 'Phân loại', sla: 'SLA', overdue: 'Quá hạn', progress: 'Tiến độ',
  national_only: 'Chỉ hiển thị cho cấp quốc gia', others_not_shown: 'Tổ chức khác (chỉ đếm)', warning_masked: 'Cảnh báo xem theo phạm vi của bạn: các tổ chức khác chỉ được đếm, không nêu tên (TLP).', warning_merged: 'Đã gộp vào cảnh báo', warning_settling: 'Đang ổn định: có thể còn được gộp vào cảnh báo cũ hơn; thông báo sẽ gửi khi ổn định', ranges: 'Dải địa chỉ', exposure: 'Mức phơi nhiễm', min_priority: 'Ưu tiên tối thiểu', pattern: 'Mẫu',
};

const en: Dict = {
  app_title: 'Khien — Operations console',
  login: 'Log in', logout: 'Log out', username: 'Login', password: 'Password',
  login_failed: 'Login failed', overview: 'Overview', warnings: 'Early warnings',
  incidents: 'Incidents', directives: 'Directives', compliance: 'Compliance ranking', vulns: 'Vulnerabilities',
  intel: 'Intelligence', events: 'Event search', registry: 'Registry', users: 'Users & keys',
  loading: 'Loading…', empty: 'Nothing to show', error: 'Error', next: 'Next page', first: 'First page',
  filter: 'Filter', search: 'Search', total: 'Total', province_map: 'Activity by province',
  sector_heat: 'Sector heat-map', live_warnings: 'Live warnings', top_attackers: 'Top attackers',
  soc_health: 'SOC connection health', event_rate: 'Event rate', alerts: 'Alerts', alerts_per_hour: 'Alerts/hour',
  baseline: 'Baseline', source_ip: 'Source IP', asn: 'ASN', country: 'Country', last_seen: 'Last seen',
  status: 'Status', ok: 'Healthy', stale: 'Stale', never: 'Never connected', events_per_second: 'Events/s',
  connected: 'Connected', disconnected: 'Disconnected', window: 'Window', title: 'Title', kind: 'Kind',
  severity: 'Severity', state: 'State', sector: 'Sector', province: 'Province', org: 'Organisation', orgs: 'Organisations',
  active: 'Active', all: 'All', yes: 'Yes', no: 'No', detail: 'Detail', back: 'Back',
  evidence: 'Evidence', first_seen: 'First seen', key: 'Key', timeline: 'Timeline', assign: 'Assign',
  assignee: 'Assignee', assigned_to: 'Assigned to', transition: 'Change state', note: 'Note',
  comment: 'Comment', send: 'Send', create_incident: 'Open incident', description: 'Description', created: 'Created',
  updated: 'Updated', deadline: 'Deadline', issuer: 'Issuer', acknowledge: 'Acknowledge',
  complete: 'Report completion', acknowledged: 'Acknowledged', completed: 'Completed', targets: 'Targets',
  required_actions: 'Required actions', rank: 'Rank', score: 'Score', change: 'Change', previous: 'Previous', period: 'Period',
  scope: 'Scope', national: 'National', breakdown: 'Breakdown', component: 'Component', weight: 'Weight',
  value: 'Value', points: 'Points', priority: 'Priority', cvss: 'CVSS', epss: 'EPSS', kev: 'KEV', systems: 'Systems',
  intel_status: 'Matcher status', sightings: 'Sightings', indicator: 'Indicator', hits: 'Hits',
  query: 'Query', since: 'Since', until: 'Until', time: 'Time', soc: 'SOC', name: 'Name', type: 'Type',
  level: 'Level', owner: 'Owner', role: 'Role', disabled: 'Disabled', keys: 'API keys', created_by: 'Created by',
  revoked: 'Revoked', language: 'Tiếng Việt', signed_in_as: 'Signed in as', not_found: 'No such page',
  no_warnings_yet: 'No warnings yet', done: 'Done', socs: 'SOCs', value_col: 'Value', matcher_version: 'Version',
  indicators: 'Indicators', observables: 'Observables', built: 'Built at', forbidden: 'You may not see this',
  affected_orgs: 'Affected organisations', category: 'Category', sla: 'SLA', overdue: 'Overdue', progress: 'Progress',
  national_only: 'Shown to national roles only', others_not_shown: 'Other organisations (counted only)', warning_masked: 'Your scope\'s view of this warning: other organisations are counted, not named (TLP).', warning_merged: 'Merged into warning', warning_settling: 'Settling: it may still be merged into an older warning; notifications go out once it has settled', ranges: 'Address ranges', exposure: 'Exposure', min_priority: 'Minimum priority', pattern: 'Pattern',
};

const dicts: Record<string, Dict> = { vi, en };

/// The word for `key` in the current language (the key itself when neither dictionary has it).
export function t(key: string): string {
  return dicts[signalLang.value]?.[key] ?? vi[key] ?? key;
}
