/* global process, console, performance, URL, Buffer */
/**
 * Issue 15's million-row check: a generated CSV file with 1% malformed quoting of every kind
 * (lib/malformedCsvFile.mjs: unclosed quotes mid-file and at the end, text after a closing quote,
 * over-long records, good rows with quoted fields spanning lines) read by the built reader
 * (dist/, as openSource reads: `values` records in chunks). Every good row must come out at its
 * line with its id, every bad one once as `malformed_csv` at its line; prints one JSON line with
 * the counts, the time and the peak RSS, and exits 1 on any mismatch.
 *
 * @example
 * node test/bench/malformedCsv.mjs                 # 1,000,000 rows
 * node test/bench/malformedCsv.mjs --rows 100000 --eol crlf
 * // {"rows":1000000,"records":...,"good":...,"malformedCsv":...,"mismatches":0,"recordsPerSecond":...}
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { malformedCsvFile } from './lib/malformedCsvFile.mjs';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'bad-fraction': { type: 'string', default: '0.01' },
    'max-chars': { type: 'string', default: '1000' },
    eol: { type: 'string', default: 'lf' },
  },
});
const rows = Number(args.rows);
const maxChars = Number(args['max-chars']);
const eol = { lf: '\n', crlf: '\r\n', cr: '\r' }[args.eol];
const { readCsvChunks } = await import(new URL('../../dist/src/sources/csv.js', import.meta.url).href);

const dir = mkdtempSync(join(tmpdir(), 'streamtune-malformed-'));
try {
  const file = malformedCsvFile({ rows, badFraction: Number(args['bad-fraction']), maxChars, eol, seed: 15 });
  const path = join(dir, 'malformed.csv');
  writeFileSync(path, file.text);
  const bytes = Buffer.byteLength(file.text);
  const expected = file.expected;
  const problems = [];
  const counts = { ok: 0, malformed_csv: 0, column_count: 0 };
  let i = 0;
  const t0 = performance.now();
  for await (const chunk of readCsvChunks(path, { shape: 'values', maxRecordChars: maxChars })) {
    for (const r of chunk) {
      const e = expected[i++];
      const outcome = r.error?.reason ?? 'ok';
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      const line = Number(r.position.slice(r.position.lastIndexOf(':') + 1));
      if (!e || line !== e.line || outcome !== e.outcome || (e.id !== undefined && r.values[0] !== String(e.id))) {
        if (problems.length < 10) problems.push(`record ${i - 1}: line ${line} ${outcome}, expected ${e ? `line ${e.line} ${e.outcome} (${e.kind})` : 'none'}`);
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  if (i !== expected.length) problems.push(`${i} records, expected ${expected.length}`);
  const want = (outcome) => expected.filter((e) => e.outcome === outcome).length;
  const result = {
    rows,
    eol: args.eol,
    maxRecordChars: maxChars,
    bytes,
    records: i,
    good: counts.ok,
    malformedCsv: counts.malformed_csv,
    columnCount: counts.column_count,
    expected: { good: want('ok'), malformedCsv: want('malformed_csv'), columnCount: want('column_count') },
    mismatches: problems.length,
    problems,
    seconds: Number(seconds.toFixed(2)),
    recordsPerSecond: Math.round(i / seconds),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  console.log(JSON.stringify(result));
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
