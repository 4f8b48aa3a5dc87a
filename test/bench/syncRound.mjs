/* global console, URL */
/**
 * Cost of one sync round (docs/scale-out.md): the time a trainer spends between two blocks to
 * snapshot its population, merge the other members' latest models (member by member, weights
 * and Adam moments) and scaler deltas, and encode its message; and the message's size, raw and
 * gzipped as it goes on the wire. Elec2's shape (8 features, binary), dense engine, for
 * population sizes x hidden widths x group sizes; each cell is the median of 50 rounds.
 *
 * @example
 * npm run build && node test/bench/syncRound.mjs
 */
import { gzipSync } from 'node:zlib';

const dist = (p) => new URL(`../../dist/src/${p}`, import.meta.url).href;
const { DenseEngine } = await import(dist('model/dense/DenseEngine.js'));
const { Population } = await import(dist('tune/Population.js'));
const { populationSchema } = await import(dist('tune/populationSchema.js'));
const { Standardizer } = await import(dist('stats/Standardizer.js'));
const { PeerBook } = await import(dist('sync/PeerBook.js'));
const { Synchronizer } = await import(dist('sync/Synchronizer.js'));
const { syncCodec } = await import(dist('sync/syncCodec.js'));

const DIM = 8;
const base = { learningRate: 0.002, l2: 0.0001, batchSize: 1 };

function trainer(member, size, units, topic) {
  const population = new Population({ ...populationSchema.parse({}), size, interval: 1e9 }, base, 'binary', (id) =>
    new DenseEngine({
      task: 'binary', classes: 2, inputDim: DIM,
      model: { layers: [{ type: 'dense', units, activation: 'relu' }], initializer: 'glorotUniform', seed: id + member.length },
      adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false }, learningRate: 0.002, l2: 0.0001,
    }),
  );
  const scaler = new Standardizer({ dim: DIM });
  const book = new PeerBook(member);
  topic.books.push(book);
  const exchange = {
    busy: false,
    publish: async (message) => {
      const bytes = syncCodec.encode(message);
      topic.sizes.push([bytes.length, gzipSync(bytes).length]);
      const decoded = syncCodec.decode(bytes);
      for (const b of topic.books) b.receive(decoded);
      return bytes.length;
    },
  };
  const sync = new Synchronizer({ member, timing: { everyRecords: 1, everySeconds: 1e9, timeoutSeconds: 1e9 }, parts: { population, scaler }, exchange, book });
  return { population, scaler, sync };
}

function learn(t, n, seed) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const samples = Array.from({ length: n }, (_, i) => {
    const x = Float32Array.from({ length: DIM }, () => rand() * 2 - 1);
    const y = x[0] + x[1] > 0 ? 1 : 0;
    t.scaler.update(x);
    return { index: i, position: `t:${i}`, x, y, split: 'train', z: x, target: y, targetShift: 0, targetScale: 1 };
  });
  t.population.learn(samples, base);
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log('| population | hidden units | members | round ms (median) | message bytes | gzipped |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const size of [1, 4]) {
  for (const units of [32, 128]) {
    for (const members of [2, 4]) {
      const topic = { books: [], sizes: [] };
      const group = Array.from({ length: members }, (_, i) => trainer(`trainer-${i}`, size, units, topic));
      const ms = [];
      let records = 0;
      for (let round = 0; round < 60; round++) {
        records += 32;
        group.forEach((t, i) => learn(t, 32, round * 100 + i));
        for (const t of group) {
          const r = t.sync.round(records);
          if (round >= 10 && t === group[0]) ms.push(r.ms);
        }
        await Promise.resolve();
      }
      const [raw, gz] = topic.sizes.at(-1);
      console.log(`| ${size} | ${units} | ${members} | ${median(ms).toFixed(2)} | ${raw.toLocaleString('en')} | ${gz.toLocaleString('en')} |`);
    }
  }
}
