// Times in Asia/Ho_Chi_Minh whatever the browser's zone, and small number formats.
import { signalLang } from './state';

const formatters: Record<string, Intl.DateTimeFormat> = {};

/// "22/11/2026, 21:30:05" style in Vietnam time (ICT); '' for missing or unreadable input.
export function fmt_time(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '';
  // Numbers are epoch nanoseconds (khien's TimeNs), micro-, milliseconds or seconds, told apart by size.
  const d = typeof v === 'number' ? new Date(v > 1e17 ? v / 1e6 : v > 1e14 ? v / 1e3 : v > 1e11 ? v : v * 1000) : new Date(v);
  if (isNaN(d.getTime())) return String(v);
  const locale = signalLang.value === 'en' ? 'en-GB' : 'vi-VN';
  const f = (formatters[locale] ??= new Intl.DateTimeFormat(locale, {
    timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }));
  return f.format(d);
}

export function fmt_num(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return n.toLocaleString(signalLang.value === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: digits });
}

/// "21:30:05" in Vietnam time, for chart axes.
export function fmt_clock(ms: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(ms));
}
