/** Label values of one series, by label name; must name exactly the metric's `labelNames`. */
type Labels = Readonly<Record<string, string>>;

/** A monotonically increasing count; see {@link MetricsRegistry.counter}. */
export interface Counter {
  /**
   * Adds `by` (default 1) to the series `labels` names.
   *
   * @throws {TypeError} when `by` is negative or not finite, or `labels` do not match the metric's label names.
   */
  inc(labels?: Labels, by?: number): void;
  /** The value of the series `labels` count into (the `__other__` one once the metric is full), 0 if none. */
  value(labels?: Labels): number;
  /**
   * The series `labels` names, bound once (prom-client's `labels()`): a hot path that counts the
   * same labels again and again skips checking and looking them up each time.
   *
   * @throws {TypeError} when `labels` do not match the metric's label names.
   */
  child(labels?: Labels): { inc(by?: number): void };
}

/** A distribution over fixed buckets; see {@link MetricsRegistry.histogram}. */
export interface Histogram {
  /**
   * Counts `value` (e.g. a latency in seconds) in the series `labels` names.
   *
   * @throws {TypeError} when `value` is not finite, or `labels` do not match the metric's label names.
   */
  observe(labels: Labels | undefined, value: number): void;
  /**
   * The series `labels` names, bound once (see `Counter.child`).
   *
   * @throws {TypeError} when `labels` do not match the metric's label names.
   */
  child(labels?: Labels): { observe(value: number): void };
}

/** A set of metrics rendered together on `/metrics`; see {@link createMetricsRegistry}. */
export interface MetricsRegistry {
  /**
   * Registers a counter. Prometheus convention: the name ends in `_total`.
   *
   * @throws {TypeError} for an invalid or already used name, or invalid or repeated label names.
   */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  /**
   * Registers a histogram. `buckets` are upper bounds, strictly increasing and finite (`+Inf` is
   * always added); the default suits latencies in seconds, 1 ms to 10 s.
   *
   * @throws {TypeError} as for `counter`, for the reserved label name `le`, or for invalid buckets.
   */
  histogram(
    name: string,
    help: string,
    labelNames?: readonly string[],
    buckets?: readonly number[],
  ): Histogram;
  /**
   * Registers a gauge whose value `collect` returns at render time (e.g. a store's size), so there
   * is nothing to keep up to date. An error thrown by `collect` propagates out of `render`.
   *
   * @throws {TypeError} for an invalid or already used name, or a `collect` that is not a function.
   */
  gauge(name: string, help: string, collect: () => number): void;
  /** Every metric, in registration order, in the Prometheus text exposition format 0.0.4. */
  render(): string;
}

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /**
   * Most label combinations one metric keeps; later new combinations all count in a single series
   * whose label values are `__other__`. Default 500.
   */
  maxSeriesPerMetric?: number;
}

/** The `Content-Type` of {@link MetricsRegistry.render}'s output (text exposition format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const DEFAULTS = {
  maxSeriesPerMetric: 500,
  // Latency in seconds, the Prometheus convention for durations (base units).
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
} as const;

/** Label values of the series that absorbs new combinations once a metric is full. */
const OTHER = '__other__';
// Names per https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values must escape backslash, double quote and line feed (exposition format 0.0.4). */
const escapeLabelValue = (value: string) =>
  value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

/** HELP text escapes only backslash and line feed. */
const escapeHelp = (help: string) => help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));

/**
 * Go's `ParseFloat` spellings, which Prometheus reads: `+Inf`, `-Inf`, `NaN`. Fractions keep 15
 * significant digits (all a double holds exactly), so a sum of 0.1 and 0.2 prints `0.3`, not the
 * binary noise `0.30000000000000004`.
 */
function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

/** `{a="x",b="y"}`, or nothing without labels; `extra` is a pre-rendered `le="..."`. */
function braces(labelText: string, extra?: string): string {
  const all = extra === undefined ? labelText : labelText === '' ? extra : `${labelText},${extra}`;
  return all === '' ? '' : `{${all}}`;
}

interface Series<S> {
  /** The series' labels, escaped once when it is created: `a="x",b="y"`. */
  readonly labelText: string;
  readonly state: S;
}

/**
 * The series of one metric, keyed by label values, at most `max` of them plus the `__other__` one:
 * what bounds a metric's memory however many distinct routes, ids or clients show up.
 */
