// faultline's on-call page: open incidents with their cascade, ack and resolve,
// MTTR figures. Plain script, no build step; served by the daemon itself.
//
// Every string in an incident comes from a log line, which anyone able to make a
// container print can write. So the DOM is built with createElement and text
// nodes only, never innerHTML, and no data goes into a URL or style.
'use strict';

const REFRESH_MS = 5000;
const MAX_PAGES = 10;          // of 1000 incidents each; the daemon keeps 10,000 by default
const RESOLVED_SHOWN = 20;
const TOKEN_KEY = 'faultline.token';        // sessionStorage: gone with the tab
const EXPANDED_KEY = 'faultline.expanded';  // sessionStorage: survives a reload of the tab
const BY_KEY = 'faultline.by';              // localStorage: a name is no secret
const SEVERITY_RANK = {critical: 3, warning: 2, info: 1};
const KIND_ORDER = ['cause', 'effect', 'exit', 'loop', 'recovery'];
// Exit codes mean something by convention; the summary says so too.
const EXIT_MEANING = {1: 'error', 2: 'usage', 3: 'boot failure', 137: 'SIGKILL, often OOM', 139: 'SIGSEGV',
                      143: 'SIGTERM'};

const $ = (id) => document.getElementById(id);

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  expanded: new Set(readJson(sessionStorage.getItem(EXPANDED_KEY), [])),
  rendered: {incidents: null, resolved: null, mttr: null},  // last data drawn, to skip identical redraws
  inFlight: false,
  again: false,
  timer: 0,
  refreshes: 0,
};

function readJson(text, fallback) {
  try {
    const value = JSON.parse(text);
    return value === null ? fallback : value;
  } catch {
    return fallback;
  }
}

// el('p', {class: 'x'}, 'text', child): attributes are ours; children given as
// strings become text nodes, so data can never become markup.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// ------------------------------------------------------------------ the API

class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail);
    this.status = status;  // 0: the daemon could not be reached
    this.title = title;
    this.detail = detail;
  }
}

async function api(method, path, body) {
  const headers = {Accept: 'application/json'};
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {method, headers, cache: 'no-store', credentials: 'omit',
                                  body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (error) {
    throw new ApiError(0, 'Unreachable', `Cannot reach the faultline daemon at ${location.origin} (${error.message}).`);
  }
  const text = await response.text();
  const json = readJson(text, null);
  if (!response.ok) {
    // The daemon's errors are RFC 7807: `detail` says what is wrong and how to fix it.
    const detail = json && typeof json.detail === 'string' ? json.detail : text.slice(0, 300) || response.statusText;
    throw new ApiError(response.status, (json && json.title) || response.statusText, detail);
  }
  if (json === null) throw new ApiError(response.status, 'Bad answer', `${path} did not answer JSON.`);
  return json;
}

function explain(error, what) {
  if (error.status === 401)
    return `${what}: the daemon wants a valid token (401 ${error.title}). ${error.detail} ` +
           'Enter a read token to look, or a write token to acknowledge and resolve.';
  if (error.status === 403)
    return `${what}: this token may not do that (403 ${error.title}). ${error.detail}`;
  if (error.status === 0) return `${what}: ${error.detail}`;
  return `${what}: ${error.status} ${error.title}. ${error.detail}`;
}

// Active or resolved incidents, following next_cursor (the API pages oldest first).
async function fetchIncidents(which) {
  const incidents = [];
  let cursor = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({state: which, limit: '1000'});
    if (cursor) query.set('cursor', cursor);
    const answer = await api('GET', '/api/v1/incidents?' + query);
    incidents.push(...answer.incidents);
    cursor = answer.next_cursor;
    if (!cursor) return {incidents, complete: true};
  }
  return {incidents, complete: false};
}

// ------------------------------------------------------------------ formatting

const dateFormat = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'medium'});
const clockFormat = new Intl.DateTimeFormat(undefined, {timeStyle: 'medium'});

function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

function ago(iso) {
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 0) return 'in the future';
  return duration(seconds >= 3600 ? Math.round(seconds / 60) * 60 : seconds) + ' ago';
}

// A time, with its age unless `withAge` is false; ages are kept fresh by updateAges().
function when(iso, withAge = true) {
  if (!iso) return '–';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return String(iso);
  const time = el('time', {datetime: iso, title: iso}, dateFormat.format(at));
  if (!withAge) return time;
  const age = el('span', {class: 'ago'}, ago(iso));
  age.dataset.at = iso;
  return el('span', {}, time, ' ', age);
}

