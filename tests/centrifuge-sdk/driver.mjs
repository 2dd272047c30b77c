// Drives Centrifugo's official JS client (npm `centrifuge`) for the C# specs (CentrifugeSdk.cs).
// Commands arrive as JSON lines on stdin; every SDK event and every command's outcome leaves as one
// JSON line on stdout, and nothing else is written there (diagnostics go to stderr). The process
// ends when stdin closes, on {"op":"exit"}, or after --max-seconds (default 120), so it cannot
// outlive the test that started it.
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const maxSecondsArgument = process.argv.indexOf('--max-seconds');
const maxSeconds = maxSecondsArgument >= 0 ? Number(process.argv[maxSecondsArgument + 1]) : 120;
if (!(maxSeconds > 0)) {
  process.stderr.write(`driver: --max-seconds needs a positive number\n`);
  process.exit(2);
}
setTimeout(() => {
  process.stderr.write(`driver: stopping after --max-seconds ${maxSeconds}\n`);
  process.exit(3);
}, maxSeconds * 1000);

// Writes to a pipe are synchronous on Linux, so each line is out before the next statement runs.
function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

// The SDK exposes the socket it opens nowhere; the class it is given records the latest one, which
// dropTransport, pauseReading and resumeReading act on.
let socket = null;
class TrackedWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    socket = this;
  }
}

// The JSON and Protobuf builds are separate bundles, each with its own UnauthorizedError class:
// getToken must throw the one of the build in use for the SDK to recognise it.
const builds = {
  json: () => import('centrifuge'),
  protobuf: () => import('centrifuge/build/protobuf'),
};

let client = null;
let protocol = 'json';
const subscriptions = new Map();

// Protobuf carries `bytes` fields as Uint8Array; the specs speak JSON on both protocols.
function encodeData(data) {
  return protocol === 'protobuf' ? new TextEncoder().encode(JSON.stringify(data ?? null)) : data;
}

function decodeData(bytes) {
  if (bytes.length === 0) return null;
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// What the SDK resolved, as plain JSON: protobuf Longs (uint64 offsets) become numbers, bytes
// become the JSON they hold.
function plain(value) {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Uint8Array) return decodeData(value);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object') return value;
  if (typeof value.toNumber === 'function' && 'low' in value && 'high' in value) return value.toNumber();
  if (Array.isArray(value)) return value.map(plain);
  const result = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined && typeof item !== 'function') result[key] = plain(item);
  }
  return result;
}

function errorFields(error) {
  return { code: error?.code ?? null, message: error?.message ?? String(error) };
}

function requireClient() {
  if (client === null) throw new Error('no client: send connect first');
  return client;
}

async function connect(command) {
  if (client !== null && client.state !== 'disconnected') {
    throw new Error('a client is already connecting or connected: send disconnect first');
  }
  const build = await builds[command.protocol ?? 'json']?.();
  if (build === undefined) throw new Error(`unknown protocol ${command.protocol}`);
  client?.removeAllListeners();
  subscriptions.clear();
  protocol = command.protocol ?? 'json';
  const options = { websocket: TrackedWebSocket, debug: false };
  // The SDK copies options over its defaults: an explicit undefined would replace a default.
  if (command.token != null) options.token = command.token;
  if (Array.isArray(command.tokens)) {
    const tokens = [...command.tokens];
    options.getToken = async () => {
      emit({ event: 'getToken', remaining: tokens.length });
      if (tokens.length === 0) throw new build.UnauthorizedError('no more tokens');
      return tokens.shift();
    };
  }
  for (const name of ['minReconnectDelay', 'maxReconnectDelay', 'timeout', 'name']) {
    if (command[name] != null) options[name] = command[name];
  }
  client = new build.Centrifuge(command.url, options);
  client.on('connecting', (ctx) => emit({ event: 'connecting', code: ctx.code, reason: ctx.reason }));
  client.on('connected', (ctx) => emit({ event: 'connected', client: ctx.client, transport: ctx.transport }));
  client.on('disconnected', (ctx) => emit({ event: 'disconnected', code: ctx.code, reason: ctx.reason }));
  client.on('error', (ctx) => emit({ event: 'error', type: ctx.type, ...errorFields(ctx.error) }));
  client.on('message', (ctx) => emit({ event: 'message', data: plain(ctx.data) }));
  // Subscriptions asked for before connect() go out in the connect's frame (optimistic subscriptions).
  for (const channel of command.subscribe ?? []) subscribe({ channel });
  client.connect();
}

