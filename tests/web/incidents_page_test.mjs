// The on-call page in real headless Chromium against the real daemon: the seed
// cascade shows as one card with its chain, culprit, hint and timeline (one row
// per instance), a bad deploy's timeline changes revision colour where its
// failures start; log text with markup stays text; a read token cannot
// acknowledge, a write token can, and a resolved incident leaves the list; an
// incident no rule explains offers a drafted rule to copy. Screenshots go to
// OUT_DIR for people to look at.
//
// Usage: node incidents_page_test.mjs FAULTLINE_BINARY SOURCE_DIR SCENARIO OUT_DIR
// Chromium: $CHROMIUM, else /usr/bin/chromium (Debian's package).
// Waits poll with generous bounds and never assert on time, so a sanitized
// daemon or a loaded machine is only slower.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [binary, sourceDir, scenario, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: incidents_page_test.mjs FAULTLINE_BINARY SOURCE_DIR SCENARIO OUT_DIR');
  process.exit(2);
}
if (Number(process.versions.node.split('.')[0]) < 20) {
  console.error(`playwright-core needs Node.js 20 or later; this is ${process.version}.`);
  process.exit(1);
}
let chromium;
try {
  ({chromium} = await import('playwright-core'));
} catch {
  console.error('playwright-core is not installed in tests/web: run scripts/install-deps.sh (or `make deps`).');
  process.exit(1);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(executablePath)) {
  console.error(`${executablePath} is missing: install Debian's chromium package (scripts/install-deps.sh).`);
  process.exit(1);
}

// Tokens are at least 16 printable characters (README, Security).
const TOKENS = {ingest: 'web-test-ingest-token-0001', read: 'web-test-read-token-00001', write: 'web-test-write-token-0001'};
const XSS = '<img src=x onerror="window.__xss=1">';
const SERVICE = 'netra-backend-staging';
// Two revisions: the healthy 00203 replaced by 00204, which crash-loops (a bad deploy).
const BAD_DEPLOY_SCENARIO = path.join(sourceDir, 'tests', 'corpus', 'failures', '13_bad_deploy_previous_revision_healthy.ndjson');
const BAD_DEPLOY_SERVICE = 'orders-api';
// Three instances crash on a fatal line no rule knows: the card offers a drafted rule.
const UNKNOWN_SCENARIO = path.join(sourceDir, 'tests', 'corpus', 'failures', '18_unknown_fatal_line_three_instances.ndjson');
const UNKNOWN_SERVICE = 'ledger-sync';
const WAIT_MS = 60_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `probe` until it returns something truthy; the failure names what was awaited.
async function until(what, probe, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error.message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(100);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// ------------------------------------------------------------------ the daemon

class Daemon {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-web-'));
    this.logPath = path.join(this.dir, 'daemon.log');
    this.portFile = path.join(this.dir, 'port');
  }

  async start() {
    const log = fs.openSync(this.logPath, 'a');
    this.process = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--port-file', this.portFile,
                                  '--rules', path.join(sourceDir, 'rules', 'packs'),
                                  '--store', path.join(this.dir, 'faultline.db')], {
      stdio: ['ignore', log, log],
      env: {...process.env, FAULTLINE_INGEST_TOKENS: TOKENS.ingest, FAULTLINE_READ_TOKENS: TOKENS.read,
            FAULTLINE_WRITE_TOKENS: TOKENS.write},
    });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.process.on('exit', (code, signal) => resolve(signal || code)));
    this.port = await until('the port file of faultline serve', () => {
      if (this.process.exitCode !== null) throw new Error(`faultline serve exited ${this.process.exitCode}`);
      const text = fs.existsSync(this.portFile) ? fs.readFileSync(this.portFile, 'utf8').trim() : '';
      return text ? Number(text) : null;
    });
    this.base = `http://127.0.0.1:${this.port}`;
  }

  async request(method, urlPath, {token, body, type} = {}) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (type) headers['Content-Type'] = type;
    const response = await fetch(this.base + urlPath, {method, headers, body});
    const text = await response.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* the page's files are not JSON */ }
    return {status: response.status, headers: response.headers, text, json};
  }

  // SIGTERM by PID, SIGKILL after a bound; the exit status tells of sanitizer findings.
  async stop() {
    if (!this.process || this.process.exitCode !== null || this.process.signalCode !== null) return this.exited;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 30_000);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  log() {
    try { return fs.readFileSync(this.logPath, 'utf8'); } catch { return ''; }
  }
}