function updateAges() {
  for (const age of document.querySelectorAll('.ago')) age.textContent = ago(age.dataset.at);
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// ------------------------------------------------------------------ incidents

function byUrgency(a, b) {
  return (a.state === 'open' ? 0 : 1) - (b.state === 'open' ? 0 : 1) ||
         (SEVERITY_RANK[b.severity] || 0) - (SEVERITY_RANK[a.severity] || 0) ||
         Number(b.crash_loop) - Number(a.crash_loop) ||
         String(b.opened_at).localeCompare(String(a.opened_at));
}

function pill(kind, text, title) {
  return el('span', {class: `pill ${kind}`, title}, text);
}

function badges(incident) {
  const deploy = incident.deploy;
  return el('div', {class: 'badges'},
    pill(`sev-${incident.severity}`, incident.severity),
    pill(`state-${incident.state}`, incident.state),
    incident.crash_loop && pill('loop', 'crash loop', 'The platform keeps restarting it'),
    deploy && deploy.bad_deploy && pill('bad-deploy', 'bad deploy', 'First seen on a new revision'),
    incident.reopened > 0 && pill('reopened', `reopened ×${incident.reopened}`, 'Came back after it was resolved'));
}

function chainList(incident) {
  const links = [...(incident.chain || [])].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  return el('ol', {class: 'chain', 'aria-label': 'Cascade'}, links.map((link) =>
    el('li', {class: `link kind-${link.kind}`},
      el('span', {class: 'kind'}, link.kind),
      el('code', {class: 'rule'}, link.rule),
      el('span', {class: 'count', title: 'lines seen'}, `×${link.count}`),
      el('code', {class: 'sample', title: link.sample}, link.sample))));
}

function frameText(frame) {
  if (!frame) return null;
  return `${frame.file}:${frame.line}` + (frame.function ? ` in ${frame.function}` : '');
}

function exitCodes(codes) {
  const entries = Object.entries(codes || {});
  if (!entries.length) return null;
  // hasOwn: a code is a key from log text, and "constructor" must not find Object's.
  return entries.map(([code, count]) =>
    `${code}${Object.hasOwn(EXIT_MEANING, code) ? ` (${EXIT_MEANING[code]})` : ''} ×${count}`).join(', ');
}

function revisions(incident) {
  const list = incident.revisions || [];
  if (!list.length) return null;
  return list.length > 3 ? `${list.slice(-3).join(', ')} (+${list.length - 3} earlier)` : list.join(', ');
}

function fact(label, value, valueClass) {
  if (value === null || value === undefined || value === '') return null;
  return [el('dt', {}, label), el('dd', {class: valueClass}, value)];
}

function deployBlock(deploy) {
  if (!deploy || typeof deploy !== 'object' || !(deploy.bad_deploy || deploy.rollback_hint)) return null;
  const previous = deploy.previous_revision
    ? [' after ', el('code', {}, deploy.previous_revision),
       deploy.previous_healthy === true ? ', which was healthy'
         : deploy.previous_healthy === false ? ', which was failing too' : '']
    : '';
  return el('div', {class: 'deploy'},
    el('p', {}, deploy.bad_deploy ? 'Bad deploy: ' : 'Deploy: ', 'first seen on revision ',
       el('code', {}, deploy.revision || '?'), previous, '.'),
    deploy.rollback_hint && el('p', {class: 'rollback'}, deploy.rollback_hint));
}

function evidence(incident) {
  const captures = Object.entries((incident.root_cause && incident.root_cause.captures) || {});
  const history = incident.history || [];
  const details = el('details', {class: 'evidence', open: state.expanded.has(incident.id)},
    el('summary', {}, 'Evidence and history'),
    el('h4', {}, 'Chain'),
    el('div', {class: 'table-wrap'}, el('table', {class: 'links'},
      el('thead', {}, el('tr', {}, ['kind', 'rule', 'count', 'first seen', 'last seen'].map((h) => el('th', {}, h)))),
      el('tbody', {}, (incident.chain || []).map((link) => [
        el('tr', {}, el('td', {}, link.kind), el('td', {}, el('code', {}, link.rule)), el('td', {}, link.count),
           el('td', {}, when(link.first_seen, false)), el('td', {}, when(link.last_seen, false))),
        el('tr', {class: 'sample-row'}, el('td', {colspan: 5}, el('pre', {}, link.sample)))])))),
    el('dl', {class: 'facts'},
      fact('Root cause', el('code', {}, incident.root_cause && incident.root_cause.rule)),
      captures.map(([name, value]) => fact(name, el('code', {}, value))),
      fact('Cause line', incident.root_cause && incident.root_cause.message && el('pre', {}, incident.root_cause.message)),
      fact('Instances', (incident.instance_ids || []).join(', ')),
      fact('Revisions', (incident.revisions || []).join(', ')),
      fact('Occurrences', incident.occurrences),
      fact('Acknowledged', incident.acknowledged_at && when(incident.acknowledged_at)),
      fact('Resolved', incident.resolved_at && [when(incident.resolved_at), ` by ${incident.resolved_by}`]),
      fact('Fingerprint', el('code', {}, incident.fingerprint)),
      fact('Id', el('code', {}, incident.id))),
    history.length && [el('h4', {}, 'History'), el('ul', {class: 'history'}, history.map((entry) =>
      el('li', {}, when(entry.at, false), ' ', el('strong', {}, entry.action), ' by ', entry.by,
         entry.note ? ` — ${entry.note}` : '')))]);
  details.addEventListener('toggle', () => {
    if (details.open) state.expanded.add(incident.id);
    else state.expanded.delete(incident.id);
    sessionStorage.setItem(EXPANDED_KEY, JSON.stringify([...state.expanded].slice(-200)));
  });
  return details;
}

function actions(incident) {
  const box = el('div', {class: 'actions'});
  const act = (label, verb, allowed) => allowed && el('button', {type: 'button', class: verb,
    onclick: (event) => lifecycle(incident, verb, box, event.currentTarget)}, label);
  box.append(...[act('Acknowledge', 'ack', incident.state === 'open'),
                 act('Resolve', 'resolve', incident.state !== 'resolved')].filter(Boolean));
  return box;
}

// No rule knows the cause: the last error lines each crashing instance printed.
function suspects(lines) {
  if (!Array.isArray(lines) || !lines.length) return null;
  return el('ul', {class: 'suspects'}, lines.map((s) =>
    el('li', {}, s.instance ? el('span', {class: 'instance'}, `${s.instance}: `) : '', el('code', {}, s.line),
       s.count > 1 ? el('span', {class: 'instance'}, ` ×${s.count}`) : '')));
}

function card(incident) {
  const root = incident.root_cause || {};
  const where = [incident.namespace, incident.cluster].filter(Boolean).join(' @ ');
  const article = el('article', {class: `card sev-${incident.severity} state-${incident.state}`},
    el('header', {class: 'card-head'},
      el('div', {},
        badges(incident),
        el('h3', {class: 'service'}, incident.service, where && el('span', {class: 'where'}, ` ${where}`))),
      actions(incident)),
    el('p', {class: 'summary'}, incident.summary),
    chainList(incident),
    deployBlock(incident.deploy),
    timelineFigure(incident),
    el('dl', {class: 'facts'},
      fact('Root cause', el('code', {}, root.rule)),
      fact('Culprit', root.frame && el('code', {}, frameText(root.frame)), 'culprit'),
      fact('Hint', incident.hint, 'hint'),
      fact('Suspect lines', suspects(incident.suspect_lines), 'suspects'),
      fact('Exits', `${incident.exits}` + (exitCodes(incident.exit_codes) ? ` — codes ${exitCodes(incident.exit_codes)}` : '')),
      fact('Instances', incident.instances),
      fact('Revisions', revisions(incident)),
      fact('Opened', when(incident.opened_at)),
      fact('Last seen', when(incident.last_seen)),
      fact('Detected after', duration(incident.detection_delay_seconds))),
    suggestPanel(incident),
    evidence(incident));
  article.dataset.id = incident.id;
  return article;
}

function renderIncidents({incidents, complete}) {
  const list = $('incidents');
  list.classList.remove('stale');
  list.querySelector(':scope > .notice')?.remove();
  const sorted = [...incidents].sort(byUrgency);
  const key = JSON.stringify([sorted, complete]);
  if (key === state.rendered.incidents) return;
  state.rendered.incidents = key;
  list.replaceChildren(...(sorted.length
    ? sorted.map(card)
    : [el('p', {class: 'empty'}, el('strong', {}, 'No open incidents.'), ' Nothing is failing right now.')]));
  if (!complete) list.append(el('p', {class: 'note'}, `Showing the oldest ${incidents.length}; the API has more.`));
}

function renderListProblem(text, keepStale) {
  const list = $('incidents');
  if (keepStale && state.rendered.incidents) {
    list.classList.add('stale');
    const notice = list.querySelector(':scope > .notice') || list.insertBefore(el('p', {class: 'notice'}), list.firstChild);
    notice.textContent = text;
    return;
  }
  state.rendered.incidents = null;
  list.classList.remove('stale');
  list.replaceChildren(el('p', {class: 'notice'}, text));
}

function renderResolved({incidents}) {
  const recent = [...incidents]
    .sort((a, b) => String(b.resolved_at).localeCompare(String(a.resolved_at)))
    .slice(0, RESOLVED_SHOWN);
  const key = JSON.stringify(recent);
  if (key === state.rendered.resolved) return;
  state.rendered.resolved = key;
  $('resolved').replaceChildren(recent.length
    ? el('ul', {class: 'resolved-list'}, recent.map((incident) => el('li', {},
        el('span', {class: 'service'}, incident.service), ' ',
        el('code', {}, incident.root_cause && incident.root_cause.rule), ' ',
        el('span', {class: 'muted'}, incident.summary),
        el('span', {class: 'resolved-when'}, 'resolved ', when(incident.resolved_at), ` by ${incident.resolved_by}`,
           ' after ', duration((Date.parse(incident.resolved_at) - Date.parse(incident.opened_at)) / 1000)))))
    : el('p', {class: 'muted'}, 'Nothing resolved yet.'));
}

// ------------------------------------------------------------------ suggest a rule

// An incident no rule explains offers a rule drafted from its suspect lines
// (GET /api/v1/incidents/{id}/suggested-rule, YAML). Fetched when the panel is
// opened, kept per incident until its suspect lines change, so that refreshes
// redraw it without asking again; open panels stay open across refreshes.
const suggestions = {open: new Set(), drafts: new Map()};  // id -> {key, text} or {key, error}

async function fetchSuggestedRule(id) {
  const headers = {Accept: 'application/yaml'};
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  let response;
  try {
    response = await fetch(`/api/v1/incidents/${encodeURIComponent(id)}/suggested-rule`,
                           {headers, cache: 'no-store', credentials: 'omit'});
  } catch (error) {
    throw new ApiError(0, 'Unreachable', `Cannot reach the faultline daemon at ${location.origin} (${error.message}).`);
  }
  const text = await response.text();
  if (response.ok) return text;
  const json = readJson(text, null);
  throw new ApiError(response.status, (json && json.title) || response.statusText,
                     json && typeof json.detail === 'string' ? json.detail : text.slice(0, 300));
}

async function copyDraft(text, pre, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = 'Copied.';
  } catch {
    // No clipboard access (a plain-http origin other than localhost): select it for a manual copy.
    getSelection().selectAllChildren(pre);
    status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
}

function fillSuggestion(box, draft) {
  if (draft.error) {
    box.replaceChildren(el('p', {class: 'notice'}, draft.error));
    return;
  }
  const pre = el('pre', {class: 'draft'}, draft.text);
  const status = el('span', {class: 'copy-status', role: 'status'});
  box.replaceChildren(
    el('p', {class: 'note'}, 'A cause rule drafted from the suspect lines. Review it, say what to fix in its hint, ' +
                             'then add it to a rule pack (faultline rules check, then reload).'),
    pre,
    el('div', {class: 'copy-row'},
       el('button', {type: 'button', class: 'quiet copy', onclick: () => copyDraft(draft.text, pre, status)}, 'Copy'),
       status));
}

function suggestPanel(incident) {
  if (!Array.isArray(incident.suspect_lines) || !incident.suspect_lines.length) return null;
  const key = JSON.stringify(incident.suspect_lines);
  const box = el('div', {class: 'suggestion'});
  const details = el('details', {class: 'suggest', open: suggestions.open.has(incident.id)},
    el('summary', {}, 'Suggest a rule'), box);
  const load = async () => {
    const cached = suggestions.drafts.get(incident.id);
    if (cached && cached.key === key) return fillSuggestion(box, cached);
    box.replaceChildren(el('p', {class: 'note'}, 'Drafting…'));
    let draft;
    try {
      draft = {key, text: await fetchSuggestedRule(incident.id)};
    } catch (error) {
      draft = {key, error: explain(error, 'Suggesting a rule')};
    }
    if (transientError(draft)) suggestions.drafts.delete(incident.id);
    else suggestions.drafts.set(incident.id, draft);
    fillSuggestion(box, draft);
  };
  details.addEventListener('toggle', () => {
    if (details.open) {
      suggestions.open.add(incident.id);
      load();
    } else {
      suggestions.open.delete(incident.id);
    }
  });
  if (details.open) load();  // redrawn open: the cached draft, at once
  return details;
}

// An unreachable daemon or a refused token may answer differently next time.
function transientError(draft) {
  return Boolean(draft.error) && !/^Suggesting a rule: 409 /.test(draft.error);
}

// ------------------------------------------------------------------ timeline

// The incident's timeline picture, drawn by the daemon (GET …/timeline.svg, one
// renderer for the API and this page) and shown inline. It holds log text: the
// daemon escapes it, and only drawing elements and attributes are kept here.
const TIMELINE_CACHED = 200;
const TIMELINE_ELEMENTS = new Set(['svg', 'g', 'title', 'rect', 'line', 'circle', 'path', 'text']);
const TIMELINE_ATTRIBUTES = new Set([
  'xmlns', 'class', 'viewBox', 'width', 'height', 'role', 'aria-label', 'x', 'y', 'x1', 'y1', 'x2', 'y2',
  'cx', 'cy', 'r', 'd', 'fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'text-anchor', 'font-family',
  'font-size', 'data-instance', 'data-revision']);
const timelines = new Map();  // incident id -> {key, svg}: fetched again only when the incident changed

async function fetchTimeline(incident) {
  const path = `/api/v1/incidents/${encodeURIComponent(incident.id)}/timeline.svg`;
  const headers = {Accept: 'image/svg+xml'};
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  let response;
  try {
    response = await fetch(path, {headers, cache: 'no-store', credentials: 'omit'});
  } catch (error) {
    throw new ApiError(0, 'Unreachable', `Cannot reach the faultline daemon at ${location.origin} (${error.message}).`);
  }
  const text = await response.text();
  if (!response.ok) {
    const json = readJson(text, null);
    throw new ApiError(response.status, (json && json.title) || response.statusText,
                       json && typeof json.detail === 'string' ? json.detail : response.statusText);
  }
  return cleanSvg(text);
}

// Parses the picture and keeps only what draws: no script, handler, link or style.
function cleanSvg(text) {
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.localName !== 'svg' || parsed.getElementsByTagName('parsererror').length)
    throw new ApiError(200, 'Bad answer', 'the timeline is not an SVG picture.');
  for (const node of [root, ...root.querySelectorAll('*')]) {
    if (!TIMELINE_ELEMENTS.has(node.localName)) {
      node.remove();
      continue;
    }
    for (const attribute of [...node.attributes])
      if (!TIMELINE_ATTRIBUTES.has(attribute.name)) node.removeAttribute(attribute.name);
  }
  return document.importNode(root, true);
}

