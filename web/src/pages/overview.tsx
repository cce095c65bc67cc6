// Overview for the watch floor: province map, sector heat-map, live warnings (SSE), top attackers, SOC health, event rate.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api';
import { Async, Chart, Link, ListPager, Panel, Sev, Table, useApi } from '../components';
import { fmt_clock, fmt_num, fmt_time } from '../format';
import { t } from '../i18n';
import { is_national, reads_warnings, signalLang } from '../state';

/// Lists come either bare or under a named key; this accepts both.
export function list<T = any>(d: any, key: string): T[] {
  if (Array.isArray(d)) return d;
  if (d && Array.isArray(d[key])) return d[key];
  return [];
}

function ProvinceMap(props: { provinces: any[]; counts: Map<string, number> }) {
  const option = useMemo(() => {
    const en = signalLang.value === 'en';
    const data = props.provinces
      .filter((p) => typeof p.lon === 'number' && typeof p.lat === 'number')
      .map((p) => ({ name: en ? p.name_en || p.name : p.name, value: [p.lon, p.lat, props.counts.get(p.id) ?? 0] }));
    const max = Math.max(1, ...data.map((d) => d.value[2] as number));
    return {
      tooltip: { formatter: (p: any) => `${p.name}: ${fmt_num(p.value[2])} ${t('alerts')}` },
      visualMap: { min: 0, max, dimension: 2, calculable: true, orient: 'vertical', right: 0, bottom: 10, inRange: { color: ['#dbeafe', '#fbbf24', '#dc2626'] } },
      grid: { left: 10, right: 60, top: 10, bottom: 10 },
      xAxis: { type: 'value', min: 102, max: 110, show: false },
      yAxis: { type: 'value', min: 8, max: 23.6, show: false },
      series: [{
        type: 'scatter', data,
        symbol: 'roundRect',
        symbolSize: (v: number[]) => 14 + 22 * Math.sqrt(v[2] / max),
        label: { show: true, position: 'right', fontSize: 9, formatter: (p: any) => p.name },
      }],
    };
  }, [props.provinces, props.counts, signalLang.value]);
  return <Chart option={option} height={520} testid="province-map" />;
}

function SectorHeat(props: { sectors: any[] }) {
  const windows = ['1h', '6h', '24h'];
  const [rows, setRows] = useState<Map<string, number>[] | null>(null);
  useEffect(() => {
    Promise.all(windows.map((w) => get(`/api/v1/picture?window=${w}&top=100`).catch(() => null))).then((ps) =>
      setRows(ps.map((p) => new Map<string, number>(list(p, 'top_sectors').map((s: any) => [s.id, s.alerts])))),
    );
  }, []);
  const option = useMemo(() => {
    if (!rows) return {};
    const en = signalLang.value === 'en';
    const names = props.sectors.map((s) => (en ? s.name_en || s.name : s.name) || s.id);
    const data: number[][] = [];
    let max = 1;
    rows.forEach((m, y) => props.sectors.forEach((s, x) => {
      const v = m.get(s.id) ?? 0;
      max = Math.max(max, v);
      data.push([x, y, v]);
    }));
    return {
      tooltip: { formatter: (p: any) => `${names[p.value[0]]} · ${windows[p.value[1]]}: ${fmt_num(p.value[2])}` },
      grid: { left: 40, right: 10, top: 10, bottom: 90 },
      xAxis: { type: 'category', data: names, axisLabel: { rotate: 35, fontSize: 10 } },
      yAxis: { type: 'category', data: windows },
      visualMap: { min: 0, max, show: false, inRange: { color: ['#f1f5f9', '#f97316', '#991b1b'] } },
      series: [{ type: 'heatmap', data, label: { show: true, fontSize: 9 } }],
    };
  }, [rows, props.sectors, signalLang.value]);
  if (!rows) return <div class="state loading">{t('loading')}</div>;
  return <Chart option={option} height={260} testid="sector-heat" />;
}

