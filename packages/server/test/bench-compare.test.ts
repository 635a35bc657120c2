// The bench's side-by-side tables (issue 19): which node runs the second API, how the options read, how runs on
// several processes add up, and what the table shows. No server, no database: the parts that decide what is measured.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { combine, compareTable, type CompareRow } from '../bench/lib/compare';
import type { Measurement } from '../bench/lib/load';
import { cacheDir, currentNode, resolveNode } from '../bench/lib/node-runtime';
import { parseOptions } from '../bench/lib/options';

const m = (rps: number, p50: number, p99: number, errors = 0): Measurement => ({
  rps,
  p50,
  p99,
  errors,
  non2xx: errors,
  socketErrors: 0,
  timeouts: 0,
  total: rps * 5,
  ok: rps * 5 - errors,
  durationS: 5,
  statusCodes: {},
  rssPeakMb: 100,
});

describe('bench: the other Node.js', () => {
  let cache: string;
  const saved = { cache: process.env.HOLDFAST_CACHE, node: process.env.HOLDFAST_BENCH_NODE };

  beforeEach(() => {
    cache = mkdtempSync(path.join(os.tmpdir(), 'holdfast-bench-node-'));
    process.env.HOLDFAST_CACHE = cache;
    delete process.env.HOLDFAST_BENCH_NODE;
  });
  afterEach(() => {
    rmSync(cache, { recursive: true, force: true });
    for (const [k, v] of [
      ['HOLDFAST_CACHE', saved.cache],
      ['HOLDFAST_BENCH_NODE', saved.node],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('a major version resolves to node@<major> in the CI cache folder, without npm when it is there', () => {
    // A stand-in binary where CI caches node@24: resolveNode must take it and ask it for its version.
    const bin = path.join(cache, 'node24', 'node_modules', '.bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'node'), '#!/bin/sh\necho v24.99.0\n');
    chmodSync(path.join(bin, 'node'), 0o755);
    expect(cacheDir()).toBe(cache);
    // install: false — a wrong cache path must fail here, not fetch node from the registry.
    expect(resolveNode('24', undefined, { install: false })).toEqual({
      path: path.join(bin, 'node'),
      version: 'v24.99.0',
      label: 'Node 24',
    });
  });

  it('a path is taken as the binary; a missing one is refused', () => {
    const self = resolveNode(process.execPath);
    expect(self).toEqual(currentNode());
    expect(self.label).toBe(`Node ${process.versions.node.split('.')[0]}`);
    expect(() => resolveNode(path.join(cache, 'no-such-node'))).toThrow(/no such file/);
  });

  it('--node wins over HOLDFAST_BENCH_NODE, which is the default', () => {
    process.env.HOLDFAST_BENCH_NODE = '/opt/node24/bin/node';
    expect(parseOptions([]).node).toBe('/opt/node24/bin/node');
    expect(parseOptions(['--node', '24']).node).toBe('24');
    delete process.env.HOLDFAST_BENCH_NODE;
    expect(parseOptions([]).node).toBeUndefined();
  });
});

describe('bench: options of the side-by-side tables', () => {
  it('--processes lists the process counts and defaults the scenarios to hot and spread holds', () => {
    const o = parseOptions(['--processes', '1,2,3', '--compare-only']);
    expect(o.processes).toEqual([1, 2, 3]);
    expect(o.compareScenarios).toEqual(['rest-hot', 'spread']);
    expect(o.compareOnly).toBe(true);
    expect(o.compareRounds).toBe(3);
  });

  it('the runtimes table defaults to the four scenarios; none of it runs unless asked', () => {
    const o = parseOptions(['--node', '24']);
    expect(o.compareScenarios).toEqual(['rest-hot', 'trpc-hot', 'list', 'spread']);
    expect(parseOptions([]).processes).toEqual([]);
    expect(parseOptions([]).compareOnly).toBe(false);
    expect(() => parseOptions(['--processes', '0'])).toThrow(/--processes/);
  });
});

describe('bench: runs on several processes as one', () => {
  it('adds up rates and counts, and keeps the worst latency', () => {
    const c = combine([m(100, 10, 50), m(120, 12, 40, 2), m(80, 9, 70)]);
    expect(c.rps).toBe(300);
    expect(c.ok).toBe(1498);
    expect(c.errors).toBe(2);
    expect(c.p50).toBe(12);
    expect(c.p99).toBe(70);
  });
});

describe('bench: the side-by-side table', () => {
  it('shows each arm with its rate and the later arms as ratios to the first, with the rounds', () => {
    const rows: CompareRow[] = [
      {
        scenario: 'rest-hot',
        label: 'REST create_hold, one hot event',
        cells: [
          { arm: 'Node 20', rps: 2000, p50: 12, p99: 40, errors: 0, rounds: [2000], ratio: 1, ratioRounds: [1] },
          {
            arm: 'Node 24',
            rps: 2200,
            p50: 11,
            p99: 38,
            errors: 3,
            rounds: [2200, 2100],
            ratio: 1.1,
            ratioRounds: [1.1, 1.05],
          },
        ],
      },
    ];
    const md = compareTable(rows, true).split('\n');
    expect(md[0]).toBe('| scenario | Node 20 req/s (p50 ms) | Node 24 req/s (p50 ms) | Node 24 / Node 20 |');
    expect(md[2]).toBe(
      '| REST create_hold, one hot event | 2,000 (12.0) | 2,200 (11.0), 3 errors | 1.10 (1.10 / 1.05) |',
    );
  });
});
