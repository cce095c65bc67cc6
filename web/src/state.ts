// Shared state of the console: the language, the signed-in user and navigation; App re-renders on change.
export type Lang = 'vi' | 'en';

export interface Me {
  user: string;
  display_name?: string;
  role: string;
  scope_kind: string;
  scope: string;
  csrf_token?: string;
}

export const signalLang = { value: (localStorage.getItem('khien.lang') === 'en' ? 'en' : 'vi') as Lang };
export const session: { me: Me | null } = { me: null };

let rerender: () => void = () => {};
/// App registers how to redraw itself; state changes call it.
export function on_change(f: () => void) {
  rerender = f;
}

export function set_lang(l: Lang) {
  signalLang.value = l;
  localStorage.setItem('khien.lang', l);
  document.documentElement.lang = l;
  rerender();
}

export function set_me(me: Me | null) {
  session.me = me;
  rerender();
}

/// Client-side navigation: the server answers every console path with index.html.
export function navigate(path: string) {
  if (path !== location.pathname + location.search) history.pushState(null, '', path);
  rerender();
}

/** Roles that read warnings: national roles and auditors all of them, sector CERTs and organisation SOCs theirs. */
export function reads_warnings(): boolean {
  const role = session.me?.role ?? '';
  return is_national() || role === 'sector-cert' || role === 'org-soc';
}

export function is_national(): boolean {
  const r = session.me?.role ?? '';
  return r === 'national-admin' || r === 'national-analyst' || r === 'auditor';
}
