// Compliance ranking by scope and period, with one organisation's score breakdown and history.
import { useMemo, useState } from 'preact/hooks';
import { qs } from '../api';
import { Async, Chart, Link, ListPager, Panel, Table, useApi, useForm } from '../components';
import { fmt_num } from '../format';
import { t } from '../i18n';
import { navigate, session } from '../state';
import { list } from './overview';

const PAGE = 25;

function Breakdown(props: { org: string }) {
  const r = useApi(`/api/v1/compliance/${encodeURIComponent(props.org)}`);
  return (
    <Panel title={`${t('breakdown')}: ${props.org}`} testid="compliance-breakdown">
      <Async r={r}>
        {(d) => (
          <>
            <div class="big">{t('score')}: {fmt_num(d.score, 1)}</div>
            <Table rows={list(d, 'components')} cols={[
              { head: t('component'), cell: (c: any) => c.name },
              { head: t('weight'), cell: (c: any) => fmt_num(c.weight, 2), cls: 'num' },
              { head: t('value'), cell: (c: any) => fmt_num(c.value, 2), cls: 'num' },
              { head: t('points'), cell: (c: any) => fmt_num(c.points, 1), cls: 'num' },
              { head: '', cell: (c: any) => (c.facts && typeof c.facts === 'object' ? Object.entries(c.facts).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ') : '') },
            ]} />
            {d.ranks && <p class="muted">{Object.entries(d.ranks).map(([s, v]: [string, any]) => `${s}: ${v.rank}/${v.of}`).join(' · ')}</p>}
            <HistoryChart rows={list(d, 'history')} />
          </>
        )}
      </Async>
    </Panel>
  );
}

function HistoryChart(props: { rows: any[] }) {
  const option = useMemo(() => ({
    grid: { left: 40, right: 10, top: 10, bottom: 30 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: props.rows.map((r) => r.period) },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [{ type: 'line', data: props.rows.map((r) => r.score) }],
  }), [props.rows]);
  if (props.rows.length === 0) return null;
  return <Chart option={option} height={180} />;
}

export function CompliancePage(props: { org: string }) {
  const [draft, f, set, apply] = useForm({ scope: 'national', period: '', compare: '' });
  const [page, setPage] = useState(0);
  const r = useApi(`/api/v1/compliance/ranking${qs(f)}`);
  const mine = session.me?.role === 'org-soc' ? session.me.scope : '';
  return (
    <div data-testid="compliance-page">
      <Panel title={t('compliance')}>
        <form class="filters" onSubmit={(e) => { e.preventDefault(); setPage(0); apply(); }}>
          <label>{t('scope')} <input value={draft.scope} onInput={(e) => set('scope', e.currentTarget.value)} placeholder="national | sector:<id> | province:<id>" /></label>
          <label>{t('period')} <input value={draft.period} onInput={(e) => set('period', e.currentTarget.value)} placeholder="YYYY-MM" /></label>
          <label>{t('previous')} <input value={draft.compare} onInput={(e) => set('compare', e.currentTarget.value)} placeholder="YYYY-MM" /></label>
          <button type="submit">{t('filter')}</button>
        </form>
        <Async r={r}>
          {(d) => {
            const rows = list(d, 'ranking');
            return (
              <>
                <Table testid="ranking" rows={rows.slice(page * PAGE, page * PAGE + PAGE)} onRow={(x: any) => navigate(`/compliance/${x.org}`)} cols={[
                  { head: t('rank'), cell: (x: any) => x.rank, cls: 'num' },
                  { head: t('org'), cell: (x: any) => <Link href={`/compliance/${x.org}`} cls={x.org === mine ? 'mine' : ''}>{x.name || x.org}</Link> },
                  { head: t('sector'), cell: (x: any) => x.sector },
                  { head: t('province'), cell: (x: any) => x.province },
                  { head: t('score'), cell: (x: any) => fmt_num(x.score, 1), cls: 'num' },
                  { head: t('previous'), cell: (x: any) => (x.previous_rank == null ? '—' : `${x.previous_rank} (${fmt_num(x.previous_score, 1)})`), cls: 'num' },
                  { head: t('change'), cell: (x: any) => (x.change == null ? '—' : x.change > 0 ? `▲${x.change}` : x.change < 0 ? `▼${-x.change}` : '='), cls: 'num' },
                ]} />
                <ListPager page={page} setPage={setPage} count={rows.length} size={PAGE} total={rows.length} />
              </>
            );
          }}
        </Async>
      </Panel>
      {(props.org || mine) && <Breakdown org={props.org || mine} />}
    </div>
  );
}
