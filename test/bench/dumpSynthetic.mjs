/* global process, console, URL */
/**
 * Writes a synthetic stream (streamtune's own generator, from dist/) to a CSV file with a
 * header, so that the Python peers and a file-reading streamtune run learn the very same rows.
 * Values are written as the generator's `raw` text (full double precision).
 *
 * @example
 * node test/bench/dumpSynthetic.mjs 'synth:hyperplane?dim=100&n=200000' .tmp/bench/hyperplane100.csv
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const { parseSyntheticUri } = await import(new URL('../../dist/src/sources/synthetic.js', import.meta.url).href);

/** Dumps `uri` to `path`; resolves with the number of rows written. */
export async function dumpSynthetic(uri, path) {
  const synth = parseSyntheticUri(uri);
  const out = createWriteStream(path);
  out.write([...synth.schema.features, synth.schema.label].join(',') + '\n');
  let rows = 0;
  for (const record of synth.records) {
    if (!out.write(record.raw + '\n')) await once(out, 'drain');
    rows++;
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const [uri, path] = process.argv.slice(2);
  console.log(`${await dumpSynthetic(uri, path)} rows written to ${path}`);
}
