// Event search: the query language, time range and tenant filters run on the server, paged by cursor.
import { useState } from 'preact/hooks';
import { qs } from '../api';
import { Async, Pager, Panel, Table, useApi, useCursor, useForm } from '../components';
import { fmt_num, fmt_time } from '../format';
import { t } from '../i18n';
import { list } from './overview';

function summary(e: any): string {
  const parts: string[] = [];
  const pick = (v: any) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  for (const k of ['class_name', 'activity_name', 'message', 'src_endpoint', 'dst_endpoint', 'query']) if (e[k] !== undefined) parts.push(`${k}=${pick(e[k])}`);
  const s = parts.join(' · ');
  return s || JSON.stringify(e).slice(0, 300);
}

export function EventsPage() {
  const pager = useCursor();
  const [draft, f, set, apply] = useForm({ q: '', since: '', until: '', org: '', sector: '', province: '', soc: '' });
  const [open, setOpen] = useState<any>(null);
  const r = useApi(`/api/v1/events${qs({ ...f, limit: 50, cursor: pager.cursor })}`);
  return (
    <Panel title={t('events')} testid="events-page">
      <form class="filters" onSubmit={(e) => { e.preventDefault(); pager.first(); apply(); }}>
        <label class="grow">{t('query')} <input name="q" value={draft.q} onInput={(e) => set('q', e.currentTarget.value)} placeholder="src_endpoint.ip:10.0.0.0/8 AND NOT severity_id:<3" /></label>
        <label>{t('since')} <input value={draft.since} onInput={(e) => set('since', e.currentTarget.value)} placeholder="2026-01-01T00:00:00Z" /></label>
        <label>{t('until')} <input value={draft.until} onInput={(e) => set('until', e.currentTarget.value)} /></label>
        <label>{t('org')} <input value={draft.org} onInput={(e) => set('org', e.currentTarget.value)} /></label>
        <label>{t('sector')} <input value={draft.sector} onInput={(e) => set('sector', e.currentTarget.value)} /></label>
        <label>{t('province')} <input value={draft.province} onInput={(e) => set('province', e.currentTarget.value)} /></label>
        <button type="submit">{t('search')}</button>
      </form>
      <Async r={r}>
        {(d) => (
          <>
            <Table testid="events-table" rows={list(d, 'events')} onRow={setOpen} cols={[
              { head: t('time'), cell: (e: any) => fmt_time(e.time ?? e.time_dt) },
              { head: t('org'), cell: (e: any) => e.org ?? e.metadata?.org ?? '' },
              { head: t('soc'), cell: (e: any) => e.soc ?? '' },
              { head: t('detail'), cell: (e: any) => summary(e) },
            ]} />
            <Pager total={d.total} next_cursor={d.next_cursor} pager={pager} />
            <span class="muted">{d.total_is_exact === false ? '≈' : ''}{fmt_num(d.total)}</span>
          </>
        )}
      </Async>
      {open && <pre class="json" onClick={() => setOpen(null)}>{JSON.stringify(open, null, 2)}</pre>}
    </Panel>
  );
}
