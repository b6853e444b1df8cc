import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './metrics-registry.ts';

describe('createMetricsRegistry', () => {
  it('renders counters and gauges with HELP and TYPE lines, in registration order', () => {
    const metrics = createMetricsRegistry();
    const requests = metrics.counter('edge_requests_total', 'Requests served.', ['route']);
    const errors = metrics.counter('edge_errors_total', 'Errors.');
    let entries = 3;
    metrics.gauge('edge_store_entries', 'Entries in the store.', () => entries);
    requests.inc({ route: 'document' });
    requests.inc({ route: 'document' }, 2);
    requests.inc({ route: 'request' });
    entries = 7;
    expect(metrics.render()).toBe(
      [
        '# HELP edge_requests_total Requests served.',
        '# TYPE edge_requests_total counter',
        'edge_requests_total{route="document"} 3',
        'edge_requests_total{route="request"} 1',
        '# HELP edge_errors_total Errors.',
        '# TYPE edge_errors_total counter',
        'edge_errors_total 0',
        '# HELP edge_store_entries Entries in the store.',
        '# TYPE edge_store_entries gauge',
        'edge_store_entries 7',
        '',
      ].join('\n'),
    );
    expect(requests.value({ route: 'document' })).toBe(3);
    expect(requests.value({ route: 'never' })).toBe(0);
    expect(errors.value()).toBe(0);
  });

  it('renders an empty registry as an empty body, and says which content type it is', () => {
    expect(createMetricsRegistry().render()).toBe('');
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('renders cumulative histogram buckets up to +Inf, with sum and count', () => {
    const metrics = createMetricsRegistry();
    const latency = metrics.histogram('edge_seconds', 'Latency.', ['route'], [0.1, 1]);
    for (const value of [0.05, 0.1, 0.5, 3]) latency.observe({ route: 'a' }, value);
    expect(metrics.render()).toBe(
      [
        '# HELP edge_seconds Latency.',
        '# TYPE edge_seconds histogram',
        'edge_seconds_bucket{route="a",le="0.1"} 2',
        'edge_seconds_bucket{route="a",le="1"} 3',
        'edge_seconds_bucket{route="a",le="+Inf"} 4',
        'edge_seconds_sum{route="a"} 3.65',
        'edge_seconds_count{route="a"} 4',
        '',
      ].join('\n'),
    );
  });

  it('prints sums without binary float noise', () => {
    const metrics = createMetricsRegistry();
    const latency = metrics.histogram('edge_seconds', 'Latency.');
    latency.observe({}, 0.1);
    latency.observe({}, 0.2);
    expect(metrics.render()).toContain('\nedge_seconds_sum 0.3\n');
  });

  it('uses latency buckets in seconds by default, and renders an unlabelled histogram at 0', () => {
    const metrics = createMetricsRegistry();
    const latency = metrics.histogram('edge_seconds', 'Latency.');
    const les = () => [...metrics.render().matchAll(/le="([^"]+)"\} (\d+)/g)];
    expect(les().map(([, le]) => le)).toEqual(
      '0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf'.split(' '),
    );
    expect(les().every(([, , count]) => count === '0')).toBe(true);
    latency.observe(undefined, 0.003);
    latency.observe(undefined, 20);
    const counts = les().map(([, , count]) => Number(count));
    expect(counts).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    expect(metrics.render()).toContain('edge_seconds_count 2\n');
  });

  it('escapes backslash, double quote and line feed in label values, and HELP text', () => {
    const metrics = createMetricsRegistry();
    const counter = metrics.counter('odd_total', 'Path\\to "x"\nnext line.', ['path']);
    counter.inc({ path: 'C:\\dir\n"quoted"' });
    expect(metrics.render()).toBe(
      [
        '# HELP odd_total Path\\\\to "x"\\nnext line.',
        '# TYPE odd_total counter',
        'odd_total{path="C:\\\\dir\\n\\"quoted\\""} 1',
        '',
      ].join('\n'),
    );
  });

  it('renders special numbers the way Prometheus parses them', () => {
    const metrics = createMetricsRegistry();
    metrics.gauge('a', 'a', () => Number.POSITIVE_INFINITY);
    metrics.gauge('b', 'b', () => Number.NEGATIVE_INFINITY);
    metrics.gauge('c', 'c', () => Number.NaN);
    expect(
      metrics
        .render()
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#')),
    ).toEqual(['a +Inf', 'b -Inf', 'c NaN']);
  });

  it('folds new label combinations into one __other__ series once a metric is full', () => {
    const metrics = createMetricsRegistry({ maxSeriesPerMetric: 2 });
    const hits = metrics.counter('hits_total', 'Hits.', ['route', 'id']);
    hits.inc({ route: 'a', id: '1' });
    hits.inc({ route: 'b', id: '2' });
    for (let i = 0; i < 1_000; i++) hits.inc({ route: `flood-${i}`, id: String(i) });
    hits.inc({ route: 'a', id: '1' }); // existing series keep counting
    expect(metrics.render().split('\n').slice(2)).toEqual([
      'hits_total{route="a",id="1"} 2',
      'hits_total{route="b",id="2"} 1',
      'hits_total{route="__other__",id="__other__"} 1000',
      '',
    ]);
    expect(hits.value({ route: 'never-seen', id: 'x' })).toBe(1_000);

    const latency = metrics.histogram('seconds', 'Latency.', ['route'], [1]);
    for (let i = 0; i < 100; i++) latency.observe({ route: String(i) }, 0.5);
    expect(metrics.render()).toContain('seconds_count{route="__other__"} 98\n');
    expect(metrics.render().match(/^seconds_count/gm)).toHaveLength(3);
  });

  it('counts through a bound child into the same series as inc() with those labels', () => {
    const metrics = createMetricsRegistry({ maxSeriesPerMetric: 2 });
    const hits = metrics.counter('hits_total', 'Hits.', ['route']);
    const a = hits.child({ route: 'a' });
    a.inc();
    a.inc(2);
    hits.inc({ route: 'a' });
    expect(hits.value({ route: 'a' })).toBe(4);
    hits.inc({ route: 'b' });
    const late = hits.child({ route: 'c' }); // the metric is full: folded into __other__
    late.inc();
    expect(hits.value({ route: '__other__' })).toBe(1);
    expect(() => a.inc(-1)).toThrow(TypeError);
    expect(() => hits.child({ nope: 'x' })).toThrow(TypeError);

    const latency = metrics.histogram('seconds', 'Latency.', ['route'], [0.1, 1]);
    const bound = latency.child({ route: 'a' });
    bound.observe(0.1);
    bound.observe(0.5);
    latency.observe({ route: 'a' }, 5);
    expect(metrics.render()).toContain(
      [
        'seconds_bucket{route="a",le="0.1"} 1',
        'seconds_bucket{route="a",le="1"} 2',
        'seconds_bucket{route="a",le="+Inf"} 3',
        'seconds_sum{route="a"} 5.6',
        'seconds_count{route="a"} 3',
      ].join('\n'),
    );
    expect(() => bound.observe(Number.NaN)).toThrow(TypeError);
  });

  it('requires labels to match the label names exactly', () => {
    const metrics = createMetricsRegistry();
    const counter = metrics.counter('c_total', 'c', ['a', 'b']);
    const plain = metrics.counter('p_total', 'p');
    const histogram = metrics.histogram('h', 'h', ['a']);
    expect(() => counter.inc()).toThrow(TypeError);
    expect(() => counter.inc({ a: 'x' })).toThrow(TypeError);
    expect(() => counter.inc({ a: 'x', b: 'y', c: 'z' })).toThrow(TypeError);
    expect(() => counter.inc({ a: 'x', c: 'z' })).toThrow(TypeError);
    expect(() => counter.inc({ a: 'x', b: 1 as unknown as string })).toThrow(TypeError);
    expect(() => counter.value({ a: 'x' })).toThrow(TypeError);
    expect(() => plain.inc({ a: 'x' })).toThrow(TypeError);
    expect(() => histogram.observe(undefined, 1)).toThrow(TypeError);
    expect(() => histogram.observe({ b: 'x' }, 1)).toThrow(TypeError);
    plain.inc({});
    counter.inc({ b: 'y', a: 'x' });
    expect(counter.value({ a: 'x', b: 'y' })).toBe(1);
  });

  it('refuses negative or non-finite counter increments and histogram observations', () => {
    const metrics = createMetricsRegistry();
    const counter = metrics.counter('c_total', 'c');
    const histogram = metrics.histogram('h', 'h');
    expect(() => counter.inc(undefined, -1)).toThrow(TypeError);
    expect(() => counter.inc(undefined, Number.NaN)).toThrow(TypeError);
    expect(() => counter.inc(undefined, Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => histogram.observe(undefined, Number.NaN)).toThrow(TypeError);
    counter.inc(undefined, 0);
    counter.inc(undefined, 0.5);
    expect(counter.value()).toBe(0.5);
  });

  it('validates names, label names and buckets at registration', () => {
    const metrics = createMetricsRegistry();
    metrics.counter('taken_total', 'x');
    metrics.histogram('latency', 'x');
    expect(() => metrics.counter('taken_total', 'again')).toThrow(TypeError);
    expect(() => metrics.gauge('taken_total', 'again', () => 1)).toThrow(TypeError);
    expect(() => metrics.counter('latency_count', 'clashes with the histogram')).toThrow(TypeError);
    expect(() => metrics.counter('1starts_with_digit', 'x')).toThrow(TypeError);
    expect(() => metrics.counter('has-dash', 'x')).toThrow(TypeError);
    expect(() => metrics.counter('', 'x')).toThrow(TypeError);
    expect(() => metrics.counter('ok_total', 'x', ['bad-label'])).toThrow(TypeError);
    expect(() => metrics.counter('ok_total', 'x', ['__reserved'])).toThrow(TypeError);
    expect(() => metrics.counter('ok_total', 'x', ['a', 'a'])).toThrow(TypeError);
    expect(() => metrics.histogram('ok_seconds', 'x', ['le'])).toThrow(TypeError);
    expect(() => metrics.histogram('ok_seconds', 'x', [], [])).toThrow(TypeError);
    expect(() => metrics.histogram('ok_seconds', 'x', [], [1, 1])).toThrow(TypeError);
    expect(() => metrics.histogram('ok_seconds', 'x', [], [2, 1])).toThrow(TypeError);
    expect(() => metrics.histogram('ok_seconds', 'x', [], [Number.NaN])).toThrow(TypeError);
    expect(() => metrics.gauge('ok_gauge', 'x', 3 as unknown as () => number)).toThrow(TypeError);
    // Failed registrations reserve nothing.
    metrics.histogram('ok_seconds', 'x', [], [1, Number.POSITIVE_INFINITY]);
    expect(metrics.render()).toContain(
      'ok_seconds_bucket{le="1"} 0\nok_seconds_bucket{le="+Inf"} 0',
    );
    expect(() => createMetricsRegistry({ maxSeriesPerMetric: 0 })).toThrow(TypeError);
    expect(() => createMetricsRegistry({ maxSeriesPerMetric: 1.5 })).toThrow(TypeError);
  });
});

// One line of the text format 0.0.4: a comment, or `name{labels} value`.
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[+-]Inf|NaN|-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(${LABEL}(?:,${LABEL})*)\\})? (${VALUE})$`);
const COMMENT = new RegExp(
  `^# (?:HELP ${NAME} (?:[^\\\\\\n]|\\\\[\\\\n])*|TYPE ${NAME} (?:counter|gauge|histogram))$`,
);

