// Threat intelligence: the matcher's status and the sightings search (indicator, organisation).
import { qs } from '../api';
import { Async, Panel, Table, useApi, useForm } from '../components';
import { fmt_num, fmt_time } from '../format';
import { t } from '../i18n';
import { list } from './overview';

export function IntelPage() {
  const status = useApi('/api/v1/intel/status', 60);
  const [draft, f, set, apply] = useForm({ indicator: '', org: '', limit: '50' });
  const sightings = useApi(`/api/v1/intel/sightings${qs(f)}`);
  return (
    <div data-testid="intel-page">
      <Panel title={t('intel_status')}>
        <Async r={status}>
          {(s) => (
            <dl class="facts">
              {Object.entries(s).map(([k, v]) => (
                <><dt>{k}</dt><dd>{k.endsWith('_at') || k.endsWith('time') ? fmt_time(v as any) : typeof v === 'object' && v !== null ? JSON.stringify(v) : typeof v === 'number' ? fmt_num(v) : String(v ?? '')}</dd></>
              ))}
            </dl>
          )}
        </Async>
      </Panel>
      <Panel title={t('sightings')}>
        <form class="filters" onSubmit={(e) => { e.preventDefault(); apply(); }}>
          <label>{t('indicator')} <input value={draft.indicator} onInput={(e) => set('indicator', e.currentTarget.value)} /></label>
          <label>{t('org')} <input value={draft.org} onInput={(e) => set('org', e.currentTarget.value)} /></label>
          <label>limit <select value={draft.limit} onChange={(e) => set('limit', e.currentTarget.value)}>{['50', '200', '1000'].map((x) => <option value={x}>{x}</option>)}</select></label>
          <button type="submit">{t('search')}</button>
        </form>
        <Async r={sightings}>
          {(d) => (
            <Table testid="sightings" rows={list(d, 'sightings')} cols={[
              { head: t('indicator'), cell: (x: any) => x.indicator ?? x.indicator_id },
              { head: t('value'), cell: (x: any) => x.value ?? x.pattern ?? '' },
              { head: t('org'), cell: (x: any) => x.org },
              { head: t('hits'), cell: (x: any) => fmt_num(x.count ?? x.hits), cls: 'num' },
              { head: t('first_seen'), cell: (x: any) => fmt_time(x.first_seen) },
              { head: t('last_seen'), cell: (x: any) => fmt_time(x.last_seen) },
            ]} />
          )}
        </Async>
      </Panel>
    </div>
  );
}
