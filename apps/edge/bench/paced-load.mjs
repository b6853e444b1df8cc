// An open-loop, evenly paced HTTP/1.1 load generator for "latency at a given rate".
//
// Why not autocannon's `overallRate`/`connectionRate`: autocannon lets each connection send its
// per-second quota as fast as it can and then wait for the next one-second tick, so "half load" is
// a burst at full speed for half of each second, and its latencies are those of full load. Here a
// timer releases requests evenly (every millisecond, the ones now due), each request's latency runs
// from when it was due, not from when a connection was free (no coordinated omission), and the
// connections are keep-alive sockets with one request in flight each, like autocannon's.
import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * Sends `rate` GET requests per second for `seconds` over `connections` keep-alive connections and
 * resolves with the latencies (ms, from when each request was due) and the status counts.
 *
 * @example
 * ```js
 * const result = await runPaced({ url: 'http://127.0.0.1:8787/x', rate: 2000, seconds: 10, connections: 64 });
 * quantile(result.latencies, 0.99);
 * ```
 */
export async function runPaced({
  url,
  headers = {},
  rate,
  seconds,
  connections,
  timeoutMs = 10_000,
}) {
  const target = new URL(url);
  const request = Buffer.from(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      '\r\n',
    'latin1',
  );
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies = new Float64Array(total);
  // How late each request left the generator (its own lag, plus waiting for a free connection).
  const sendLags = new Float64Array(total);
  // Latency from when the request actually left: the service time the target alone caused.
  const serviceTimes = new Float64Array(total);
  const statusCodes = {};
  let completed = 0;
  let errors = 0;
  let timeouts = 0;
  // Request k is due at started + k * interval: `issued` are due so far, `sent` went out; the ones
  // in between wait for a free connection (a queue kept as two counters).
  let issued = 0;
  let sent = 0;
  let maxQueue = 0;
  let stopped = false;
  const idle = [];
  const sockets = await Promise.all(
    Array.from({ length: connections }, () => openConnection(target, onResponse, onGone)),
  );
  for (const socket of sockets) idle.push(socket);

  const interval = 1000 / rate;
  // The generator's own stalls (its GC, a long turn of its event loop) delay both sending and
  // reading: measured, so the report can tell them from the target's.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const started = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      issued = Math.min(total, Math.floor((now - started) / interval) + 1);
      if (issued - sent > maxQueue) maxQueue = issued - sent;
      dispatch();
      if (issued < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  // Let the requests in flight finish (bounded), then close.
  const drainUntil = performance.now() + timeoutMs;
  while ((sent < issued || idle.length < sockets.length) && performance.now() < drainUntil) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  timeouts += issued - sent + sockets.filter((socket) => socket.dueAt !== undefined).length;
  stopped = true;
  for (const socket of sockets) socket.destroy();

  return {
    offeredRate: rate,
    achievedRate: completed / elapsedSeconds,
    elapsedSeconds,
    completed,
    errors,
    timeouts,
    statusCodes,
    maxQueue,
    latencies: latencies.subarray(0, completed),
    serviceTimes: serviceTimes.subarray(0, completed),
    sendLags: sendLags.subarray(0, sent),
    /** Event-loop delay of the generator, ms (p99 and max), beyond its 1 ms sampling. */
    generatorDelay: {
      p99: Math.max(0, loopDelay.percentile(99) / 1e6 - 1),
      max: Math.max(0, loopDelay.max / 1e6 - 1),
    },
  };

  function dispatch() {
    while (sent < issued && idle.length > 0) {
      // Oldest idle connection first, so every connection (every "client") takes its turn.
      const socket = idle.shift();
      socket.dueAt = started + sent * interval;
      socket.sentAt = performance.now();
      sendLags[sent] = socket.sentAt - socket.dueAt;
      sent += 1;
      socket.write(request);
    }
  }

  function onResponse(socket, status, dueAt) {
    const now = performance.now();
    latencies[completed] = now - dueAt;
    serviceTimes[completed] = now - socket.sentAt;
    completed += 1;
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    idle.push(socket);
    dispatch();
  }

  function onGone(socket, hadRequestInFlight) {
    if (hadRequestInFlight) errors += 1;
    const waiting = idle.indexOf(socket);
    if (waiting !== -1) idle.splice(waiting, 1);
    const index = sockets.indexOf(socket);
    if (stopped || index === -1) return;
    // Replace the connection (the server closed it, or it failed); its request counted as an error.
    openConnection(target, onResponse, onGone).then(
      (fresh) => {
        if (stopped) return fresh.destroy();
        sockets[index] = fresh;
        idle.push(fresh);
        dispatch();
      },
      () => {
        errors += 1;
      },
    );
  }
}

/**
 * A keep-alive socket with a minimal response reader (Content-Length or chunked bodies). When it
 * closes or fails, `onGone(socket, hadRequestInFlight)` is called once.
 */
function openConnection(target, onResponse, onGone) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port || 80) });
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let connected = false;
    let gone = false;
    const leave = () => {
      if (gone || !connected) return;
      gone = true;
      socket.destroy();
      onGone(socket, socket.dueAt !== undefined);
    };
    socket.once('connect', () => {
      connected = true;
      resolve(socket);
    });
    socket.on('error', (error) => {
      if (!connected) reject(error);
      else leave();
    });
    socket.on('close', leave);
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const end = responseEnd(buffer);
      if (end === -1) return;
      const status = Number(buffer.toString('latin1', 9, 12));
      buffer = buffer.subarray(end);
      const { dueAt } = socket;
      socket.dueAt = undefined;
      onResponse(socket, status, dueAt);
    });
  });
}

/** The index just after the first complete response in `buffer`, or -1 if it is incomplete. */
function responseEnd(buffer) {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd === -1) return -1;
  const head = buffer.toString('latin1', 0, headerEnd);
  const bodyStart = headerEnd + 4;
  const status = Number(head.slice(9, 12));
  if (status === 304 || status === 204 || (status >= 100 && status < 200)) return bodyStart;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length !== null) {
    const end = bodyStart + Number(length[1]);
    return buffer.length >= end ? end : -1;
  }
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
    let at = bodyStart;
    for (;;) {
      const lineEnd = buffer.indexOf(CRLF, at);
      if (lineEnd === -1) return -1;
      const size = Number.parseInt(buffer.toString('latin1', at, lineEnd), 16);
      if (size === 0) {
        // Last chunk; no trailers expected, just the final CRLF.
        const end = lineEnd + 4;
        return buffer.length >= end ? end : -1;
      }
      at = lineEnd + 2 + size + 2;
      if (buffer.length < at) return -1;
    }
  }
  return -1; // a body delimited by closing the connection: not used by the targets here
}