const unescapeLabelValue = (value: string) =>
  value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

describe('render', () => {
  const text = fc.string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '0',
      ' ',
      '\\',
      '"',
      '\n',
      '\r',
      '{',
      '}',
      ',',
      '=',
      '#',
      'é',
      '😀',
    ),
    maxLength: 12,
  });

  test.prop([
    text,
    fc.array(fc.tuple(text, text, fc.double({ min: 0, max: 1e6, noNaN: true })), { maxLength: 20 }),
    fc.array(fc.tuple(text, fc.double({ min: -1e3, max: 1e3, noNaN: true })), { maxLength: 20 }),
    fc.integer({ min: 1, max: 5 }),
  ])(
    'always renders lines that parse as comments or samples, with label values intact',
    (help, increments, observations, maxSeriesPerMetric) => {
      const metrics = createMetricsRegistry({ maxSeriesPerMetric });
      const counter = metrics.counter('c_total', help, ['a', 'b']);
      const histogram = metrics.histogram('h_seconds', help, ['a'], [0.5, 10]);
      metrics.gauge('g', help, () => increments.length);
      const sent = new Set<string>(['__other__']);
      for (const [a, b, by] of increments) {
        counter.inc({ a, b }, by);
        sent.add(a).add(b);
      }
      for (const [a, value] of observations) {
        histogram.observe({ a }, value);
        sent.add(a);
      }
      const rendered = metrics.render();
      expect(rendered.endsWith('\n')).toBe(true);
      for (const line of rendered.slice(0, -1).split('\n')) {
        if (line.startsWith('#')) {
          expect(line).toMatch(COMMENT);
          continue;
        }
        const match = SAMPLE.exec(line);
        expect(match, line).not.toBeNull();
        for (const [, name, value] of (match?.[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
          if (name !== 'le') expect(sent).toContain(unescapeLabelValue(value ?? ''));
        }
      }
    },
  );
});
