// Incidents: the board by state (each column paged on the server), opening one, and the detail with timeline and actions.
import { useState } from 'preact/hooks';
import { post, qs } from '../api';
import { Async, Link, Panel, Table, useApi, useForm } from '../components';
import { fmt_time } from '../format';
import { t } from '../i18n';
import { is_national, navigate, session, signalLang } from '../state';
import { list } from './overview';

const STATES = ['new', 'triaged', 'assigned', 'contained', 'resolved', 'reopened', 'closed'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const PAGE = 10;

function Column(props: { state: string; filters: Record<string, string> }) {
  const [offset, setOffset] = useState(0);
  const r = useApi(`/api/v1/incidents${qs({ ...props.filters, state: props.state, limit: PAGE, offset })}`);
  return (
    <div class="column" data-testid={`column-${props.state}`}>
      <h3>{props.state} {r.data ? `(${r.data.total})` : ''}</h3>
      <Async r={r}>
        {(d) => (
          <>
            {list(d, 'incidents').length === 0 && <div class="state empty">{t('empty')}</div>}
            {list(d, 'incidents').map((i: any) => (
              <div class={'card sev-' + i.severity} onClick={() => navigate(`/incidents/${i.id}`)}>
                <div class="card-title">{i.title}</div>
                <div class="muted">{i.id} · {i.severity} · {(i.affected_orgs ?? []).join(', ')}</div>
                {i.assignee && <div class="muted">{t('assigned_to')}: {i.assignee}</div>}
              </div>
            ))}
            <div class="pager">
              <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>‹</button>
              <button type="button" disabled={offset + PAGE >= d.total} onClick={() => setOffset(offset + PAGE)}>›</button>
            </div>
          </>
        )}
      </Async>
    </div>
  );
}

function CreateIncident(props: { onCreated: (id: string) => void }) {
  const [f, setF] = useState({ title: '', severity: 'medium', description: '', affected_orgs: '' });
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const orgs = f.affected_orgs.split(',').map((s) => s.trim()).filter(Boolean);
      const r = await post('/api/v1/incidents', { title: f.title, severity: f.severity, description: f.description, affected_orgs: orgs });
      props.onCreated(r.id);
    } catch (err: any) {
      setError(err.message);
    }
  };
  return (
    <form class="filters" onSubmit={submit} data-testid="create-incident">
      <label>{t('title')} <input required value={f.title} onInput={(e) => setF({ ...f, title: e.currentTarget.value })} /></label>
      <label>{t('severity')} <select value={f.severity} onChange={(e) => setF({ ...f, severity: e.currentTarget.value })}>
        {SEVERITIES.map((s) => <option value={s}>{s}</option>)}</select></label>
      <label>{t('affected_orgs')} <input value={f.affected_orgs} onInput={(e) => setF({ ...f, affected_orgs: e.currentTarget.value })} /></label>
      <label>{t('description')} <input value={f.description} onInput={(e) => setF({ ...f, description: e.currentTarget.value })} /></label>
      <button type="submit">{t('create_incident')}</button>
      {error && <span class="state error">{error}</span>}
    </form>
  );
}

export function IncidentsPage() {
  const [draft, f, set, apply] = useForm({ severity: '', org: '', sector: '' });
  const [gen, setGen] = useState(0);
  return (
    <Panel title={t('incidents')} testid="incidents-page">
      <form class="filters" onSubmit={(e) => { e.preventDefault(); apply(); setGen(gen + 1); }}>
        <label>{t('severity')} <select value={draft.severity} onChange={(e) => set('severity', e.currentTarget.value)}>
          <option value="">{t('all')}</option>{SEVERITIES.map((s) => <option value={s}>{s}</option>)}</select></label>
        <label>{t('org')} <input value={draft.org} onInput={(e) => set('org', e.currentTarget.value)} /></label>
        <label>{t('sector')} <input value={draft.sector} onInput={(e) => set('sector', e.currentTarget.value)} /></label>
        <button type="submit">{t('filter')}</button>
      </form>
      {is_national() && <CreateIncident onCreated={(id) => navigate(`/incidents/${id}`)} />}
      <div class="board" key={gen}>
        {STATES.map((s) => <Column state={s} filters={f} />)}
      </div>
    </Panel>
  );
}

