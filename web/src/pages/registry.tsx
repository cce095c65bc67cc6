// The registry: organisations (filtered on the server), SOC connectors and information systems.
import { useState } from 'preact/hooks';
import { qs } from '../api';
import { Async, ListPager, Panel, Table, useApi, useForm } from '../components';
import { fmt_num, fmt_time } from '../format';
import { t } from '../i18n';
import { list } from './overview';

const PAGE = 25;

function Paged<R>(props: { rows: R[]; render: (rows: R[]) => any }) {
  const [page, setPage] = useState(0);
  return (
    <>
      {props.render(props.rows.slice(page * PAGE, page * PAGE + PAGE))}
      <ListPager page={page} setPage={setPage} count={props.rows.length} size={PAGE} total={props.rows.length} />
    </>
  );
}

export function RegistryPage() {
  const [tab, setTab] = useState<'orgs' | 'socs' | 'systems'>('orgs');
  const [draft, f, set, apply] = useForm({ sector: '', province: '', type: '' });
  const orgs = useApi(tab === 'orgs' ? `/api/v1/orgs${qs(f)}` : null);
  const socs = useApi(tab === 'socs' ? `/api/v1/socs` : null);
  const systems = useApi(tab === 'systems' ? `/api/v1/systems${qs({ sector: f.sector })}` : null);
  return (
    <Panel title={t('registry')} testid="registry-page">
      <div class="tabs">
        {(['orgs', 'socs', 'systems'] as const).map((k) => <button type="button" class={tab === k ? 'on' : ''} onClick={() => setTab(k)}>{t(k)}</button>)}
      </div>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); apply(); }}>
        <label>{t('sector')} <input value={draft.sector} onInput={(e) => set('sector', e.currentTarget.value)} /></label>
        <label>{t('province')} <input value={draft.province} onInput={(e) => set('province', e.currentTarget.value)} /></label>
        <label>{t('type')} <input value={draft.type} onInput={(e) => set('type', e.currentTarget.value)} /></label>
        <button type="submit">{t('filter')}</button>
      </form>
      {tab === 'orgs' && <Async r={orgs}>{(d) => <Paged rows={list(d, 'orgs').length ? list(d, 'orgs') : list(d, 'organisations')} render={(rows) => (
        <Table testid="orgs" rows={rows} cols={[
          { head: 'ID', cell: (o: any) => o.id },
          { head: t('name'), cell: (o: any) => o.name },
          { head: t('sector'), cell: (o: any) => o.sector },
          { head: t('province'), cell: (o: any) => o.province },
          { head: t('type'), cell: (o: any) => o.type },
          { head: t('ranges'), cell: (o: any) => (o.ranges ?? []).join(', ') },
        ]} />)} />}</Async>}
      {tab === 'socs' && <Async r={socs}>{(d) => <Paged rows={list(d, 'socs')} render={(rows) => (
        <Table testid="socs" rows={rows} cols={[
          { head: 'ID', cell: (s: any) => s.id },
          { head: t('name'), cell: (s: any) => s.name },
          { head: t('org'), cell: (s: any) => s.org },
          { head: t('last_seen'), cell: (s: any) => fmt_time(s.last_seen) },
          { head: t('events_per_second'), cell: (s: any) => fmt_num(s.events_per_second, 1), cls: 'num' },
          { head: 'accepted', cell: (s: any) => fmt_num(s.accepted), cls: 'num' },
          { head: 'rejected', cell: (s: any) => fmt_num(s.rejected), cls: 'num' },
        ]} />)} />}</Async>}
      {tab === 'systems' && <Async r={systems}>{(d) => <Paged rows={list(d, 'systems')} render={(rows) => (
        <Table testid="systems" rows={rows} cols={[
          { head: 'ID', cell: (s: any) => s.id },
          { head: t('name'), cell: (s: any) => s.name },
          { head: t('owner'), cell: (s: any) => s.owner },
          { head: t('level'), cell: (s: any) => s.security_level ?? s.level, cls: 'num' },
        ]} />)} />}</Async>}
    </Panel>
  );
}