function LiveWarnings() {
  const [items, setItems] = useState<any[]>([]);
  const [up, setUp] = useState(false);
  useEffect(() => {
    const es = new EventSource('/api/v1/warnings/stream', { withCredentials: true });
    es.onopen = () => setUp(true);
    es.onerror = () => setUp(false);
    es.addEventListener('warning', (e: MessageEvent) => {
      try {
        const w = JSON.parse(e.data);
        // A warning merged into an older one while it settled leaves the feed; the older one grows.
        setItems((old) => (w.merged_into ? old.filter((o) => o.id !== w.id) : [w, ...old.filter((o) => o.id !== w.id)].slice(0, 15)));
      } catch { /* a malformed frame is skipped */ }
    });
    return () => es.close();
  }, []);
  return (
    <div data-testid="live-warnings">
      <div class={up ? 'badge ok' : 'badge bad'}>{up ? t('connected') : t('disconnected')}</div>
      {items.length === 0 ? <div class="state empty">{t('no_warnings_yet')}</div> : (
        <ul class="feed">
          {items.map((w) => (
            <li>
              <Sev n={w.severity} /> <Link href={`/warnings/${w.id}`}>{w.title || w.key}</Link>
              <span class="muted"> · {w.kind} · {fmt_time(w.last_seen)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function EventRate(props: { rates: any[] }) {
  const [samples, setSamples] = useState<[number, number][]>([]);
  useEffect(() => {
    const sample = () => get('/api/v1/socs').then((d) => {
      const total = list(d, 'socs').reduce((a: number, s: any) => a + (Number(s.events_per_second) || 0), 0);
      setSamples((old) => [...old, [Date.now(), total] as [number, number]].slice(-60));
    }, () => {});
    sample();
    const timer = window.setInterval(sample, 10000);
    return () => clearInterval(timer);
  }, []);
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: [{ left: 50, right: 10, top: 30, height: 110 }, { left: 50, right: 10, top: 190, bottom: 60 }],
    xAxis: [
      { type: 'category', gridIndex: 0, data: samples.map(([ts]) => fmt_clock(ts)) },
      { type: 'category', gridIndex: 1, data: props.rates.map((r) => r.sector), axisLabel: { rotate: 30, fontSize: 9 } },
    ],
    yAxis: [{ type: 'value', gridIndex: 0, name: t('events_per_second') }, { type: 'value', gridIndex: 1, name: t('alerts_per_hour') }],
    series: [
      { name: t('events_per_second'), type: 'line', xAxisIndex: 0, yAxisIndex: 0, data: samples.map(([, v]) => Math.round(v * 10) / 10), smooth: true },
      { name: t('alerts_per_hour'), type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: props.rates.map((r) => Math.round(r.per_hour * 10) / 10) },
      { name: t('baseline'), type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: props.rates.map((r) => (r.expected_per_hour == null ? null : Math.round(r.expected_per_hour * 10) / 10)) },
    ],
  }), [samples, props.rates, signalLang.value]);
  return <Chart option={option} height={380} testid="event-rate" />;
}

function soc_status(s: any): 'ok' | 'stale' | 'never' {
  const last = s.last_seen ? new Date(s.last_seen).getTime() : 0;
  if (!last) return 'never';
  return (Date.now() - last) / 1000 < 300 ? 'ok' : 'stale';
}

/// The SOCs that need attention first (never connected, then stale), ten at a time, under the counts.
function SocHealth() {
  const r = useApi('/api/v1/socs', 15);
  const [page, setPage] = useState(0);
  return (
    <Async r={r} empty={(d) => list(d, 'socs').length === 0}>
      {(d) => {
        const order = { never: 0, stale: 1, ok: 2 };
        const socs = list(d, 'socs').map((s: any) => ({ ...s, status: soc_status(s) }))
          .sort((x: any, y: any) => order[x.status as keyof typeof order] - order[y.status as keyof typeof order] || String(x.id).localeCompare(String(y.id)));
        const n = (k: string) => socs.filter((s: any) => s.status === k).length;
        return (
          <>
            <div class="filters">
              <span class="badge ok" data-testid="soc-ok">{t('ok')}: {n('ok')}</span>
              <span class="badge bad">{t('stale')}: {n('stale')}</span>
              <span class="badge bad">{t('never')}: {n('never')}</span>
            </div>
            <Table testid="soc-health" rows={socs.slice(page * 10, page * 10 + 10)} cols={[
              { head: t('soc'), cell: (s: any) => s.name || s.id },
              { head: t('status'), cell: (s: any) => <span class={'badge ' + (s.status === 'ok' ? 'ok' : 'bad')}>{t(s.status)}</span> },
              { head: t('last_seen'), cell: (s: any) => fmt_time(s.last_seen) },
              { head: t('events_per_second'), cell: (s: any) => fmt_num(s.events_per_second, 1), cls: 'num' },
            ]} />
            <ListPager page={page} setPage={setPage} count={socs.length} size={10} />
          </>
        );
      }}
    </Async>
  );
}

function TopList(props: { rows: any[]; head: string }) {
  return <Table rows={props.rows} cols={[{ head: props.head, cell: (r: any) => r.value }, { head: t('alerts'), cell: (r: any) => fmt_num(r.alerts), cls: 'num' }]} />;
}

export function OverviewPage() {
  const [window_, setWindow] = useState('1h');
  // The national picture spans every organisation: national roles only. The warning stream is
  // filtered by the server to the warnings of the reader's organisation or sector.
  const national = is_national();
  const picture = useApi(national ? `/api/v1/picture?window=${window_}&top=100` : null, 30);
  const provinces = useApi('/api/v1/provinces');
  const sectors = useApi('/api/v1/sectors');
  const counts = useMemo(() => new Map<string, number>(list(picture.data, 'top_provinces').map((p: any) => [p.id, p.alerts])), [picture.data]);
  return (
    <div class="overview" data-testid="overview">
      <div class="toolbar">
        <label>{t('window')} <select value={window_} onChange={(e) => setWindow(e.currentTarget.value)}>
          {['15m', '1h', '6h', '24h'].map((w) => <option value={w}>{w}</option>)}
        </select></label>
      </div>
      <div class="cols">
        <Panel title={t('province_map')} cls="wide">
          <Async r={provinces}>{(p) => <ProvinceMap provinces={list(p, 'provinces')} counts={counts} />}</Async>
        </Panel>
        <Panel title={t('live_warnings')}>
          {reads_warnings() ? <LiveWarnings /> : <div class="state empty">{t('national_only')}</div>}
        </Panel>
      </div>
      <div class="cols">
        <Panel title={t('sector_heat')} cls="wide">
          {national ? <Async r={sectors}>{(s) => <SectorHeat sectors={list(s, 'sectors')} />}</Async> : <div class="state empty">{t('national_only')}</div>}
        </Panel>
        <Panel title={t('top_attackers')} testid="top-attackers">
          {!national ? <div class="state empty">{t('national_only')}</div> : <Async r={picture}>
            {(p) => (
              <div class="tops">
                <TopList rows={list(p, 'top_source_ips').slice(0, 10)} head={t('source_ip')} />
                <TopList rows={list(p, 'top_asns').slice(0, 5)} head={t('asn')} />
                <TopList rows={list(p, 'top_countries').slice(0, 5)} head={t('country')} />
              </div>
            )}
          </Async>}
        </Panel>
      </div>
      <div class="cols">
        <Panel title={t('event_rate')} cls="wide">
          <EventRate rates={list(picture.data, 'sector_rates')} />
        </Panel>
        <Panel title={t('soc_health')}>
          <SocHealth />
        </Panel>
      </div>
    </div>
  );
}
