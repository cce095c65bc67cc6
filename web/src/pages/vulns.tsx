// Vulnerability exposure: exposed CVEs by priority (filtered on the server) and one CVE with the systems it reaches.
import { useState } from 'preact/hooks';
import { qs } from '../api';
import { Async, Link, ListPager, Panel, Table, useApi, useForm } from '../components';
import { fmt_num, fmt_time } from '../format';
import { t } from '../i18n';
import { navigate } from '../state';
import { list } from './overview';

const PAGE = 25;

function CveDetail(props: { cve: string }) {
  const r = useApi(`/api/v1/vulns/${encodeURIComponent(props.cve)}`);
  return (
    <div data-testid="cve-detail">
      <Link href="/vulns">← {t('back')}</Link>
      <Async r={r}>
        {(v) => (
          <>
            <Panel title={v.id}>
              <p>{v.description}</p>
              <dl class="facts">
                <dt>{t('priority')}</dt><dd>{fmt_num(v.priority, 1)}</dd>
                <dt>{t('cvss')}</dt><dd>{v.cvss ? `${v.cvss.base_score} (${v.cvss.version}) ${v.cvss.vector}` : '—'}</dd>
                <dt>{t('epss')}</dt><dd>{fmt_num(v.epss, 3)}</dd>
                <dt>{t('kev')}</dt><dd>{v.kev ? t('yes') : t('no')}</dd>
                <dt>{t('created')}</dt><dd>{fmt_time(v.published)}</dd>
                <dt>{t('sector')}</dt><dd>{(v.exposure?.sectors ?? []).join(', ')}</dd>
                <dt>{t('province')}</dt><dd>{(v.exposure?.provinces ?? []).join(', ')}</dd>
              </dl>
            </Panel>
            <Panel title={t('systems')}>
              <Table rows={v.exposure?.systems ?? []} cols={[
                { head: t('systems'), cell: (s: any) => s.name || s.system },
                { head: t('org'), cell: (s: any) => s.org },
                { head: t('level'), cell: (s: any) => s.security_level, cls: 'num' },
                { head: 'CPE', cell: (s: any) => (s.vulnerable_cpes ?? []).join(', ') },
              ]} />
            </Panel>
          </>
        )}
      </Async>
    </div>
  );
}

export function VulnsPage(props: { cve: string }) {
  const [draft, f, set, apply] = useForm({ sector: '', province: '', min_priority: '' });
  const [page, setPage] = useState(0);
  const r = useApi(props.cve ? null : `/api/v1/exposure${qs(f)}`);
  if (props.cve) return <CveDetail cve={props.cve} />;
  return (
    <Panel title={t('vulns')} testid="vulns-page">
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setPage(0); apply(); }}>
        <label>{t('sector')} <input value={draft.sector} onInput={(e) => set('sector', e.currentTarget.value)} /></label>
        <label>{t('province')} <input value={draft.province} onInput={(e) => set('province', e.currentTarget.value)} /></label>
        <label>{t('min_priority')} <input type="number" min="0" max="100" value={draft.min_priority} onInput={(e) => set('min_priority', e.currentTarget.value)} /></label>
        <button type="submit">{t('filter')}</button>
      </form>
      <Async r={r}>
        {(d) => {
          const rows = list(d, 'vulnerabilities');
          return (
            <>
              <Table testid="exposure" rows={rows.slice(page * PAGE, page * PAGE + PAGE)} onRow={(x: any) => navigate(`/vulns/${x.id}`)} cols={[
                { head: 'CVE', cell: (x: any) => x.id },
                { head: t('priority'), cell: (x: any) => fmt_num(x.priority, 1), cls: 'num' },
                { head: t('cvss'), cell: (x: any) => fmt_num(x.cvss?.base_score, 1), cls: 'num' },
                { head: t('epss'), cell: (x: any) => fmt_num(x.epss, 3), cls: 'num' },
                { head: t('kev'), cell: (x: any) => (x.kev ? t('yes') : t('no')) },
                { head: t('orgs'), cell: (x: any) => fmt_num((x.exposure?.organisations ?? []).length), cls: 'num' },
                { head: t('systems'), cell: (x: any) => fmt_num(x.exposure?.system_count ?? (x.exposure?.systems ?? []).length), cls: 'num' },
              ]} />
              <ListPager page={page} setPage={setPage} count={rows.length} size={PAGE} total={d.total ?? rows.length} />
            </>
          );
        }}
      </Async>
    </Panel>
  );
}
