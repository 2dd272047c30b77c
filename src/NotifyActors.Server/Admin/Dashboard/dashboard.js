// The NotifyActors dashboard: polls the admin API of the server that served it (same origin only) with
// the admin token kept in this tab's session storage. Every second: the current stats (tiles) and the
// server's new one-second samples (/admin/stats/history, which holds the last 10 minutes, so the charts
// are full as soon as the page opens); tables every five seconds while the tab is visible, because each
// subscribers query asks every matching connection actor (a scatter-gather) on the server. Every text that comes from the server (channel names,
// user ids, addresses) is written with textContent, never as HTML: those names are chosen by clients.
'use strict';

const TOKEN_KEY = 'notifyactors.admin-token';
const WINDOW_MS = 10 * 60 * 1000;
const STATS_EVERY_MS = 1000;
const TABLES_EVERY = 5; // stats ticks
const CONFIRM_MS = 4000;
const TABLE_LIMIT = 100;
const CHARTS = ['connections', 'subscriber_actors', 'deliveries_per_second', 'dead_letters_per_second', 'heap_mib'];

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  samples: [], // the server's samples (at: its clock, unix ms), oldest first
  tick: 0,
  timer: null,
  confirming: null, // the client id whose disconnect button waits for a second press
  confirmTimer: null,
};

const $ = (selector) => document.querySelector(selector);

class SignedOut extends Error {}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    cache: 'no-store',
    headers: { ...(options.headers || {}), Authorization: 'Bearer ' + state.token },
  });
  if (response.status === 401) throw new SignedOut();
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.error ? body.error.message : response.statusText;
    throw new Error(`${path}: ${response.status} ${message}`);
  }
  return body;
}

function setStatus(text, bad) {
  const status = $('#status');
  status.textContent = text;
  status.classList.toggle('bad', !!bad);
}

function showLogin(message) {
  stopPolling();
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $('#board').hidden = true;
  $('#sign-out').hidden = true;
  $('#login').hidden = false;
  const error = $('#login-error');
  error.hidden = !message;
  error.textContent = message || '';
  setStatus('signed out');
  $('#token').focus();
}

async function signIn(token) {
  state.token = token;
  try {
    const stats = await api('/admin/stats');
    sessionStorage.setItem(TOKEN_KEY, token);
    $('#login').hidden = true;
    $('#board').hidden = false;
    $('#sign-out').hidden = false;
    state.samples = [];
    state.tick = 0;
    await update(stats);
    await refreshTables();
    schedule();
  } catch (error) {
    showLogin(error instanceof SignedOut ? 'The server refused this token.' : 'Could not reach the admin API: ' + error.message);
  }
}

function stopPolling() {
  clearTimeout(state.timer);
  state.timer = null;
}

function schedule() {
  stopPolling();
  state.timer = setTimeout(poll, STATS_EVERY_MS);
}

async function poll() {
  state.tick++;
  try {
    await update(await api('/admin/stats'));
    if (state.tick % TABLES_EVERY === 0 && !document.hidden) await refreshTables();
  } catch (error) {
    if (error instanceof SignedOut) {
      showLogin('The server no longer accepts this token.');
      return;
    }
    setStatus('unreachable: ' + error.message + ' (retrying)', true);
  }
  if (state.token) schedule();
}

