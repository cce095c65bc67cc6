// Directives and warnings issued to organisations: list with progress, detail with each target, acknowledge/complete for the organisation's users.
import { useState } from 'preact/hooks';
import { post, qs } from '../api';
import { Async, Link, ListPager, Panel, Table, useApi, useForm } from '../components';
import { fmt_num, fmt_time } from '../format';
import { t } from '../i18n';
import { navigate, session } from '../state';
import { list } from './overview';

const PAGE = 20;

/// The organisation an org-soc user acts for (the API also reads it from the session).
function my_org(): string {
  const me = session.me;
  return me && me.role === 'org-soc' ? me.scope : '';
}

export function DirectivesPage() {
  const org = my_org();
  const [draft, f, set, apply] = useForm({ kind: '', issuer: '', org });
  const [page, setPage] = useState(0);
  const r = useApi(`/api/v1/directives${qs({ kind: f.kind, issuer: f.issuer, org: f.org })}`);
  return (
    <Panel title={t('directives')} testid="directives-page">
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setPage(0); apply(); }}>
        <label>{t('kind')} <select value={draft.kind} onChange={(e) => set('kind', e.currentTarget.value)}>
          <option value="">{t('all')}</option><option value="directive">directive</option><option value="warning">warning</option></select></label>
        <label>{t('issuer')} <input value={draft.issuer} onInput={(e) => set('issuer', e.currentTarget.value)} /></label>
        {!org && <label>{t('org')} <input value={draft.org} onInput={(e) => set('org', e.currentTarget.value)} /></label>}
        <button type="submit">{t('filter')}</button>
      </form>
      <Async r={r}>
        {(d) => {
          const rows = list(d, 'directives');
          return (
            <>
              <Table testid="directives-table" rows={rows.slice(page * PAGE, page * PAGE + PAGE)} onRow={(x: any) => navigate(`/directives/${x.id}`)} cols={[
                { head: 'ID', cell: (x: any) => <Link href={`/directives/${x.id}`}>{x.id}</Link> },
                { head: t('title'), cell: (x: any) => x.title },
                { head: t('kind'), cell: (x: any) => x.kind },
                { head: t('issuer'), cell: (x: any) => x.issuer },
                { head: t('deadline'), cell: (x: any) => fmt_time(x.deadline) },
                { head: t('acknowledged'), cell: (x: any) => `${fmt_num(x.stats?.acknowledged_pct, 1)} %`, cls: 'num' },
                { head: t('completed'), cell: (x: any) => `${fmt_num(x.stats?.completed_pct, 1)} %`, cls: 'num' },
              ]} />
              <ListPager page={page} setPage={setPage} count={rows.length} size={PAGE} total={d.total ?? rows.length} />
            </>
          );
        }}
      </Async>
    </Panel>
  );
}

export function DirectiveDetail(props: { id: string }) {
  const r = useApi(`/api/v1/directives/${encodeURIComponent(props.id)}`);
  const [text, setText] = useState('');
  const [msg, setMsg] = useState('');
  const org = my_org();
  const act = async (what: 'acknowledge' | 'complete') => {
    setMsg('');
    try {
      await post(`/api/v1/directives/${encodeURIComponent(props.id)}/${what}`, what === 'complete' ? { text } : {}, org ? { 'X-Khien-Org': org } : {});
      setMsg(t('done'));
      r.reload();
    } catch (err: any) {
      setMsg(`${t('error')}: ${err.message}`);
    }
  };
  return (
    <div data-testid="directive-detail">
      <Link href="/directives">← {t('back')}</Link>
      <Async r={r}>
        {(d) => {
          const targets = list(d, 'target_progress');
          const mine = targets.find((x: any) => x.org === org);
          return (
            <>
              <Panel title={`${d.id}: ${d.title}`}>
                <dl class="facts">
                  <dt>{t('kind')}</dt><dd>{d.kind}</dd>
                  <dt>{t('issuer')}</dt><dd>{d.issuer}</dd>
                  <dt>{t('required_actions')}</dt><dd>{Array.isArray(d.required_actions) ? d.required_actions.join('; ') : String(d.required_actions ?? '')}</dd>
                  <dt>{t('deadline')}</dt><dd>{fmt_time(d.deadline)}</dd>
                  <dt>TLP</dt><dd>{d.tlp}</dd>
                  <dt>{t('progress')}</dt><dd>{t('acknowledged')} {fmt_num(d.stats?.acknowledged_pct, 1)} % · {t('completed')} {fmt_num(d.stats?.completed_pct, 1)} %</dd>
                </dl>
              </Panel>
              {org && mine && (
                <Panel title={org}>
                  <div class="filters">
                    <span data-testid="my-ack">{mine.acknowledged_at ? `${t('acknowledged')}: ${fmt_time(mine.acknowledged_at)}` : '—'}</span>
                    <button type="button" data-testid="acknowledge" disabled={!!mine.acknowledged_at} onClick={() => act('acknowledge')}>{t('acknowledge')}</button>
                    <input placeholder={t('note')} value={text} onInput={(e) => setText(e.currentTarget.value)} />
                    <button type="button" data-testid="complete" disabled={!!mine.completed_at} onClick={() => act('complete')}>{t('complete')}</button>
                  </div>
                  {msg && <div class="state" data-testid="action-result">{msg}</div>}
                </Panel>
              )}
              <Panel title={t('targets')}>
                <Table testid="targets" rows={targets} cols={[
                  { head: t('org'), cell: (x: any) => x.org },
                  { head: t('acknowledged'), cell: (x: any) => fmt_time(x.acknowledged_at) || '—' },
                  { head: t('completed'), cell: (x: any) => fmt_time(x.completed_at) || '—' },
                  { head: t('note'), cell: (x: any) => x.completion_text },
                ]} />
              </Panel>
            </>
          );
        }}
      </Async>
    </div>
  );
}
