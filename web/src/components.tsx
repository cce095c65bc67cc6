// Building blocks shared by the pages: data loading with loading/empty/error states, tables, pagers, charts, links.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get } from './api';
import { t } from './i18n';
import { navigate } from './state';
import { echarts } from './charts';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
  reload: () => void;
}

/// Fetches `path` (null: nothing) and again whenever it changes; `every` seconds re-polls.
export function useApi<T = any>(path: string | null, every = 0): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: !!path });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    get<T>(path).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  useEffect(() => {
    if (!path || every <= 0) return;
    const timer = window.setInterval(() => setTick((x) => x + 1), every * 1000);
    return () => clearInterval(timer);
  }, [path, every]);
  return { ...state, reload: () => setTick((x) => x + 1) };
}

/// Loading, error and empty states around `children(data)`.
export function Async<T>(props: { r: Loaded<T>; empty?: (d: T) => boolean; children: (d: T) => ComponentChildren }) {
  const { r } = props;
  if (r.error) {
    const forbidden = r.error instanceof ApiError && (r.error.status === 403 || r.error.status === 401);
    return <div class="state error">{forbidden ? t('forbidden') : `${t('error')}: ${r.error.message}`}</div>;
  }
  if (r.loading && !r.data) return <div class="state loading">{t('loading')}</div>;
  if (!r.data) return <div class="state loading">{t('loading')}</div>;
  if (props.empty && props.empty(r.data)) return <div class="state empty">{t('empty')}</div>;
  return <>{props.children(r.data)}</>;
}

export interface Column<R> {
  head: string;
  cell: (row: R) => ComponentChildren;
  cls?: string;
}

export function Table<R>(props: { rows: R[]; cols: Column<R>[]; onRow?: (row: R) => void; testid?: string }) {
  if (props.rows.length === 0) return <div class="state empty">{t('empty')}</div>;
  return (
    <table class="grid" data-testid={props.testid}>
      <thead>
        <tr>{props.cols.map((c) => <th class={c.cls}>{c.head}</th>)}</tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr class={props.onRow ? 'clickable' : ''} onClick={props.onRow ? () => props.onRow!(row) : undefined}>
            {props.cols.map((c) => <td class={c.cls}>{c.cell(row)}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/// Cursor paging: remembers the cursors of the pages before so "first page" and "next" work.
export function useCursor(): { cursor: string; next: (c: string | null) => void; first: () => void; page: number } {
  const [stack, setStack] = useState<string[]>(['']);
  return {
    cursor: stack[stack.length - 1],
    page: stack.length,
    next: (c) => c && setStack([...stack, c]),
    first: () => setStack(['']),
  };
}

export function Pager(props: { total?: number; next_cursor?: string | null; pager: ReturnType<typeof useCursor>; onNext?: () => void; hasNext?: boolean }) {
  const hasNext = props.hasNext ?? !!props.next_cursor;
  return (
    <div class="pager">
      {props.total !== undefined && <span>{t('total')}: {props.total}</span>}
      <button type="button" disabled={props.pager.page <= 1} onClick={props.pager.first}>{t('first')}</button>
      <span class="page">{props.pager.page}</span>
      <button type="button" disabled={!hasNext} onClick={() => (props.onNext ? props.onNext() : props.pager.next(props.next_cursor ?? null))}>{t('next')}</button>
    </div>
  );
}

/// Pages through rows already loaded: ‹ and › over `count` rows of `size` a page; the total shown when given.
export function ListPager(props: { page: number; setPage: (page: number) => void; count: number; size: number; total?: number }) {
  return (
    <div class="pager">
      {props.total !== undefined && <span>{t('total')}: {props.total}</span>}
      <button type="button" disabled={props.page === 0} onClick={() => props.setPage(props.page - 1)}>‹</button>
      <span class="page">{props.page + 1}</span>
      <button type="button" disabled={(props.page + 1) * props.size >= props.count} onClick={() => props.setPage(props.page + 1)}>›</button>
    </div>
  );
}

/// An in-app link (history navigation, no reload).
export function Link(props: { href: string; children: ComponentChildren; cls?: string }) {
  return (
    <a href={props.href} class={props.cls} onClick={(e) => { e.preventDefault(); navigate(props.href); }}>
      {props.children}
    </a>
  );
}

export function Panel(props: { title: string; children: ComponentChildren; cls?: string; testid?: string }) {
  return (
    <section class={'panel ' + (props.cls ?? '')} data-testid={props.testid}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/// One ECharts instance bound to a div; `option` is applied whenever it changes.
export function Chart(props: { option: any; height?: number; testid?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<any>(null);
  useEffect(() => {
    chart.current = echarts.init(el.current!, undefined, { renderer: 'canvas' });
    const resize = () => chart.current?.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(props.option, true);
  }, [props.option]);
  return <div ref={el} class="chart" data-testid={props.testid} style={{ height: `${props.height ?? 280}px` }} />;
}

/// A severity badge: OCSF severity_id numbers (1..6) or incident words (low..critical).
export function Sev(props: { n: number | string | undefined }) {
  const words: Record<string, number> = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 };
  const n = typeof props.n === 'string' && props.n in words ? words[props.n] : Number(props.n ?? 0);
  const cls = n >= 5 ? 'sev crit' : n >= 4 ? 'sev high' : n >= 3 ? 'sev med' : 'sev low';
  return <span class={cls}>{String(props.n ?? '')}</span>;
}

/// A form field that commits on submit; the filters of the lists use it.
export function useForm<T extends Record<string, string>>(initial: T): [T, T, (k: keyof T, v: string) => void, () => void] {
  const [draft, setDraft] = useState<T>(initial);
  const [applied, setApplied] = useState<T>(initial);
  return [draft, applied, (k, v) => setDraft({ ...draft, [k]: v }), () => setApplied(draft)];
}