async function update(stats) {
  const last = state.samples.length ? state.samples[state.samples.length - 1] : null;
  const fresh = await api(last ? `/admin/stats/history?after=${last.at}` : '/admin/stats/history');
  if (last && fresh.samples.length && fresh.samples[0].at <= last.at) state.samples = []; // the server restarted
  for (const sample of fresh.samples) {
    sample.heap_mib = sample.gc_heap_bytes / 1048576;
    state.samples.push(sample);
  }
  const newest = state.samples.length ? state.samples[state.samples.length - 1] : null;
  const now = newest ? newest.at : Date.now(); // the server's clock: the charts end at its newest sample
  while (state.samples.length && state.samples[0].at < now - WINDOW_MS) state.samples.shift();

  const shown = {
    connections: stats.connections,
    subscriber_actors: stats.subscriber_actors,
    channels: stats.channels,
    publications_per_second: newest ? round(newest.publications_per_second) : 0,
    deliveries_per_second: newest ? round(newest.deliveries_per_second) : 0,
    dead_letters_per_second: newest ? round(newest.dead_letters_per_second) : 0,
    outbound_queue_depth: stats.outbound_queue_depth,
    slow_consumer_disconnects_total: stats.slow_consumer_disconnects_total,
    heartbeat_timeouts_total: stats.heartbeat_timeouts_total,
    heap_mib: (stats.gc_heap_bytes / 1048576).toFixed(1),
    uptime: duration(stats.uptime_seconds),
  };
  for (const [name, value] of Object.entries(shown)) {
    const cell = document.querySelector(`[data-stat="${name}"]`);
    if (cell) cell.textContent = String(value);
  }

  const leak = $('#leak');
  leak.hidden = !stats.leak_suspected;
  leak.textContent = stats.leak_suspected ? 'Leak suspected: ' + (stats.leak_reason || 'no reason given') : '';
  setStatus(stats.leak_suspected ? 'degraded' : 'live, updated ' + new Date().toLocaleTimeString(), stats.leak_suspected);

  for (const name of CHARTS) draw(document.querySelector(`canvas[data-chart="${name}"]`), name, now);
}

function round(value) {
  return value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}

function duration(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

// One line over the last 10 minutes, right edge = now, y from 0 to a little above the window's maximum.
function draw(canvas, name, now) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d');
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);

  const values = state.samples.map((sample) => sample[name]);
  const max = Math.max(1, ...values) * 1.15;
  const left = 44, right = width - 6, top = 6, bottom = height - 16;
  const x = (at) => left + ((at - (now - WINDOW_MS)) / WINDOW_MS) * (right - left);
  const y = (value) => bottom - (value / max) * (bottom - top);

  context.font = '10px system-ui, sans-serif';
  context.fillStyle = '#5d6678';
  context.strokeStyle = '#d8dce4';
  context.lineWidth = 1;
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    context.beginPath();
    context.moveTo(left, y(value));
    context.lineTo(right, y(value));
    context.stroke();
    context.fillText(label(value), 2, y(value) + 3);
  }
  context.fillText('-10 min', left, height - 3);
  context.fillText('now', right - 18, height - 3);

  context.strokeStyle = '#2563eb';
  context.lineWidth = 2;
  context.beginPath();
  state.samples.forEach((sample, index) => {
    const px = x(sample.at), py = y(sample[name]);
    if (index === 0) context.moveTo(px, py); else context.lineTo(px, py);
  });
  context.stroke();

  // For scripts and tests: how much is drawn and the newest value.
  canvas.dataset.points = String(values.length);
  canvas.dataset.last = values.length ? String(round(values[values.length - 1])) : '';
}

function label(value) {
  if (value >= 1e6) return (value / 1e6).toFixed(1) + 'M';
  if (value >= 1e3) return (value / 1e3).toFixed(1) + 'k';
  return value >= 10 ? Math.round(value).toString() : value.toFixed(1);
}

function query(path, parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value) search.set(name, value);
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

