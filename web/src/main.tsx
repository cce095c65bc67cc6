// The console's entry: session check, navigation bar with the language switch, and the page router.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { api, get } from './api';
import { t } from './i18n';
import { Me, navigate, on_change, session, set_lang, set_me, signalLang } from './state';
import { Link } from './components';
import { LoginPage } from './pages/login';
import { OverviewPage } from './pages/overview';
import { WarningDetail, WarningsPage } from './pages/warnings';
import { IncidentDetail, IncidentsPage } from './pages/incidents';
import { DirectiveDetail, DirectivesPage } from './pages/directives';
import { CompliancePage } from './pages/compliance';
import { VulnsPage } from './pages/vulns';
import { IntelPage } from './pages/intel';
import { EventsPage } from './pages/events';
import { RegistryPage } from './pages/registry';
import { UsersPage } from './pages/users';

const NAV: [string, string, (role: string) => boolean][] = [
  ['/overview', 'overview', () => true],
  ['/warnings', 'warnings', () => true],
  ['/incidents', 'incidents', () => true],
  ['/directives', 'directives', () => true],
  ['/compliance', 'compliance', () => true],
  ['/vulns', 'vulns', () => true],
  ['/intel', 'intel', () => true],
  ['/events', 'events', () => true],
  ['/registry', 'registry', () => true],
  ['/users', 'users', (r) => r === 'national-admin' || r === 'auditor'],
];

function Page(props: { path: string }) {
  const parts = props.path.split('/').filter(Boolean);
  const [page, id] = [parts[0] ?? 'overview', parts[1] ? decodeURIComponent(parts[1]) : ''];
  switch (page) {
    case 'overview': return <OverviewPage />;
    case 'warnings': return id ? <WarningDetail id={id} /> : <WarningsPage />;
    case 'incidents': return id ? <IncidentDetail id={id} /> : <IncidentsPage />;
    case 'directives': return id ? <DirectiveDetail id={id} /> : <DirectivesPage />;
    case 'compliance': return <CompliancePage org={id} />;
    case 'vulns': return <VulnsPage cve={id} />;
    case 'intel': return <IntelPage />;
    case 'events': return <EventsPage />;
    case 'registry': return <RegistryPage />;
    case 'users': return <UsersPage />;
    default: return <div class="state empty">{t('not_found')}</div>;
  }
}

function App() {
  const [, setTick] = useState(0);
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    on_change(() => setTick((x) => x + 1));
    window.addEventListener('popstate', () => setTick((x) => x + 1));
    document.documentElement.lang = signalLang.value;
    get<Me>('/api/v1/auth/me').then((me) => set_me(me), () => set_me(null)).finally(() => setChecked(true));
  }, []);
  document.title = t('app_title');
  if (!checked) return <div class="state loading">{t('loading')}</div>;
  const me = session.me;
  if (!me || location.pathname === '/login') {
    if (me) navigate('/overview');
    return <LoginPage />;
  }
  const path = location.pathname === '/' ? '/overview' : location.pathname;
  const logout = async () => {
    try { await api('POST', '/api/v1/auth/logout', {}); } catch { /* the session may already be gone */ }
    set_me(null);
    navigate('/login');
  };
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">{t('app_title')}</span>
        <nav>
          {NAV.filter(([, , ok]) => ok(me.role)).map(([href, key]) => (
            <Link href={href} cls={path.startsWith(href) ? 'on' : ''}>{t(key)}</Link>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {t('signed_in_as')} {me.display_name || me.user} ({me.role}{me.scope ? ': ' + me.scope : ''})
        </span>
        <button type="button" class="lang" onClick={() => set_lang(signalLang.value === 'vi' ? 'en' : 'vi')}>{t('language')}</button>
        <button type="button" onClick={logout}>{t('logout')}</button>
      </header>
      <main>
        <Page path={path} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
