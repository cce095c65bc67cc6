// Early warnings: the filtered, paged list and one warning with its evidence alerts.
import { qs } from '../api';
import { Async, Link, Pager, Panel, Sev, Table, useApi, useCursor, useForm } from '../components';
import { fmt_num, fmt_time } from '../format';
import { t } from '../i18n';
import { navigate } from '../state';
import { list } from './overview';

const KINDS = ['', 'indicator', 'cve', 'hash', 'domain', 'ip', 'asn', 'sigma'];

export function WarningsPage() {
  const pager = useCursor();
  const [draft, f, set, apply] = useForm({ active: '', kind: '', sector: '' });
  const r = useApi(`/api/v1/warnings${qs({ ...f, limit: 25, cursor: pager.cursor })}`);
  return (
    <Panel title={t('warnings')} testid="warnings-page">
      <form class="filters" onSubmit={(e) => { e.preventDefault(); pager.first(); apply(); }}>
        <label>{t('active')} <select value={draft.active} onChange={(e) => set('active', e.currentTarget.value)}>
          <option value="">{t('all')}</option><option value="true">{t('yes')}</option><option value="false">{t('no')}</option>
        </select></label>
        <label>{t('kind')} <select value={draft.kind} onChange={(e) => set('kind', e.currentTarget.value)}>
          {KINDS.map((k) => <option value={k}>{k || t('all')}</option>)}
        </select></label>
        <label>{t('sector')} <input value={draft.sector} onInput={(e) => set('sector', e.currentTarget.value)} /></label>
        <button type="submit">{t('filter')}</button>
      </form>
      <Async r={r}>
        {(d) => (
          <>
            <Table testid="warnings-table" rows={list(d, 'warnings')} onRow={(w: any) => navigate(`/warnings/${w.id}`)} cols={[
              { head: '#', cell: (w: any) => w.id },
              { head: t('severity'), cell: (w: any) => <Sev n={w.severity} /> },
              { head: t('title'), cell: (w: any) => <Link href={`/warnings/${w.id}`}>{w.title || w.key}</Link> },
              { head: t('kind'), cell: (w: any) => w.kind },
              { head: t('orgs'), cell: (w: any) => fmt_num(Array.isArray(w.orgs) ? w.orgs.length : w.org_count), cls: 'num' },
              { head: t('last_seen'), cell: (w: any) => fmt_time(w.last_seen) },
            ]} />
            <Pager total={d.total} next_cursor={d.next_cursor} pager={pager} />
          </>
        )}
      </Async>
    </Panel>
  );
}

function Field(props: { k: string; v: any }) {
  const v = props.v;
  const text = Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? '');
  return <><dt>{props.k}</dt><dd>{text}</dd></>;
}

export function WarningDetail(props: { id: string }) {
  const r = useApi(`/api/v1/warnings/${encodeURIComponent(props.id)}?evidence_limit=100`);
  return (
    <div data-testid="warning-detail">
      <Link href="/warnings">← {t('back')}</Link>
      <Async r={r}>
        {(w) => (
          <>
            <Panel title={`${t('warnings')} #${w.id}: ${w.title || w.key}`}>
              {w.view && <p class="muted" data-testid="warning-masked">{t('warning_masked')}</p>}
              {w.merged_into && <p data-testid="warning-merged">{t('warning_merged')} <Link href={`/warnings/${w.merged_into}`}>#{w.merged_into}</Link></p>}
              {w.settling && !w.merged_into && <p class="muted" data-testid="warning-settling">{t('warning_settling')}</p>}
              <dl class="facts">
                <Field k={t('kind')} v={w.kind} />
                <Field k={t('key')} v={w.key} />
                <Field k={t('severity')} v={w.severity} />
                <Field k={t('first_seen')} v={fmt_time(w.first_seen)} />
                <Field k={t('last_seen')} v={fmt_time(w.last_seen)} />
                <Field k={t('orgs')} v={w.orgs} />
                <Field k={t('sector')} v={w.sectors} />
                <Field k={t('province')} v={w.provinces} />
                {w.view && <Field k={t('others_not_shown')} v={w.organisations_not_shown} />}
                {Object.entries(w).filter(([k]) => !['id', 'kind', 'key', 'title', 'severity', 'first_seen', 'last_seen', 'orgs', 'sectors', 'provinces', 'evidence', 'view', 'organisations_not_shown'].includes(k))
                  .map(([k, v]) => <Field k={k} v={v} />)}
              </dl>
            </Panel>
            <Panel title={`${t('evidence')} (${fmt_num(w.evidence_events)})`}>
              <Table rows={list(w, 'evidence')} cols={[
                { head: t('time'), cell: (a: any) => fmt_time(a.time) },
                { head: t('title'), cell: (a: any) => a.title },
                { head: t('value'), cell: (a: any) => String(a.matched ?? '') },
                { head: t('org'), cell: (a: any) => a.org },
                { head: t('severity'), cell: (a: any) => <Sev n={a.severity_id} /> },
              ]} />
            </Panel>
          </>
        )}
      </Async>
    </div>
  );
}
