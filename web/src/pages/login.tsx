// Login form: POST /api/v1/auth/login sets the session cookie and gives the CSRF token.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { navigate, set_lang, set_me, signalLang } from '../state';

export function LoginPage() {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const r = await api('POST', '/api/v1/auth/login', { login, password });
      set_me({ user: r.user, display_name: r.display_name, role: r.role, scope: r.scope ?? '', scope_kind: r.scope_kind ?? '', csrf_token: r.csrf_token });
      navigate('/overview');
    } catch (err: any) {
      setError(`${t('login_failed')}: ${err.message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="login">
      <form onSubmit={submit} data-testid="login-form">
        <h1>{t('app_title')}</h1>
        <label>{t('username')}<input name="login" autocomplete="username" value={login} onInput={(e) => setLogin(e.currentTarget.value)} /></label>
        <label>{t('password')}<input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
        {error && <div class="state error">{error}</div>}
        <button type="submit" disabled={busy}>{t('login')}</button>
        <button type="button" class="lang" onClick={() => set_lang(signalLang.value === 'vi' ? 'en' : 'vi')}>{t('language')}</button>
      </form>
    </div>
  );
}