function subscribe(command) {
  const centrifuge = requireClient();
  let subscription = centrifuge.getSubscription(command.channel);
  if (subscription === null) {
    const options = {};
    if (command.since != null) options.since = command.since;
    if (command.positioned != null) options.positioned = command.positioned;
    if (command.recoverable != null) options.recoverable = command.recoverable;
    subscription = centrifuge.newSubscription(command.channel, options);
    const channel = command.channel;
    subscription.on('subscribing', (ctx) => emit({ event: 'subscribing', channel, code: ctx.code, reason: ctx.reason }));
    subscription.on('subscribed', (ctx) => emit({
      event: 'subscribed',
      channel,
      recoverable: ctx.recoverable,
      positioned: ctx.positioned,
      streamPosition: plain(ctx.streamPosition),
      wasRecovering: ctx.wasRecovering,
      recovered: ctx.recovered,
    }));
    subscription.on('unsubscribed', (ctx) => emit({ event: 'unsubscribed', channel, code: ctx.code, reason: ctx.reason }));
    subscription.on('publication', (ctx) => emit({
      event: 'publication',
      channel,
      offset: plain(ctx.offset),
      data: plain(ctx.data),
      info: plain(ctx.info),
    }));
    subscription.on('join', (ctx) => emit({ event: 'join', channel, user: ctx.info.user, client: ctx.info.client }));
    subscription.on('leave', (ctx) => emit({ event: 'leave', channel, user: ctx.info.user, client: ctx.info.client }));
    subscription.on('error', (ctx) => emit({ event: 'suberror', channel, type: ctx.type, ...errorFields(ctx.error) }));
    subscriptions.set(channel, subscription);
  }
  subscription.subscribe();
}

// Channel methods go through the Subscription when it is subscribed (as an application would),
// otherwise through the client.
function target(channel) {
  const subscription = subscriptions.get(channel);
  return subscription?.state === 'subscribed' ? subscription : null;
}

function historyOptions(command) {
  const options = {};
  if (command.limit != null) options.limit = command.limit;
  if (command.since != null) options.since = command.since;
  if (command.reverse != null) options.reverse = command.reverse;
  return options;
}

const asynchronous = {
  publish: (c) => target(c.channel)?.publish(encodeData(c.data)) ?? requireClient().publish(c.channel, encodeData(c.data)),
  presence: (c) => target(c.channel)?.presence() ?? requireClient().presence(c.channel),
  presenceStats: (c) => target(c.channel)?.presenceStats() ?? requireClient().presenceStats(c.channel),
  history: (c) => target(c.channel)?.history(historyOptions(c)) ?? requireClient().history(c.channel, historyOptions(c)),
  rpc: (c) => requireClient().rpc(c.method, encodeData(c.data ?? {})),
};

function requireSocket() {
  if (socket === null || socket.readyState !== WebSocket.OPEN) throw new Error('no open WebSocket');
  return socket;
}

const synchronous = {
  connect,
  subscribe,
  unsubscribe: (c) => {
    const subscription = subscriptions.get(c.channel);
    if (subscription === undefined) throw new Error(`not subscribed to ${c.channel}`);
    subscription.unsubscribe();
  },
  disconnect: () => requireClient().disconnect(),
  reconnect: () => requireClient().connect(),
  // terminate() destroys the TCP socket without a close frame: the SDK sees a transport loss
  // (not its own disconnect), reconnects and recovers its subscriptions.
  dropTransport: () => requireSocket().terminate(),
  // ws's own pause stops reading the TCP socket (and keeps it stopped), so the server's writes back up.
  pauseReading: () => requireSocket().pause(),
  resumeReading: () => requireSocket().resume(),
  exit: () => process.exit(0),
};

// Requests answer whenever the server replies and do not hold up the commands after them; the
// other commands are done when they return (connect once the SDK build is loaded).
async function run(command) {
  const { op, tag } = command;
  if (asynchronous[op] !== undefined) {
    let promise;
    try {
      promise = asynchronous[op](command);
    } catch (error) {
      emit({ event: 'failure', op, tag, message: error?.message ?? String(error) });
      return;
    }
    promise.then(
      (value) => emit({ event: 'result', op, tag, ok: true, value: plain(value) }),
      (error) => emit({ event: 'result', op, tag, ok: false, ...errorFields(error) }));
    return;
  }
  if (synchronous[op] === undefined) {
    emit({ event: 'failure', op, tag, message: `unknown op ${op}` });
    return;
  }
  try {
    await synchronous[op](command);
    emit({ event: 'result', op, tag, ok: true });
  } catch (error) {
    emit({ event: 'failure', op, tag, message: error?.message ?? String(error) });
  }
}

// Commands start one after another, in arrival order.
let queue = Promise.resolve();
const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => {
  if (line.trim() === '') return;
  queue = queue.then(() => {
    let command;
    try {
      command = JSON.parse(line);
    } catch (error) {
      emit({ event: 'failure', op: null, message: `not JSON: ${error.message}` });
      return;
    }
    return run(command);
  });
});
input.on('close', () => queue.finally(() => process.exit(0)));

// A bug here must show up in the spec's output, not kill the driver silently.
process.on('uncaughtException', (error) => {
  process.stderr.write(`driver: uncaught ${error?.stack ?? error}\n`);
  emit({ event: 'failure', op: null, message: `uncaught: ${error?.message ?? error}` });
});
process.on('unhandledRejection', (error) => {
  process.stderr.write(`driver: unhandled rejection ${error?.stack ?? JSON.stringify(error)}\n`);
  emit({ event: 'failure', op: null, message: `unhandled rejection: ${error?.message ?? JSON.stringify(error)}` });
});