export function IncidentDetail(props: { id: string }) {
  const r = useApi(`/api/v1/incidents/${encodeURIComponent(props.id)}`);
  const [assign, setAssign] = useState({ kind: 'organisation', assignee: '' });
  const [note, setNote] = useState('');
  const [comment, setComment] = useState('');
  const [msg, setMsg] = useState('');
  const act = async (path: string, body: unknown) => {
    setMsg('');
    try {
      await post(`/api/v1/incidents/${encodeURIComponent(props.id)}/${path}`, body);
      setMsg(t('done'));
      r.reload();
    } catch (err: any) {
      setMsg(`${t('error')}: ${err.message}`);
    }
  };
  const canWork = session.me?.role !== 'auditor';
  return (
    <div data-testid="incident-detail">
      <Link href="/incidents">← {t('back')}</Link>
      <Async r={r}>
        {(i) => (
          <>
            <Panel title={`${i.id}: ${i.title}`}>
              <dl class="facts">
                <dt>{t('state')}</dt><dd data-testid="incident-state">{i.state}</dd>
                <dt>{t('severity')}</dt><dd>{i.severity}</dd>
                <dt>{t('category')}</dt><dd>{i.category_name ? i.category_name[signalLang.value] : i.category}</dd>
                <dt>{t('description')}</dt><dd data-testid="incident-description">{i.description}</dd>
                <dt>{t('affected_orgs')}</dt><dd>{(i.affected_orgs ?? []).join(', ')}</dd>
                <dt>{t('assigned_to')}</dt><dd data-testid="incident-assignee">{i.assignee ? `${i.assignee} (${i.assignee_kind})` : '—'}</dd>
                <dt>{t('created')}</dt><dd>{fmt_time(i.created)} · {i.created_by}</dd>
                <dt>{t('sla')}</dt><dd>{i.sla ? `${fmt_time(i.sla.resolution_due)}${(i.sla.breached ?? []).length ? ' · ' + t('overdue') + ': ' + i.sla.breached.join(', ') : ''}` : ''}</dd>
              </dl>
            </Panel>
            {canWork && (
              <Panel title={t('assign')}>
                <form class="filters" data-testid="assign-form" onSubmit={(e) => { e.preventDefault(); act('assign', assign); }}>
                  <select name="kind" value={assign.kind} onChange={(e) => setAssign({ ...assign, kind: e.currentTarget.value })}>
                    {['organisation', 'sector-cert', 'response-member'].map((k) => <option value={k}>{k}</option>)}
                  </select>
                  <input name="assignee" placeholder={t('assignee')} value={assign.assignee} onInput={(e) => setAssign({ ...assign, assignee: e.currentTarget.value })} />
                  <button type="submit">{t('assign')}</button>
                </form>
                <form class="filters" onSubmit={(e) => e.preventDefault()}>
                  <input placeholder={t('note')} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
                  {['triaged', 'contained', 'resolved', 'closed', 'reopened'].map((s) => (
                    <button type="button" onClick={() => act('transition', { to: s, note })}>{t('transition')}: {s}</button>
                  ))}
                </form>
                <form class="filters" onSubmit={(e) => { e.preventDefault(); act('comments', { text: comment }).then(() => setComment('')); }}>
                  <input placeholder={t('comment')} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
                  <button type="submit">{t('send')}</button>
                </form>
                {msg && <div class="state" data-testid="action-result">{msg}</div>}
              </Panel>
            )}
            <Panel title={t('timeline')}>
              <ol class="timeline" data-testid="timeline">
                {list(i, 'timeline').map((e: any) => (
                  <li><span class="muted">{fmt_time(e.time)} · {e.actor} · {e.kind}</span><div>{e.text}</div></li>
                ))}
              </ol>
            </Panel>
          </>
        )}
      </Async>
    </div>
  );
}
