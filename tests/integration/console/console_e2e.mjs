// Drives the console in headless Chromium (playwright-core, Debian's /usr/bin/chromium) through the watch-floor story; run by console.sh.
import { createRequire } from 'node:module';

const env = process.env;
const require = createRequire(`${env.KHIEN_SOURCE_DIR}/web/package.json`);
const { chromium } = require('playwright-core');

const URL = env.KHIEN_URL;
const SHOTS = env.SHOTS;
const problems = [];

function fail(msg) {
  throw new Error(msg);
}
function ok(msg) {
  console.log(`ok: ${msg}`);
}

// Every page load is watched for script errors, CSP violations and dialogs (an executed payload).
function watch(page, who) {
  page.on('pageerror', (e) => problems.push(`${who}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) problems.push(`${who}: console error: ${m.text()}`);
  });
  page.on('dialog', async (d) => {
    problems.push(`${who}: a dialog opened (${d.message()}): script from data ran`);
    await d.dismiss();
  });
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/// Waits until nothing on the page says "loading" any more.
async function settled(page, timeout = 20000) {
  await page.waitForFunction(() => document.querySelectorAll('.state.loading').length === 0, null, { timeout });
}

async function login(browser, user, password) {
  // A browser far from Vietnam: the console must still show Asia/Ho_Chi_Minh times.
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, timezoneId: 'America/New_York', locale: 'en-US' });
  const page = await context.newPage();
  watch(page, user);
  await page.goto(`${URL}/`);
  await page.waitForSelector('[data-testid=login-form]');
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=overview]', { timeout: 15000 });
  return { context, page };
}

async function visit(page, path, testid, name) {
  await page.goto(`${URL}${path}`);
  await page.waitForSelector(`[data-testid=${testid}]`, { timeout: 15000 });
  await settled(page);
  await shot(page, name);
}

async function apiFrom(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { headers: { Accept: 'application/json' } });
    return { status: r.status, body: r.status === 200 ? await r.json() : null };
  }, path);
}

const browser = await chromium.launch({
  executablePath: env.KHIEN_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  // ---- The national analyst.
  const a = await login(browser, env.ANALYST, env.ANALYST_PW);
  const page = a.page;
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== 'vi') fail(`the console should start in Vietnamese, html lang is '${lang}'`);
  if (!(await page.textContent('header nav')).includes('Tổng quan')) fail('Vietnamese navigation missing');

  // The overview fills from the simulator: SOCs healthy, the map drawn, alerts counted, event rate sampled.
  await page.waitForFunction(() => /[1-9]/.test(document.querySelector('[data-testid=soc-ok]')?.textContent ?? ''), null, { timeout: 30000 });
  await page.waitForSelector('[data-testid=province-map] canvas');
  await page.waitForSelector('[data-testid=sector-heat] canvas', { timeout: 20000 });
  await page.waitForSelector('[data-testid=event-rate] canvas');
  const pic = await apiFrom(page, '/api/v1/picture?window=1h&top=100');
  if (pic.status !== 200) fail(`the analyst cannot read /api/v1/picture (HTTP ${pic.status})`);
  const deadline = Date.now() + 60000;
  let alerts = 0;
  while (Date.now() < deadline) {
    const p = await apiFrom(page, '/api/v1/picture?window=1h&top=100');
    alerts = (p.body?.top_provinces ?? []).reduce((s, x) => s + x.alerts, 0);
    if (alerts > 0) break;
    await page.waitForTimeout(2000);
  }
  if (alerts === 0) fail('no alerts in the picture within 60 s of the simulator starting');
  // The page re-polls the picture every 30 s; reload to show the counts now.
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=top-attackers] tbody tr').length > 0, null, { timeout: 20000 });
  const liveUp = await page.waitForSelector('[data-testid=live-warnings] .badge.ok', { timeout: 10000 }).then(() => true, () => false);
  if (!liveUp) fail('the warning stream (SSE) did not connect');
  await settled(page);
  await page.waitForTimeout(1500); // let the charts finish their animation before the picture
  await shot(page, '01-overview');
  ok(`overview filled: ${alerts} alerts by province in the last hour, SOC health, top attackers, live stream connected`);

  // English switch and back.
  await page.click('button.lang');
  if (!(await page.textContent('header nav')).includes('Overview')) fail('English switch did not change the navigation');
  await shot(page, '02-overview-en');
  await page.click('button.lang');
  ok('English switch works');

  // A warning, if the campaign detector raised one within the budget.
  const budget = Number(env.WARNING_BUDGET_S || 60) * 1000;
  const wEnd = Date.now() + budget;
  let warned = false;
  while (Date.now() < wEnd) {
    await page.goto(`${URL}/warnings`);
    await page.waitForSelector('[data-testid=warnings-page]');
    await settled(page);
    if ((await page.$$('[data-testid=warnings-table] tbody tr')).length > 0) {
      warned = true;
      break;
    }
    await page.waitForTimeout(5000);
  }
  await shot(page, '03-warnings');
  if (warned) {
    await page.click('[data-testid=warnings-table] tbody tr:first-child');
    await page.waitForSelector('[data-testid=warning-detail] dl.facts');
    await settled(page);
    await shot(page, '04-warning-detail');
    ok('warning opened');
  } else {
    console.log(`note: no warning was raised within ${budget / 1000} s; the warning-detail step is skipped`);
  }

  // The incident: its script title is shown as text, then it is triaged and assigned.
  await visit(page, '/incidents', 'incidents-page', '05-incidents');
  const card = page.locator('.card-title', { hasText: env.XSS }).first();
  await card.waitFor({ timeout: 15000 });
  if ((await card.textContent()) !== env.XSS) fail('the incident title is not shown verbatim');
  if ((await page.$$('.card-title script, .card-title *')).length !== 0) fail('the incident title was parsed as markup');
  await card.click();
  await page.waitForSelector('[data-testid=incident-detail] [data-testid=incident-state]');
  if (!(await page.textContent('[data-testid=incident-description]')).includes(env.XSS)) fail('description not shown as text');
  // Times are shown in Vietnam time although the browser runs in New York.
  const created = (await apiFrom(page, `/api/v1/incidents/${env.INCIDENT}`)).body.created;
  const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(created / 1e6));
  const facts = await page.textContent('[data-testid=incident-detail] dl.facts');
  if (!facts.includes(hhmm)) fail(`the creation time is not shown in Asia/Ho_Chi_Minh (${hhmm} not in "${facts}")`);
  await page.click('button:has-text("triaged")');
  await page.waitForFunction(() => document.querySelector('[data-testid=incident-state]')?.textContent === 'triaged', null, { timeout: 10000 });
  await page.selectOption('[data-testid=assign-form] select[name=kind]', 'organisation');
  await page.fill('[data-testid=assign-form] input[name=assignee]', env.ORG);
  await page.click('[data-testid=assign-form] button[type=submit]');
  await page.waitForFunction((org) => document.querySelector('[data-testid=incident-assignee]')?.textContent.startsWith(org), env.ORG, { timeout: 10000 });
  await settled(page);
  await shot(page, '06-incident-detail');
  ok(`incident ${env.INCIDENT} opened, triaged and assigned to ${env.ORG}; its <script> title shown as text, times in Asia/Ho_Chi_Minh (${hhmm})`);

  for (const [path, id, name] of [
    ['/directives', 'directives-page', '07-directives'],
    ['/compliance', 'compliance-page', '08-compliance'],
    ['/vulns', 'vulns-page', '09-vulns'],
    ['/intel', 'intel-page', '10-intel'],
    ['/events', 'events-page', '11-events'],
    ['/registry', 'registry-page', '12-registry'],
  ]) await visit(page, path, id, name);
  await a.context.close();
  ok('every main page renders for the analyst (screenshots written)');

  // ---- The organisation's SOC user.
  const o = await login(browser, env.ORG_USER, env.ORG_PW);
  const op = o.page;
  await settled(op);
  await op.waitForTimeout(1000);
  await shot(op, '13-org-overview');
  const list = await apiFrom(op, '/api/v1/incidents?limit=100');
  if (list.status !== 200) fail(`the organisation user cannot list incidents (HTTP ${list.status})`);
  const ids = list.body.incidents.map((i) => i.id);
  if (!ids.includes(env.INCIDENT)) fail(`the organisation does not see its incident ${env.INCIDENT}: ${ids}`);
  if (ids.includes(env.HIDDEN)) fail(`the organisation sees ${env.OTHER}'s incident ${env.HIDDEN}`);
  const hidden = await apiFrom(op, `/api/v1/incidents/${env.HIDDEN}`);
  if (hidden.status !== 404) fail(`another tenant's incident by id: HTTP ${hidden.status}, expected 404`);
  await visit(op, '/incidents', 'incidents-page', '14-org-incidents');
  const text = await op.textContent('.board');
  if (text.includes(`Sự cố riêng của ${env.OTHER}`)) fail('the board shows another organisation\'s incident');
  const events = await apiFrom(op, '/api/v1/events?limit=200');
  if (events.status !== 200) fail(`the organisation user cannot search events (HTTP ${events.status})`);
  const foreign = events.body.events.filter((e) => e['khien.org'] && e['khien.org'] !== env.ORG);
  if (foreign.length) fail(`event search shows other organisations' events: ${foreign[0]['khien.org']}`);
  ok(`the organisation user sees its incident, not ${env.OTHER}'s (404 by id), and only its own events (${events.body.total})`);

  // Warnings: the organisation's user reads the warnings that touch it, other organisations only counted.
  await visit(op, '/', 'overview', '15-org-live-warnings');
  const live = await op.waitForSelector('[data-testid=live-warnings] .badge', { timeout: 15000 });
  await op.waitForFunction(() => document.querySelector('[data-testid=live-warnings] .badge')?.classList.contains('ok'), null, { timeout: 15000 })
    .catch(async () => fail(`the organisation user's live warning stream is not connected: ${await live.textContent()}`));
  await visit(op, '/warnings', 'warnings-page', '16-org-warnings');
  if (await op.$('[data-testid=warnings-page] .state.error')) fail(`the warnings page is refused to the organisation user: ${await op.textContent('[data-testid=warnings-page]')}`);
  const warnings = await apiFrom(op, '/api/v1/warnings?limit=100');
  if (warnings.status !== 200) fail(`the organisation user cannot list warnings (HTTP ${warnings.status})`);
  for (const w of warnings.body.warnings) {
    const named = w.organisations.map((x) => x.org);
    if (named.some((org) => org !== env.ORG)) fail(`warning ${w.id} names other organisations to ${env.ORG}: ${named}`);
    if (!named.includes(env.ORG)) fail(`warning ${w.id} does not affect ${env.ORG} but is listed`);
  }
  // Every warning, as the national centre sees them (administrator token, outside the browser).
  const national = await (await fetch(`${URL}/api/v1/warnings?limit=1000`, { headers: { Authorization: `Bearer ${env.TOKEN}` } })).json();
  const foreignWarning = national.warnings.find((w) => !w.organisations.some((x) => x.org === env.ORG));
  if (foreignWarning) {
    const byId = await apiFrom(op, `/api/v1/warnings/${foreignWarning.id}`);
    if (byId.status !== 404) fail(`another organisation's warning ${foreignWarning.id} by id: HTTP ${byId.status}, expected 404`);
  }
  if (warnings.body.warnings.length) {
    const w = warnings.body.warnings[0];
    await visit(op, `/warnings/${w.id}`, 'warning-detail', '17-org-warning-detail');
    await op.waitForSelector('[data-testid=warning-masked]');
  }
  ok(`the organisation user sees ${warnings.body.total} warning(s) of its own, none naming another organisation${foreignWarning ? `; warning ${foreignWarning.id} of others is 404` : ''}`);

  // The ranking before the organisation acts: the late directive (deadline passed, never acted on)
  // has taken the directives component (docs/COMPLIANCE.md).
  const wait = Number(env.LATE_DEADLINE_MS) + 2000 - Date.now();
  if (wait > 0) await op.waitForTimeout(wait);
  const myRow = async (name) => {
    await visit(op, '/compliance', 'compliance-page', name);
    await op.waitForSelector('[data-testid=ranking] tbody tr');
    const rows = await op.$$eval('[data-testid=ranking] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    if (rows.length !== 1) fail(`the organisation user should see exactly its own ranking row, saw ${rows.length}`);
    return { rank: rows[0][0], score: rows[0][4] };
  };
  const before = await myRow('18-org-compliance-before');
  const late = (await apiFrom(op, `/api/v1/compliance/${env.ORG}`)).body;
  const lateItems = late?.components?.find((c) => c.name === 'directives')?.facts?.late ?? [];
  if (!lateItems.some((x) => x.startsWith(`${env.LATE}:`))) fail(`the late directive ${env.LATE} is not in ${env.ORG}'s breakdown: ${JSON.stringify(late?.components)}`);

  await visit(op, '/directives', 'directives-page', '19-org-directives');
  await op.click(`[data-testid=directives-table] a:has-text("${env.DIRECTIVE}")`);
  await op.waitForSelector('[data-testid=acknowledge]');
  await op.click('[data-testid=acknowledge]');
  await op.waitForFunction(() => document.querySelector('[data-testid=acknowledge]')?.disabled === true, null, { timeout: 10000 });
  await op.fill('[data-testid=directive-detail] .filters input', 'Đã cập nhật bản vá cho máy chủ thư');
  await op.click('[data-testid=complete]');
  await op.waitForFunction(() => document.querySelector('[data-testid=complete]')?.disabled === true, null, { timeout: 10000 });
  await settled(op);
  await shot(op, '20-org-directive-done');
  ok(`directive ${env.DIRECTIVE} acknowledged and reported complete from the browser`);

  const after = await myRow('21-org-compliance-after');
  await op.click('[data-testid=ranking] tbody tr a');
  await op.waitForSelector('[data-testid=compliance-breakdown] table');
  await shot(op, '22-org-compliance-breakdown');
  if (after.score === before.score) fail(`the displayed score of ${env.ORG} did not change after it acted: ${before.score} before and after`);
  // The score is shown in the console's language (Vietnamese: a decimal comma).
  const num = (text) => parseFloat(text.replace(/\./g, '').replace(',', '.'));
  if (!(num(after.score) > num(before.score))) fail(`the score of ${env.ORG} should rise after acting in time: ${before.score} → ${after.score}`);
  ok(`the ranking changed after ${env.ORG} acted: score ${before.score} → ${after.score}, rank ${before.rank} → ${after.rank}`);
  await o.context.close();
  ok('ranking with the breakdown shown to the organisation user');
} finally {
  await browser.close();
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
