// Users and API keys, for administrators (and auditors, read-only).
import { useState } from 'preact/hooks';
import { api, post } from '../api';
import { Async, Panel, Table, useApi } from '../components';
import { fmt_time } from '../format';
import { t } from '../i18n';
import { session } from '../state';
import { list } from './overview';

export function UsersPage() {
  const users = useApi('/api/v1/users');
  const keys = useApi('/api/v1/auth/keys');
  const [msg, setMsg] = useState('');
  const admin = session.me?.role === 'national-admin';
  const act = async (f: () => Promise<unknown>) => {
    setMsg('');
    try {
      await f();
      setMsg(t('done'));
      users.reload();
      keys.reload();
    } catch (err: any) {
      setMsg(`${t('error')}: ${err.message}`);
    }
  };
  return (
    <div data-testid="users-page">
      <Panel title={t('users')}>
        {msg && <div class="state">{msg}</div>}
        <Async r={users}>
          {(d) => (
            <Table rows={list(d, 'users')} cols={[
              { head: t('username'), cell: (u: any) => u.login },
              { head: t('name'), cell: (u: any) => u.display_name },
              { head: t('role'), cell: (u: any) => u.role },
              { head: t('scope'), cell: (u: any) => u.scope ?? u.scope_id ?? '' },
              { head: t('status'), cell: (u: any) => (u.disabled ? t('disabled') : t('active')) },
              { head: '', cell: (u: any) => admin && (
                <button type="button" onClick={() => act(() => post(`/api/v1/users/${encodeURIComponent(u.login)}/${u.disabled ? 'enable' : 'disable'}`))}>
                  {u.disabled ? 'enable' : 'disable'}
                </button>
              ) },
            ]} />
          )}
        </Async>
      </Panel>
      <Panel title={t('keys')}>
        <Async r={keys}>
          {(d) => (
            <Table rows={list(d, 'keys')} cols={[
              { head: 'ID', cell: (k: any) => k.id },
              { head: t('name'), cell: (k: any) => k.name },
              { head: t('username'), cell: (k: any) => k.user ?? k.login },
              { head: t('created'), cell: (k: any) => fmt_time(k.created) },
              { head: t('last_seen'), cell: (k: any) => fmt_time(k.last_used) },
              { head: t('status'), cell: (k: any) => (k.revoked ? t('revoked') : t('active')) },
              { head: '', cell: (k: any) => !k.revoked && (
                <button type="button" onClick={() => act(() => api('DELETE', `/api/v1/auth/keys/${encodeURIComponent(k.id)}`))}>{t('revoked')}</button>
              ) },
            ]} />
          )}
        </Async>
      </Panel>
    </div>
  );
}