function timelineFigure(incident) {
  const figure = el('figure', {class: 'timeline'});
  const key = JSON.stringify(incident);
  const cached = timelines.get(incident.id);
  if (cached && cached.key === key) {
    figure.append(cached.svg.cloneNode(true));
    return figure;
  }
  figure.append(el('p', {class: 'muted'}, 'Loading the timeline…'));
  fetchTimeline(incident).then((svg) => {
    timelines.delete(incident.id);
    timelines.set(incident.id, {key, svg});
    if (timelines.size > TIMELINE_CACHED) timelines.delete(timelines.keys().next().value);
    figure.replaceChildren(svg.cloneNode(true));
  }, (error) => {
    figure.replaceChildren(el('p', {class: 'muted'}, explain(error, 'Loading the timeline')));
  });
  return figure;
}

// ------------------------------------------------------------------ MTTR

function figure(title, stats, note) {
  return el('div', {class: 'figure'},
    el('div', {class: 'figure-title'}, title),
    el('div', {class: 'figure-value'}, stats && stats.count ? duration(stats.p50_seconds) : '–'),
    el('div', {class: 'muted'}, stats && stats.count
      ? `median · p90 ${duration(stats.p90_seconds)} · ${note(stats.count)}` : 'nothing yet'));
}

// GET /api/v1/stats/mttr's by_revision: the failed-deployment recovery time per
// revision an incident was first seen on (means, in seconds; null when none).
function byRevisionTable(rows) {
  if (!Array.isArray(rows) || !rows.length) return null;
  return el('div', {class: 'table-wrap'}, el('table', {class: 'by-revision'},
    el('caption', {}, 'MTTR by revision'),
    el('thead', {}, el('tr', {}, ['revision', 'service', 'incidents', 'resolved', 'MTTR', 'MTTA']
      .map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.map((row) => el('tr', {},
      el('td', {}, el('code', {}, row.revision), row.bad_deploy ? [' ', pill('bad-deploy', 'bad deploy')] : null),
      el('td', {}, row.service || ''), el('td', {}, row.incidents ?? ''), el('td', {}, row.resolved ?? ''),
      el('td', {}, duration(row.mttr_seconds)), el('td', {}, duration(row.mtta_seconds)))))));
}

function renderMttr(report) {
  const key = JSON.stringify(report);
  if (key === state.rendered.mttr) return;
  state.rendered.mttr = key;
  const overall = report.overall || {};
  const mttr = overall.mttr || {};
  const split = mttr.by_resolved_by || {};
  $('mttr').replaceChildren(...[
    el('div', {class: 'figures'},
      figure('MTTR', mttr, (n) => plural(n, 'resolved', 'resolved')),
      figure('MTTA', overall.mtta, (n) => plural(n, 'acknowledged', 'acknowledged')),
      figure('Resolved automatically', split.auto, (n) => plural(n, 'incident', 'incidents')),
      figure('Resolved by hand', split.manual, (n) => plural(n, 'incident', 'incidents'))),
    byRevisionTable(report.by_revision)].filter(Boolean));
}

// ------------------------------------------------------------------ actions

function showMessage(text, kind) {
  $('message').className = `message ${kind || 'error'}`;
  $('message-text').textContent = text;
  $('message').hidden = false;
}

async function lifecycle(incident, verb, box, button) {
  const buttons = [...box.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  button.classList.add('busy');
  const by = localStorage.getItem(BY_KEY) || 'web';
  const what = `${verb === 'ack' ? 'Acknowledging' : 'Resolving'} ${incident.service} (${incident.id})`;
  try {
    await api('POST', `/api/v1/incidents/${encodeURIComponent(incident.id)}/${verb}`, {by});
    $('message').hidden = true;
    setStatus(`${verb === 'ack' ? 'Acknowledged' : 'Resolved'} ${incident.service}.`);
  } catch (error) {
    showMessage(explain(error, what));
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    button.classList.remove('busy');
    refresh();
  }
}

function setStatus(text) {
  $('status').textContent = text;
}

// ------------------------------------------------------------------ refresh loop

// One refresh at a time; a request for another meanwhile runs right after it.
async function refresh() {
  if (state.inFlight) {
    state.again = true;
    return;
  }
  state.inFlight = true;
  clearTimeout(state.timer);
  try {
    const [active, report] = await Promise.all([
      fetchIncidents('active'),
      api('GET', '/api/v1/stats/mttr?window=' + encodeURIComponent($('window').value)),
    ]);
    renderIncidents(active);
    renderMttr(report);
    if ($('resolved-section').open) renderResolved(await fetchIncidents('resolved'));
    const open = active.incidents.filter((i) => i.state === 'open').length;
    setStatus(`${plural(open, 'open', 'open')}, ${active.incidents.length - open} acknowledged · ` +
              `updated ${clockFormat.format(new Date())}`);
  } catch (error) {
    const unreachable = error.status === 0;
    renderListProblem(unreachable
      ? `${error.detail} Showing what was last seen; retrying every ${REFRESH_MS / 1000} s.`
      : explain(error, 'Loading incidents'), unreachable);
    setStatus(unreachable ? 'API unreachable' : `API answered ${error.status}`);
  } finally {
    updateAges();
    state.refreshes += 1;
    $('status').dataset.refreshes = String(state.refreshes);  // lets tests wait for a refresh
    state.inFlight = false;
    if (state.again) {
      state.again = false;
      refresh();
    } else {
      state.timer = setTimeout(refresh, REFRESH_MS);
    }
  }
}

function start() {
  $('token').value = state.token;
  $('by').value = localStorage.getItem(BY_KEY) || '';
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();  // the token must never end up in a URL
    state.token = $('token').value.trim();
    if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token);
    else sessionStorage.removeItem(TOKEN_KEY);
    const by = $('by').value.trim();
    if (by) localStorage.setItem(BY_KEY, by);
    else localStorage.removeItem(BY_KEY);
    $('message').hidden = true;
    state.rendered = {incidents: null, resolved: null, mttr: null};
    refresh();
  });
  $('forget').addEventListener('click', () => {
    $('token').value = '';
    $('token-form').requestSubmit();
  });
  $('message-close').addEventListener('click', () => { $('message').hidden = true; });
  $('window').addEventListener('change', refresh);
  $('resolved-section').addEventListener('toggle', refresh);
  refresh();
}

start();