function createSeriesTable<S>(
  metric: string,
  labelNames: readonly string[],
  max: number,
  create: () => S,
) {
  const series = new Map<string, Series<S>>();

  const valuesOf = (labels: Labels | undefined): string[] => {
    if (labels === undefined) {
      if (labelNames.length === 0) return [];
      throw new TypeError(`\`${metric}\` needs labels ${labelNames.join(', ')}.`);
    }
    const values = labelNames.map((name) => {
      const value = labels[name];
      if (typeof value !== 'string' || !Object.hasOwn(labels, name)) {
        throw new TypeError(`\`${metric}\` needs label \`${name}\` as a string.`);
      }
      return value;
    });
    if (Object.keys(labels).length !== labelNames.length) {
      throw new TypeError(
        `\`${metric}\` takes exactly the labels [${labelNames.join(', ')}], not [${Object.keys(labels).join(', ')}].`,
      );
    }
    return values;
  };
  // JSON keeps the key unambiguous whatever characters the values hold.
  const keyOf = (values: readonly string[]) => (values.length === 0 ? '' : JSON.stringify(values));
  const overflow = labelNames.map(() => OTHER);
  const overflowKey = keyOf(overflow);

  const add = (key: string, values: readonly string[]): S => {
    const labelText = labelNames
      .map((name, i) => `${name}="${escapeLabelValue(values[i] ?? '')}"`)
      .join(',');
    const state = create();
    series.set(key, { labelText, state });
    return state;
  };

  return {
    /** The series `labels` count into, created if needed. */
    resolve(labels: Labels | undefined): S {
      const values = valuesOf(labels);
      const key = keyOf(values);
      const existing =
        series.get(key) ?? (series.size >= max ? series.get(overflowKey) : undefined);
      if (existing !== undefined) return existing.state;
      return series.size >= max ? add(overflowKey, overflow) : add(key, values);
    },
    /** Like `resolve`, without creating anything. */
    peek(labels: Labels | undefined): S | undefined {
      const key = keyOf(valuesOf(labels));
      return (series.get(key) ?? (series.size >= max ? series.get(overflowKey) : undefined))?.state;
    },
    values: () => series.values(),
  };
}

function checkLabelNames(metric: string, labelNames: readonly string[], reserved: string[]) {
  if (!Array.isArray(labelNames))
    throw new TypeError(`\`${metric}\`: labelNames must be an array.`);
  const seen = new Set<string>();
  for (const name of labelNames) {
    if (typeof name !== 'string' || !LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new TypeError(`\`${metric}\`: invalid label name ${JSON.stringify(name)}.`);
    }
    if (reserved.includes(name)) {
      throw new TypeError(`\`${metric}\`: the label name \`${name}\` is reserved.`);
    }
    if (seen.has(name)) throw new TypeError(`\`${metric}\`: label \`${name}\` is repeated.`);
    seen.add(name);
  }
}

function checkBuckets(metric: string, buckets: readonly number[]): number[] {
  // A trailing +Inf is tolerated: it is always rendered anyway.
  const bounds = buckets.filter((b) => b !== Number.POSITIVE_INFINITY);
  const valid =
    bounds.length > 0 &&
    bounds.every((b, i) => Number.isFinite(b) && (i === 0 || b > (bounds[i - 1] as number)));
  if (!valid) {
    throw new TypeError(
      `\`${metric}\`: buckets must be finite, strictly increasing, and at least one.`,
    );
  }
  return bounds;
}