// ------------------------------------------------------------------ steps

const daemon = new Daemon();
let browser;
let page;
const pageErrors = [];
let incident;  // the seed cascade, as the API shows it

async function apiIncident(id) {
  const answer = await daemon.request('GET', `/api/v1/incidents/${id}`, {token: TOKENS.read});
  check(answer.status === 200, `GET /api/v1/incidents/${id} answered ${answer.status}: ${answer.text}`);
  return answer.json;
}

const card = () => page.locator('#incidents article.card', {hasText: SERVICE});
const refreshes = async () => Number(await page.locator('#status').getAttribute('data-refreshes'));

async function waitForRefresh() {
  const seen = await refreshes();
  await until('the page to refresh', async () => (await refreshes()) > seen);
}

async function useToken(token) {
  await page.locator('#token').fill(token);
  await page.getByRole('button', {name: 'Use'}).click();
}

const steps = [
  ['the daemon starts with ingest, read and write tokens', () => daemon.start()],

  ['the seed scenario and a cause line carrying markup are ingested', async () => {
    const markup = JSON.stringify({time: '2025-09-16T01:00:00Z', service: 'xss-probe', revision: `xss-probe-00001${XSS}`,
                                   instance: 'i-1', severity: 'ERROR',
                                   message: `ModuleNotFoundError: No module named '${XSS}'`});
    const body = fs.readFileSync(scenario, 'utf8').trimEnd() + '\n' + markup + '\n' +
                 fs.readFileSync(BAD_DEPLOY_SCENARIO, 'utf8');
    const answer = await daemon.request('POST', '/v1/logs', {token: TOKENS.ingest, body, type: 'application/x-ndjson'});
    check(answer.status === 200, `POST /v1/logs answered ${answer.status}: ${answer.text}`);
    const list = await daemon.request('GET', '/api/v1/incidents', {token: TOKENS.read});
    incident = list.json.incidents.find((i) => i.service === SERVICE && i.root_cause.rule === 'python_module_not_found');
    check(incident, `no open python_module_not_found incident for ${SERVICE}: ${list.text}`);
    check(incident.root_cause.frame, 'the seed incident has no culprit frame');
    check(list.json.incidents.some((i) => i.service === 'xss-probe'), 'the markup line opened no incident');
  }],

  ['/ and its assets are served with CSP, nosniff, charset and no-cache, without a token', async () => {
    for (const [urlPath, type] of [['/', 'text/html'], ['/ui/app.js', 'text/javascript'], ['/ui/style.css', 'text/css']]) {
      const answer = await daemon.request('GET', urlPath);
      check(answer.status === 200, `GET ${urlPath} answered ${answer.status}`);
      const headers = answer.headers;
      check(headers.get('content-type') === `${type}; charset=utf-8`, `${urlPath}: Content-Type ${headers.get('content-type')}`);
      check(/(^|;)\s*default-src 'self'/.test(headers.get('content-security-policy') || ''),
            `${urlPath}: Content-Security-Policy ${headers.get('content-security-policy')}`);
      check(headers.get('x-content-type-options') === 'nosniff', `${urlPath}: no X-Content-Type-Options: nosniff`);
      check(headers.get('cache-control') === 'no-cache' && headers.get('etag'), `${urlPath}: no Cache-Control: no-cache with an ETag`);
    }
  }],

  ['without a token the page says the API wants one', async () => {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      chromiumSandbox: false,  // tests run as root in CI, where Chromium's sandbox cannot start
      // This machine's network is closed: no background fetches, updates or sync.
      args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
             '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({viewport: {width: 1280, height: 900}});
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) pageErrors.push(`console: ${message.text()}`);
    });
    await page.goto(daemon.base + '/');
    await until('the 401 notice', async () => {
      const text = await page.locator('#incidents .notice').textContent({timeout: 1000});
      return /401/.test(text) && text.includes('Authorization: Bearer') ? text : null;
    });
  }],

  ['with the read token the card shows service, root cause, chain with counts, culprit and hint', async () => {
    await useToken(TOKENS.read);
    await card().waitFor({timeout: WAIT_MS});
    const text = await card().textContent();
    for (const wanted of [SERVICE, incident.root_cause.rule, incident.summary, incident.hint, 'crash loop'])
      check(text.includes(wanted), `the card lacks ${JSON.stringify(wanted)}`);
    const frame = incident.root_cause.frame;
    const culprit = await card().locator('.culprit').textContent();
    check(culprit === `${frame.file}:${frame.line} in ${frame.function}`, `culprit shown as ${JSON.stringify(culprit)}`);
    const links = await card().locator('ol.chain > li').evaluateAll((items) => items.map((li) => ({
      kind: li.querySelector('.kind').textContent, rule: li.querySelector('.rule').textContent,
      count: li.querySelector('.count').textContent, sample: li.querySelector('.sample').textContent})));
    check(links.length === incident.chain.length, `${links.length} chain links shown, the API has ${incident.chain.length}`);
    for (const link of incident.chain) {
      const shown = links.find((l) => l.rule === link.rule && l.kind === link.kind);
      check(shown, `chain link ${link.kind} ${link.rule} not shown`);
      check(shown.count === `×${link.count}`, `${link.rule}: count shown as ${shown.count}, the API says ${link.count}`);
      check(shown.sample === link.sample, `${link.rule}: sample shown as ${JSON.stringify(shown.sample)}`);
    }
    check(links[0].kind === 'cause', `the chain starts with ${links[0].kind}, not the cause`);
    check(text.includes(`${incident.exits}`) && text.includes('3 (boot failure) ×3'), 'exits and exit codes not shown');
  }],

  ['markup in a log line is shown as text and never runs', async () => {
    const probe = page.locator('#incidents article.card', {hasText: 'xss-probe'});
    await probe.waitFor({timeout: WAIT_MS});
    const sample = await probe.locator('ol.chain .sample').first().textContent();
    check(sample.includes(XSS), `the sample does not show the literal markup: ${JSON.stringify(sample)}`);
    check(await page.evaluate(() => window.__xss) === undefined, 'window.__xss was set: log text ran as script');
    check(await page.locator('#incidents img').count() === 0, 'an <img> from log text was created');
  }],

  ['the seed card shows the timeline: one row per instance with cause and exit marks, first failure, crash loop', async () => {
    const figure = card().locator('figure.timeline');
    await until('the seed timeline', async () => (await figure.locator('svg g.row').count()) > 0);
    const rows = await figure.locator('svg g.row').evaluateAll((groups) => groups.map((g) => ({
      instance: g.getAttribute('data-instance'),
      // The label's own text, then the <title> inside it (a tooltip with the full id).
      label: [...g.querySelector('text.instance').childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent).join(''),
      title: g.querySelector('text.instance > title')?.textContent,
      causes: g.querySelectorAll('.mark.cause').length,
      exits: g.querySelectorAll('.mark.exit').length})));
    const instanceRows = rows.filter((row) => row.instance !== '');
    check(JSON.stringify(instanceRows.map((row) => row.instance)) === JSON.stringify(incident.instance_ids),
          `timeline rows ${JSON.stringify(instanceRows.map((row) => row.instance))}, the API has ${JSON.stringify(incident.instance_ids)}`);
    check(instanceRows.length === 3, `the seed's timeline has ${instanceRows.length} instance rows, not 3`);
    for (const row of instanceRows) {
      check(row.causes >= 1 && row.exits >= 1, `instance ${row.instance}: ${row.causes} cause and ${row.exits} exit marks`);
      // Cloud Run instance ids are 128 hex digits: the label is short, the full id in its <title>.
      check(row.label.length <= 24 && row.label.includes('\u2026'), `instance label ${JSON.stringify(row.label)} is not shortened`);
      check(row.title === `instance ${row.instance}`, `instance ${row.instance}: tooltip ${JSON.stringify(row.title)}`);
    }
    check(await figure.locator('svg line.first-failure').count() === 1, 'no first-failure line');
    check(await figure.locator('svg line.crash-loop').count() === 1, 'no crash-loop threshold line');
    const answer = await daemon.request('GET', incident.links.timeline, {token: TOKENS.read});
    check(answer.status === 200 && answer.headers.get('content-type') === 'image/svg+xml; charset=utf-8',
          `GET ${incident.links.timeline} answered ${answer.status} ${answer.headers.get('content-type')}`);
    fs.mkdirSync(outDir, {recursive: true});
    await figure.screenshot({path: path.join(outDir, 'timeline-seed.png')});
  }],

  ['the bad deploy timeline changes band colour from the healthy revision to the new one where failures start', async () => {
    const list = await daemon.request('GET', '/api/v1/incidents', {token: TOKENS.read});
    const bad = list.json.incidents.find((i) => i.service === BAD_DEPLOY_SERVICE);
    check(bad && bad.deploy && bad.deploy.previous_revision, `no bad deploy incident for ${BAD_DEPLOY_SERVICE}: ${list.text}`);
    const figure = page.locator('#incidents article.card', {hasText: BAD_DEPLOY_SERVICE}).locator('figure.timeline');
    await until('the bad deploy timeline', async () => (await figure.locator('svg rect.band').count()) > 0);
    const bands = await figure.locator('svg rect.band').evaluateAll((rects) => rects.map((r) => ({
      revision: r.getAttribute('data-revision'), fill: r.getAttribute('fill'),
      x: Number(r.getAttribute('x')), width: Number(r.getAttribute('width'))})));
    check(JSON.stringify(bands.map((b) => b.revision)) === JSON.stringify([bad.deploy.previous_revision, bad.deploy.revision]),
          `bands ${JSON.stringify(bands.map((b) => b.revision))}, expected ${bad.deploy.previous_revision} then ${bad.deploy.revision}`);
    check(bands[0].fill !== bands[1].fill, `both revisions are drawn in ${bands[0].fill}`);
    const firstFailure = Number(await figure.locator('svg line.first-failure').getAttribute('x1'));
    check(Math.abs(bands[1].x - firstFailure) < 1,
          `the new revision's band starts at x=${bands[1].x}, the first failure is at x=${firstFailure}`);
    const causes = await figure.locator('svg .mark.cause circle').evaluateAll((marks) => marks.map((m) => Number(m.getAttribute('cx'))));
    check(causes.length > 0 && causes.every((x) => x >= bands[1].x), `cause marks at ${causes} lie outside ${bad.deploy.revision}'s band`);
    await figure.screenshot({path: path.join(outDir, 'timeline-bad-deploy.png')});
  }],

  ['markup in a revision name stays text in the timeline, in the API and on the page', async () => {
    const list = await daemon.request('GET', '/api/v1/incidents', {token: TOKENS.read});
    const probe = list.json.incidents.find((i) => i.service === 'xss-probe');
    const answer = await daemon.request('GET', probe.links.timeline, {token: TOKENS.read});
    check(answer.status === 200 && !answer.text.includes('<img') && answer.text.includes('&lt;img'),
          `the timeline SVG does not escape the revision: ${answer.text.slice(0, 300)}`);
    check(answer.headers.get('content-security-policy') === "default-src 'none'; frame-ancestors 'none'",
          `timeline.svg: Content-Security-Policy ${answer.headers.get('content-security-policy')}`);
    const figure = page.locator('#incidents article.card', {hasText: 'xss-probe'}).locator('figure.timeline');
    await until('the probe timeline', async () => (await figure.locator('svg rect.band').count()) === 1);
    check(await figure.locator('svg rect.band').getAttribute('data-revision') === `xss-probe-00001${XSS}`,
          'the band does not carry the revision as text');
    check(await page.evaluate(() => window.__xss) === undefined, 'window.__xss was set: log text ran as script');
    check(await page.locator('#incidents img').count() === 0, 'an <img> from log text was created');
  }],

  ['a bad deploy shows its badge and rollback hint; once resolved, MTTR by revision lists it', async () => {
    const list = await daemon.request('GET', '/api/v1/incidents', {token: TOKENS.read});
    const bad = list.json.incidents.find((i) => i.service === BAD_DEPLOY_SERVICE);
    check(bad && bad.deploy && bad.deploy.bad_deploy && bad.deploy.rollback_hint,
          `no bad deploy incident for ${BAD_DEPLOY_SERVICE}: ${list.text}`);
    const badCard = page.locator('#incidents article.card', {hasText: BAD_DEPLOY_SERVICE});
    await badCard.waitFor({timeout: WAIT_MS});
    check(await badCard.locator('.pill.bad-deploy').count() === 1, 'no bad deploy badge');
    const deployText = await badCard.locator('.deploy').textContent();
    for (const wanted of [bad.deploy.rollback_hint, bad.deploy.revision, bad.deploy.previous_revision, 'which was healthy'])
      check(deployText.includes(wanted), `the deploy block lacks ${JSON.stringify(wanted)}: ${JSON.stringify(deployText)}`);
    check(await card().locator('.pill.bad-deploy').count() === 0, 'the seed incident (one revision) says bad deploy');

    const answer = await daemon.request('POST', `/api/v1/incidents/${bad.id}/resolve`, {token: TOKENS.write});
    check(answer.status === 200, `resolving ${bad.id} answered ${answer.status}: ${answer.text}`);
    await until('the MTTR by revision row', async () => {
      const row = page.locator('table.by-revision tbody tr', {hasText: bad.deploy.revision});
      return (await row.count()) === 1 && (await row.locator('.pill.bad-deploy').count()) === 1;
    });
    check(await page.evaluate(() => window.__xss) === undefined, 'window.__xss was set');
  }],

  ['an unknown-cause card offers a drafted rule with a copy button', async () => {
    const answer = await daemon.request('POST', '/v1/logs', {token: TOKENS.ingest, body: fs.readFileSync(UNKNOWN_SCENARIO, 'utf8'),
                                                            type: 'application/x-ndjson'});
    check(answer.status === 200, `POST /v1/logs answered ${answer.status}: ${answer.text}`);
    const list = await daemon.request('GET', '/api/v1/incidents', {token: TOKENS.read});
    const unknown = list.json.incidents.find((i) => i.service === UNKNOWN_SERVICE);
    check(unknown && unknown.suspect_lines.length, `no unknown-cause incident for ${UNKNOWN_SERVICE}: ${list.text}`);
    const draft = await daemon.request('GET', `/api/v1/incidents/${unknown.id}/suggested-rule`, {token: TOKENS.read});
    check(draft.status === 200 && draft.text.includes('kind: cause'), `suggested-rule answered ${draft.status}: ${draft.text}`);

    const unknownCard = page.locator('#incidents article.card', {hasText: UNKNOWN_SERVICE});
    await unknownCard.waitFor({timeout: WAIT_MS});
    check(await card().locator('details.suggest').count() === 0, 'a card with a known cause offers a rule');
    await unknownCard.locator('details.suggest > summary').click();
    const shown = await until('the drafted rule', async () => {
      const pre = unknownCard.locator('details.suggest pre.draft');
      return (await pre.count()) === 1 ? pre.textContent() : null;
    });
    check(shown === draft.text, `the panel shows ${JSON.stringify(shown)}, the API ${JSON.stringify(draft.text)}`);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {origin: daemon.base});
    await unknownCard.getByRole('button', {name: 'Copy'}).click();
    await until('the copy to be confirmed', async () =>
      (await unknownCard.locator('.copy-status').textContent()) === 'Copied.');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    check(copied === draft.text, `the clipboard holds ${JSON.stringify(copied)}`);
    await waitForRefresh();
    check(await unknownCard.locator('details.suggest').evaluate((d) => d.open) &&
          (await unknownCard.locator('details.suggest pre.draft').textContent()) === draft.text,
          'the panel closed or lost its draft on refresh');
    fs.mkdirSync(outDir, {recursive: true});
    const file = path.join(outDir, 'suggested-rule.png');
    await unknownCard.screenshot({path: file});
    const bytes = fs.readFileSync(file);
    check(bytes.length > 1000 && bytes.subarray(1, 4).toString() === 'PNG', `${file} is not a PNG`);
  }],

  ['Ack with the read token shows the 403 detail and the incident stays open', async () => {
    await card().locator('details.evidence > summary').click();
    await card().getByRole('button', {name: 'Acknowledge'}).click();
    const message = await until('the 403 message', async () => {
      const box = page.locator('#message');
      return (await box.isVisible()) ? box.textContent() : null;
    });
    check(message.includes('403') && message.includes('read-only'), `message: ${JSON.stringify(message)}`);
    check((await apiIncident(incident.id)).state === 'open', 'the read token changed the incident');
  }],

  ['Ack with the write token: the card and the API say acknowledged, evidence stays expanded', async () => {
    await useToken(TOKENS.write);
    await waitForRefresh();
    await card().getByRole('button', {name: 'Acknowledge'}).click();
    await until('the card to show acknowledged', async () =>
      (await card().locator('.pill.state-acknowledged').count()) === 1);
    check(await page.locator('#message').isHidden(), 'the error message stayed after a successful ack');
    check((await apiIncident(incident.id)).state === 'acknowledged', 'the API does not say acknowledged');
    await waitForRefresh();
    check(await card().locator('details.evidence').evaluate((d) => d.open), 'the expanded evidence closed on refresh');
    check((await card().textContent()).includes('acknowledged by web'), 'the history does not show the ack');
  }],

  ['screenshots are non-empty PNGs', async () => {
    fs.mkdirSync(outDir, {recursive: true});
    // The whole page on a laptop; what a phone shows first.
    const shots = [[path.join(outDir, 'incidents.png'), {width: 1280, height: 900}, true],
                   [path.join(outDir, 'incidents-phone.png'), {width: 390, height: 844}, false]];
    for (const [file, viewport, fullPage] of shots) {
      await page.setViewportSize(viewport);
      await page.screenshot({path: file, fullPage});
      const bytes = fs.readFileSync(file);
      check(bytes.length > 1000 && bytes.subarray(1, 4).toString() === 'PNG', `${file} is not a PNG`);
      check(bytes.readUInt32BE(16) === viewport.width, `${file} is ${bytes.readUInt32BE(16)} px wide`);
    }
    await page.setViewportSize(shots[0][1]);
  }],

  ['Resolve: the incident leaves the open list and shows as recently resolved', async () => {
    await card().getByRole('button', {name: 'Resolve'}).click();
    await until('the card to leave the open list', async () => (await card().count()) === 0);
    check((await apiIncident(incident.id)).state === 'resolved', 'the API does not say resolved');
    await page.locator('#resolved-section > summary').click();
    await until('the recently resolved list', async () =>
      (await page.locator('#resolved li', {hasText: SERVICE}).count()) === 1);
  }],

  ['with nothing open the page says "No open incidents"', async () => {
    const list = await daemon.request('GET', '/api/v1/incidents', {token: TOKENS.read});
    for (const other of list.json.incidents) {
      const answer = await daemon.request('POST', `/api/v1/incidents/${other.id}/resolve`, {token: TOKENS.write});
      check(answer.status === 200, `resolving ${other.id} answered ${answer.status}: ${answer.text}`);
    }
    await until('the empty state', async () =>
      (await page.locator('#incidents .empty').count()) === 1 &&
      (await page.locator('#incidents .empty').textContent()).includes('No open incidents'));
  }],

  ['the daemon stops cleanly on SIGTERM', async () => {
    const status = await daemon.stop();
    check(status === 0, `faultline serve exited ${status} (a sanitizer finding?)`);
  }],

  ['with the daemon gone the page says the API cannot be reached', async () => {
    await until('the unreachable notice', async () =>
      /Cannot reach the faultline daemon/.test(await page.locator('#incidents .notice').textContent({timeout: 1000})));
  }],

  ['the page raised no script errors or CSP violations', async () => {
    check(pageErrors.length === 0, pageErrors.join('\n'));
  }],
];

// A runner's timeout or Ctrl-C: stop the daemon and Chromium before leaving.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, async () => {
    await browser?.close().catch(() => {});
    await daemon.stop();
    process.exit(128 + os.constants.signals[signal]);
  });
}

let passed = 0;
let failed = 0;
for (const [name, run] of steps) {
  if (failed) {
    console.log(`skip ${name}`);
    continue;
  }
  try {
    await run();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}\n  ${String(error.stack || error).replace(/\n/g, '\n  ')}`);
  }
}
if (failed) {
  if (page) {
    fs.mkdirSync(outDir, {recursive: true});
    await page.screenshot({path: path.join(outDir, 'failure.png'), fullPage: true}).catch(() => {});
    console.log(`page at failure: ${path.join(outDir, 'failure.png')}`);
  }
  console.log('daemon log:\n' + daemon.log());
}
await browser?.close().catch(() => {});
await daemon.stop();
fs.rmSync(daemon.dir, {recursive: true, force: true});
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