async function refreshTables() {
  const [nodes, subscribers, channels, deadLetters] = await Promise.all([
    api('/admin/nodes'),
    api(query('/admin/subscribers', { user: $('#filter-user').value.trim(), channel: $('#filter-channel').value.trim(), limit: TABLE_LIMIT })),
    api(query('/admin/channels', { prefix: $('#filter-prefix').value, limit: TABLE_LIMIT })),
    api('/admin/deadletters'),
  ]);
  renderNodes(nodes);
  renderSubscribers(subscribers);
  renderChannels(channels);
  renderDeadLetters(deadLetters);
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function time(iso) {
  return new Date(iso).toLocaleTimeString();
}

function renderSubscribers(body) {
  const tbody = $('#subscribers tbody');
  tbody.replaceChildren();
  for (const subscriber of body.subscribers) {
    const row = tbody.insertRow();
    row.dataset.client = subscriber.client;
    cell(row, subscriber.client).classList.add('client');
    cell(row, subscriber.user || '(anonymous)');
    cell(row, subscriber.remote_address);
    cell(row, subscriber.protocol);
    cell(row, subscriber.channels.join(', '));
    cell(row, time(subscriber.connected_since));
    cell(row, String(subscriber.queue_frames), 'number');
    cell(row, String(subscriber.queue_bytes), 'number');
    cell(row, time(subscriber.last_sign_of_life));
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'disconnect';
    const confirming = state.confirming === subscriber.client;
    button.classList.toggle('confirm', confirming);
    button.textContent = confirming ? 'Confirm disconnect' : 'Disconnect';
    button.addEventListener('click', () => disconnectPressed(subscriber.client));
    row.insertCell().append(button);
  }
  $('#subscribers-caption').textContent =
    `showing ${body.subscribers.length} of ${body.matched}` + (body.complete ? '' : ' (some connections did not answer in time)');
}

// The cluster's members (a single node is a cluster of one), each node's figures where it answered, and their sum.
function renderNodes(body) {
  const tbody = $('#nodes tbody');
  tbody.replaceChildren();
  const figures = ['connections', 'subscriber_actors', 'channels', 'channel_owners', 'deliveries_total'];
  for (const node of body.nodes) {
    const row = tbody.insertRow();
    row.dataset.node = node.node;
    cell(row, node.node + (node.self ? ' (this node)' : ''));
    cell(row, node.status);
    cell(row, node.reachable ? 'yes' : 'no', node.reachable ? '' : 'error');
    for (const figure of figures) cell(row, node.stats ? String(node.stats[figure]) : '-', 'number');
  }
  const total = tbody.insertRow();
  total.className = 'total';
  cell(total, 'total');
  cell(total, '');
  cell(total, '');
  for (const figure of figures) cell(total, String(body.total[figure]), 'number');
  $('#nodes-caption').textContent = `${body.nodes.length} member(s)` + (body.unreachable ? `, ${body.unreachable} unreachable (left out of the total)` : '');
}

function renderChannels(body) {
  const tbody = $('#channels tbody');
  tbody.replaceChildren();
  for (const channel of body.channels) {
    const row = tbody.insertRow();
    row.dataset.channel = channel.name;
    cell(row, channel.name);
    cell(row, String(channel.subscribers), 'number');
    cell(row, String(channel.offset), 'number');
    cell(row, channel.epoch);
    cell(row, String(channel.history_length), 'number');
  }
  $('#channels-caption').textContent = `showing ${body.channels.length} of ${body.total}`;
}

function renderDeadLetters(body) {
  const tbody = $('#deadletters tbody');
  tbody.replaceChildren();
  for (const letter of body.dead_letters.slice(0, 20)) { // newest first
    const row = tbody.insertRow();
    cell(row, time(letter.time));
    cell(row, letter.message_type);
    cell(row, letter.sender);
    cell(row, letter.recipient);
  }
  if (!tbody.rows.length) cell(tbody.insertRow(), 'None recorded since the service started.').colSpan = 4;
}

// Two presses: the first arms the button for a few seconds, the second disconnects (close code 4003).
async function disconnectPressed(client) {
  clearTimeout(state.confirmTimer);
  if (state.confirming !== client) {
    state.confirming = client;
    state.confirmTimer = setTimeout(() => { state.confirming = null; refreshTables().catch(() => {}); }, CONFIRM_MS);
    await refreshTables().catch(() => {});
    return;
  }
  state.confirming = null;
  const result = $('#action-result');
  try {
    const answer = await api('/admin/disconnect', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client }),
    });
    result.textContent = answer.disconnected > 0 ? `Disconnected ${client}.` : `${client} was already gone.`;
    await refreshTables();
  } catch (error) {
    if (error instanceof SignedOut) { showLogin('The server no longer accepts this token.'); return; }
    result.textContent = `Could not disconnect ${client}: ${error.message}`;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('#login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    signIn($('#token').value.trim());
  });
  $('#sign-out').addEventListener('click', () => showLogin());
  for (const input of ['#filter-user', '#filter-channel', '#filter-prefix'])
    $(input).addEventListener('change', () => refreshTables().catch(() => {}));
  if (state.token) signIn(state.token); else showLogin();
});