/**
 * A tiny Prometheus registry for the proxy's `/metrics`: counters, histograms and gauges read at
 * render time, rendered in the text exposition format 0.0.4, Web APIs only.
 *
 * Cardinality is bounded: once a metric holds `maxSeriesPerMetric` label combinations, every new
 * combination is folded into one series whose label values are all `__other__`, so a flood of
 * distinct routes, ids or clients can never grow memory (or the scrape) without bound; the existing
 * series keep counting. A metric thus has at most `maxSeriesPerMetric + 1` series. A metric without
 * labels renders its single series at 0 from the start, so `rate()` sees the first increment.
 *
 * @throws {TypeError} when `maxSeriesPerMetric` is not a positive integer.
 * @example
 * ```ts
 * const metrics = createMetricsRegistry();
 * const requests = metrics.counter('edge_requests_total', 'Requests served.', ['route', 'cache']);
 * const latency = metrics.histogram('edge_upstream_seconds', 'Upstream latency.', ['route']);
 * metrics.gauge('edge_store_entries', 'Entries in the store.', () => store.size);
 *
 * requests.inc({ route: 'document-status', cache: 'hit' });
 * latency.observe({ route: 'document-status' }, 0.042);
 * app.get('/metrics', () =>
 *   new Response(metrics.render(), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } }),
 * );
 * ```
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  const maxSeries = options.maxSeriesPerMetric ?? DEFAULTS.maxSeriesPerMetric;
  if (!Number.isInteger(maxSeries) || maxSeries < 1) {
    throw new TypeError('`maxSeriesPerMetric` must be a positive integer.');
  }
  /** Each metric's render, in registration order. */
  const families: Array<(lines: string[]) => void> = [];
  /** Every sample name in use, so that no two metrics ever render the same one. */
  const taken = new Set<string>();

  const register = (name: string, help: string, type: string, sampleNames: string[]) => {
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
      throw new TypeError(`Invalid metric name ${JSON.stringify(name)}.`);
    }
    if (typeof help !== 'string') throw new TypeError(`\`${name}\`: help must be a string.`);
    const clash = sampleNames.find((sample) => taken.has(sample));
    if (clash !== undefined) throw new TypeError(`The metric name \`${clash}\` is already used.`);
    for (const sample of sampleNames) taken.add(sample);
    return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
  };

  return {
    counter(name, help, labelNames = []) {
      checkLabelNames(name, labelNames, []);
      const header = register(name, help, 'counter', [name]);
      const table = createSeriesTable(name, [...labelNames], maxSeries, () => ({ value: 0 }));
      if (labelNames.length === 0) table.resolve(undefined);
      families.push((lines) => {
        lines.push(...header);
        for (const { labelText, state } of table.values()) {
          lines.push(`${name}${braces(labelText)} ${formatNumber(state.value)}`);
        }
      });
      const add = (state: { value: number }, by: number) => {
        if (!Number.isFinite(by) || by < 0) {
          throw new TypeError(`\`${name}\` can only increase, by a finite amount; got ${by}.`);
        }
        state.value += by;
      };
      return {
        inc: (labels, by = 1) => add(table.resolve(labels), by),
        value: (labels) => table.peek(labels)?.value ?? 0,
        child(labels) {
          const state = table.resolve(labels);
          return { inc: (by = 1) => add(state, by) };
        },
      };
    },

    histogram(name, help, labelNames = [], buckets = DEFAULTS.buckets) {
      checkLabelNames(name, labelNames, ['le']);
      const bounds = checkBuckets(name, buckets);
      const header = register(name, help, 'histogram', [
        name,
        `${name}_bucket`,
        `${name}_sum`,
        `${name}_count`,
      ]);
      const les = [...bounds.map((b) => `le="${formatNumber(b)}"`), 'le="+Inf"'];
      // Per-bucket counts, made cumulative only when rendering; the +Inf bucket is `count`.
      const table = createSeriesTable(name, [...labelNames], maxSeries, () => ({
        buckets: new Array<number>(bounds.length).fill(0),
        sum: 0,
        count: 0,
      }));
      if (labelNames.length === 0) table.resolve(undefined);
      families.push((lines) => {
        lines.push(...header);
        for (const { labelText, state } of table.values()) {
          let cumulative = 0;
          for (const [i, le] of les.entries()) {
            cumulative = i < bounds.length ? cumulative + (state.buckets[i] ?? 0) : state.count;
            lines.push(`${name}_bucket${braces(labelText, le)} ${cumulative}`);
          }
          lines.push(`${name}_sum${braces(labelText)} ${formatNumber(state.sum)}`);
          lines.push(`${name}_count${braces(labelText)} ${state.count}`);
        }
      });
      type State = { buckets: number[]; sum: number; count: number };
      const observe = (state: State, value: number) => {
        if (!Number.isFinite(value)) {
          throw new TypeError(`\`${name}\` observes finite numbers; got ${value}.`);
        }
        // `le` is inclusive: a value equal to a bound counts in that bucket.
        let i = 0;
        while (i < bounds.length && value > (bounds[i] as number)) i += 1;
        if (i < bounds.length) state.buckets[i] = (state.buckets[i] ?? 0) + 1;
        state.sum += value;
        state.count += 1;
      };
      return {
        observe: (labels, value) => observe(table.resolve(labels), value),
        child(labels) {
          const state = table.resolve(labels);
          return { observe: (value) => observe(state, value) };
        },
      };
    },

    gauge(name, help, collect) {
      if (typeof collect !== 'function')
        throw new TypeError(`\`${name}\`: collect must be a function.`);
      const header = register(name, help, 'gauge', [name]);
      families.push((lines) => {
        lines.push(...header, `${name} ${formatNumber(collect())}`);
      });
    },

    render() {
      const lines: string[] = [];
      for (const render of families) render(lines);
      // Every line, the last one included, ends with a line feed.
      return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    },
  };
}
