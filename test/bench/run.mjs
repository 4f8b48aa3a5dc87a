/* global process, console, URL */
/**
 * `npm run bench`: streamtune against its peers (River, Keras on TensorFlow, PyTorch), side by
 * side in one run on this machine, repeated and interleaved so that machine noise spreads over
 * every system alike; plus the per-stage cost, wasm vs cpu, Kafka (replayed topic, a 1,000,000
 * message backlog, produce-to-learned latency), a 2,000,000-record memory soak and a 1,000,000-row
 * CSV with 1% malformed quoting read to the end (malformedCsv.mjs), and issue 12's learning table
 * (learning.mjs: streamtune's settings and River's learners on Elec2, SEA and Bike Sharing, the
 * per-member cost of a population), and issue 14's scale-out simulation (scale.mjs: 1 to 16
 * syncing trainer processes in one group on a 16-partition Elec2 topic). Writes
 * docs/benchmarks.json and docs/benchmarks.md.
 *
 * `--smoke` runs in seconds: Elec2's first records, streamtune (CLI + stages) and River's
 * per-record loop when a Python with River is there; it prints what ran and what did not.
 *
 * @example
 * node test/bench/run.mjs                        # the full bench (about 20 minutes on 2 cores)
 * node test/bench/run.mjs --smoke --json /tmp/smoke.json --md none
 * node test/bench/run.mjs --repeats 5 --no-kafka --no-soak
 * node test/bench/run.mjs --sections learning --learning-quick --json /tmp/learning.json --md /tmp/learning.md
 * node test/bench/run.mjs --sections scale --scale-compare --json /tmp/scale.json --md /tmp/scale.md
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dumpSynthetic } from './dumpSynthetic.mjs';
import { startKafka } from './lib/kafkaBroker.mjs';
import { learningBench } from './learning.mjs';
import { SCALE_COUNTS, scaleBench } from './scale.mjs';
import { machineInfo, packageVersion } from './lib/machineInfo.mjs';
import { renderMarkdown } from './lib/renderMarkdown.mjs';
import { killChildren, runProcess } from './lib/runProcess.mjs';
import { summarize } from './lib/summarize.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = fileURLToPath(new URL('./', import.meta.url));
const CLI = join(REPO, 'dist/src/cli.js');
const node = process.execPath;

const { values: opt } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    repeats: { type: 'string' },
    'hyperplane-repeats': { type: 'string' },
    'hyperplane-n': { type: 'string', default: '200000' },
    sections: { type: 'string', default: 'e2e,stages,engines,malformed,soak,kafka,learning,scale' },
    merge: { type: 'string' },
    json: { type: 'string' },
    md: { type: 'string' },
    'no-kafka': { type: 'boolean', default: false },
    'no-soak': { type: 'boolean', default: false },
    'no-peers': { type: 'boolean', default: false },
    'no-hyperplane': { type: 'boolean', default: false },
    /** The learning section on each file's first 3,000 records (River's forest takes minutes on the whole files). */
    'learning-quick': { type: 'boolean', default: false },
    /** The scale section (issue 14): members per run, the population flag (unset: the default), and the other setting at N = 1 and 3 beside it. */
    'scale-counts': { type: 'string', default: SCALE_COUNTS.join(',') },
    'scale-population': { type: 'string' },
    'scale-compare': { type: 'boolean', default: false },
    'scale-repeats': { type: 'string', default: '1' },
  },
});
const smoke = opt.smoke;
const repeats = Number(opt.repeats ?? (smoke ? 1 : 3));
/** The 200,000 x 100 stream takes minutes per system: one interleaved round unless asked for more. */
const hyperplaneRepeats = Number(opt['hyperplane-repeats'] ?? 1);
const jsonPath = opt.json ?? join(REPO, smoke ? '.tmp/bench/smoke.json' : 'docs/benchmarks.json');
const mdPath = opt.md === 'none' ? undefined : (opt.md ?? (smoke ? undefined : join(REPO, 'docs/benchmarks.md')));
const sections = new Set(opt.sections.split(',').map((x) => x.trim()));
const work = join(REPO, '.tmp/bench');
mkdirSync(work, { recursive: true });

const log = (line) => console.log(`[bench] ${line}`);
// Interrupted: end the runs in flight (the Kafka part also stops its broker, below), then exit.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killChildren();
    if (!kafkaRunning) process.exit(130);
  });
}
let kafkaRunning = false;
const ran = [];
const notRun = [];
const skip = (what, why) => {
  notRun.push({ what, why });
  log(`NOT RUN: ${what}: ${why}`);
};

// --merge a.json,b.json: one report from parts run separately (e.g. --sections e2e,stages and
// --sections soak,kafka at the same time), written to --json and --md.
if (opt.merge) {
  const parts = opt.merge.split(',').map((p) => JSON.parse(readFileSync(p, 'utf8')));
  const pick = (key) => parts.map((p) => p[key]).find((v) => (Array.isArray(v) ? v.length > 0 : v != null)) ?? parts[0][key];
  const merged = {
    ...parts[0],
    config: parts[0].config.replaceAll(REPO, ''),
    command: parts.map((p) => p.command).join(' + (at the same time) '),
    versions: Object.assign({}, ...parts.map((p) => p.versions)),
    machine: { ...parts[0].machine, loadAverage: { ...parts[0].machine.loadAverage, end: parts.map((p) => p.machine.loadAverage?.end).at(-1) } },
    datasets: (pick('e2e').length ? parts.find((p) => p.e2e.length).datasets : parts[0].datasets).map((d) => ({
      ...d,
      file: d.file.startsWith('/') ? relative(REPO, d.file) : d.file,
    })),
    e2e: pick('e2e'),
    ratios: pick('ratios'),
    stages: pick('stages'),
    engines: pick('engines'),
    soak: pick('soak'),
    malformedCsv: pick('malformedCsv'),
    kafka: pick('kafka'),
    learning: pick('learning'),
    scale: pick('scale'),
    ran: parts.flatMap((p) => p.ran),
    notRun: parts.flatMap((p) => p.notRun).filter((n) => !n.why.startsWith('--sections')),
  };
  writeFileSync(jsonPath, JSON.stringify(merged, null, 2) + '\n');
  if (mdPath) writeFileSync(mdPath, renderMarkdown(merged, existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : undefined));
  console.log(`[bench] merged ${parts.length} parts into ${jsonPath}${mdPath ? ` and ${mdPath}` : ''}`);
  process.exit(0);
}

if (!existsSync(CLI)) {
  console.error(`[bench] ${CLI} is missing: build first (npm run build)`);
  process.exit(1);
}

// ---------------------------------------------------------------- data and model
const sharedElec2 = join(REPO, '../shared/data/elec2.csv');
const elec2 = existsSync(sharedElec2) ? sharedElec2 : join(REPO, 'data/elec2.csv');
const SMOKE_RECORDS = 3000;
const TFJS_B1_RECORDS = 6000;
/** The streamtune variants whose speed is put over each peer's: the default (batch 32) and per record. */
const RATIO_BASES = ['dense b32', 'dense b1', 'tfjs wasm b32'];

const HYPERPLANE_N = Number(opt['hyperplane-n']);
const HYPERPLANE = `synth:hyperplane?dim=100&n=${HYPERPLANE_N}`;
const datasets = [
  { name: 'elec2', file: elec2, label: 'class', features: 8, records: smoke ? SMOKE_RECORDS : 45_312, maxRecords: smoke ? SMOKE_RECORDS : undefined },
];
if (!smoke && !opt['no-hyperplane']) {
  datasets.push({ name: 'hyperplane100', uri: HYPERPLANE, file: join(work, `hyperplane-dim100-n${HYPERPLANE_N}.csv`), label: 'y', features: 100, records: HYPERPLANE_N });
}
const MODEL = {
  layers: 'd -> Dense(64, relu) -> Dropout(0.1) -> Dense(1, sigmoid)',
  batch: 32,
  optimizer: 'Adam(lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7)',
  l2: '0.001 * sum(kernel^2), both dense kernels, added to the mean binary cross-entropy',
  init: 'Glorot-uniform kernels, zero biases',
  evaluation: 'prequential: every record scored before it is learned (validationSplit 0); cumulative accuracy (p >= 0.5) and log-loss (p clipped to [1e-7, 1-1e-7])',
  standardization: 'online per-record Welford mean/variance, updated with each training record before it is transformed; z = (x - mean) / std, 0 where std < 1e-8',
};

function configYaml(extra = '') {
  return `task: binary
validationSplit: 0
batch: { size: 32, maxWaitMs: 1000 }
model:
  layers:
    - { type: dense, units: 64, activation: relu }
    - { type: dropout, rate: 0.1 }
  initializer: glorotUniform
  seed: 42
optimizer: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1.0e-7 }
l2: 0.001
deadLetter: ${join(work, 'dead-letter.jsonl')}
${extra}`;
}
const configPath = join(work, 'bench.yaml');
writeFileSync(configPath, configYaml());
const CLI_FLAGS = ['--metrics-port', '0', '--progress', 'off', '--no-tuning'];
const commandLine = (args) =>
  ['node', 'dist/src/cli.js', ...args].map((a) => a.replaceAll(REPO, '')).map((a) => (/[?&\s]/.test(a) ? `'${a}'` : a)).join(' ');

/** One `streamtune train` run through the CLI, as users run it; the summary JSON is its result. */
async function streamtune(args, { scrapeEveryMs, config = configPath } = {}) {
  const summaryPath = join(work, `summary-${process.pid}-${Date.now()}.json`);
  const full = ['train', '--config', config, '--summary-json', summaryPath, ...CLI_FLAGS, ...args];
  const shown = commandLine(full.map((a) => (a === summaryPath ? 'summary.json' : a)));
  const run = await runProcess(node, [CLI, ...full], { cwd: REPO, scrapeEveryMs });
  if (run.code !== 0 || !existsSync(summaryPath)) {
    return { error: `exit ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`, command: shown };
  }
  const s = JSON.parse(readFileSync(summaryPath, 'utf8'));
  rmSync(summaryPath);
  return {
    command: shown,
    records: s.records.total,
    trained: s.records.trained,
    seconds: s.seconds,
    recordsPerSecond: s.recordsPerSecond,
    wallSeconds: run.wallSeconds,
    peakRssBytes: run.peakRssBytes,
    accuracy: s.prequential.accuracy,
    logLoss: s.prequential.crossEntropy,
    backend: s.backend,
    samples: run.samples,
  };
}

// ---------------------------------------------------------------- peers
const pythonCandidates = [
  process.env.STREAMTUNE_BENCH_PYTHON,
  join(REPO, '.venv-bench/bin/python'),
  ...(smoke ? [join(REPO, '.venv-river/bin/python')] : []),
].filter(Boolean);
const python = pythonCandidates.find((p) => existsSync(p));
const PEERS = [
  { peer: 'river', variant: 'one', module: 'river' },
  { peer: 'river', variant: 'many', module: 'river', needs: 'pandas' },
  { peer: 'keras', variant: 'train_on_batch', module: 'tensorflow' },
  { peer: 'keras', variant: 'tf_function', module: 'tensorflow' },
  { peer: 'torch', variant: 'loop', module: 'torch' },
];
async function importable(module) {
  if (!python) return false;
  const r = await runProcess(python, ['-c', `import ${module}`], { timeoutMs: 120_000 });
  return r.code === 0;
}
const peers = [];
if (opt['no-peers']) skip('Python peers', '--no-peers');
else if (!python) skip('Python peers', `no Python venv (${pythonCandidates.join(', ') || '.venv-bench'}): run bash test/bench/setup-peers.sh`);
else {
  const ok = {};
  for (const p of smoke ? PEERS.filter((x) => x.peer === 'river' && x.variant === 'one') : PEERS) {
    for (const m of [p.module, p.needs].filter(Boolean)) ok[m] ??= await importable(m);
    if ([p.module, p.needs].filter(Boolean).every((m) => ok[m])) peers.push(p);
    else skip(`${p.peer} ${p.variant}`, `${[p.module, p.needs].filter((m) => m && !ok[m]).join(', ')} not importable by ${python}`);
  }
}
async function runPeer(p, dataset) {
  const args = [join(BENCH, 'peers', `${p.peer}_peer.py`), '--data', dataset.file, '--label', dataset.label, '--variant', p.variant];
  if (dataset.maxRecords) args.push('--max-records', String(dataset.maxRecords));
  const run = await runProcess(python, args, { env: { TF_CPP_MIN_LOG_LEVEL: '2' } });
  const line = run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (run.code !== 0 || !line) return { error: `exit ${run.code}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}` };
  const r = JSON.parse(line);
  return r.error ? { error: r.error } : { ...r, wallSeconds: run.wallSeconds, peakRssBytes: run.peakRssBytes };
}

// ---------------------------------------------------------------- backends
const backends = {
  wasm: 'measured (see end to end)',
  cpu: 'measured (see end to end)',
  tensorflow: packageVersion('@tensorflow/tfjs-node') === 'not installed' ? 'not installed (@tensorflow/tfjs-node is not a dependency)' : 'installed but not benchmarked',
  'tensorflow-gpu': packageVersion('@tensorflow/tfjs-node-gpu') === 'not installed' ? 'not installed' : 'installed but not benchmarked',
};

// ---------------------------------------------------------------- end to end, from files
const machine = machineInfo();
const loadAtStart = loadavg();
log(`machine: ${machine.nproc} cores, ${machine.cpu}, ${machine.memoryGiB} GiB; node ${machine.node}, tfjs ${machine.tfjs}; python ${python ?? 'none'}`);
const e2e = [];
const ratios = [];
const stages = [];
let engines;
let soak;
let malformedCsv;
let kafka;
let learning;
let scale;
const entry = (dataset, system, variant, does) => {
  let e = e2e.find((x) => x.dataset === dataset && x.system === system && x.variant === variant);
  if (!e) e2e.push((e = { dataset, system, variant, does, runs: [] }));
  return e;
};
if (!sections.has('e2e')) skip('end to end', `--sections ${opt.sections}`);
for (const dataset of sections.has('e2e') ? datasets : []) {
  if (dataset.uri && !existsSync(dataset.file)) {
    log(`writing ${dataset.uri} to ${dataset.file} (the peers and the file run read it)`);
    await dumpSynthetic(dataset.uri, dataset.file);
  }
  const file = ['--source', dataset.file];
  const systems = [
    ['dense b32', [...file, '--engine', 'dense'], 'CLI, CSV file, dense engine, 32 records per Adam step'],
    ['dense b4', [...file, '--engine', 'dense', '--batch-size', '4'], 'CLI, CSV file, dense engine, 4 records per step'],
    ['dense b1', [...file, '--engine', 'dense', '--batch-size', '1'], 'CLI, CSV file, dense engine, one step per record'],
    ['tfjs wasm b32', [...file, '--engine', 'tfjs', '--backend', 'wasm'], 'CLI, CSV file, TF.js engine on the wasm backend, 32 records per step'],
    ['tfjs cpu b32', [...file, '--engine', 'tfjs', '--backend', 'cpu'], 'CLI, CSV file, TF.js engine on the cpu (plain JS) backend'],
  ];
  if (!dataset.uri) {
    // One TF.js call per record costs about 2.5 ms: the first records only, enough for its rate.
    systems.push(['tfjs wasm b1', [...file, '--engine', 'tfjs', '--backend', 'wasm', '--batch-size', '1', '--max-records', String(Math.min(dataset.records, TFJS_B1_RECORDS))], `CLI, CSV file, TF.js engine (wasm), one step per record; first ${TFJS_B1_RECORDS.toLocaleString('en-US')} records only`]);
  } else {
    systems.splice(1, 1); // the 200,000 x 100 stream: b32 and b1 are enough to place b4
    systems.splice(3, 1);
    systems.push(['dense b32, synth: source', ['--source', dataset.uri, '--engine', 'dense'], 'CLI, generated in-process (no CSV parse), dense engine']);
  }
  if (smoke) systems.splice(1, systems.length - 1, systems.find(([v]) => v === 'tfjs wasm b32'));
  const rounds = dataset.uri ? hyperplaneRepeats : repeats;
  dataset.repeats = rounds;
  for (let rep = 1; rep <= rounds; rep++) {
    for (const [variant, args, does] of systems) {
      const r = await streamtune([...args, ...(dataset.maxRecords ? ['--max-records', String(dataset.maxRecords)] : [])]);
      entry(dataset.name, 'streamtune', variant, does).runs.push(r);
      log(`${dataset.name} streamtune ${variant} #${rep}: ${r.error ?? `${Math.round(r.recordsPerSecond)} rec/s, acc ${r.accuracy?.toFixed(4)}`}`);
    }
    for (const p of peers) {
      const r = await runPeer(p, dataset);
      entry(dataset.name, p.peer, p.variant, r.does).runs.push(r);
      if (r.does) entry(dataset.name, p.peer, p.variant).does = r.does;
      log(`${dataset.name} ${p.peer} ${p.variant} #${rep}: ${r.error ?? `${Math.round(r.recordsPerSecond)} rec/s, acc ${r.accuracy?.toFixed(4)}`}`);
    }
  }
  summarizeE2e();
  writeReport();
}
/** Medians per system, and the ratios streamtune (wasm, from the file) / peer, run by run (runs were interleaved, so each pair saw about the same machine). */
function summarizeE2e() {
  ratios.length = 0;
  for (let i = ran.length - 1; i >= 0; i--) if (ran[i].startsWith('e2e ')) ran.splice(i, 1);
  for (const e of e2e) {
    const ok = e.runs.filter((r) => !r.error);
    e.error = ok.length === 0 ? e.runs[0]?.error : undefined;
    e.recordsPerSecond = summarize(ok.map((r) => r.recordsPerSecond));
    e.wallSeconds = summarize(ok.map((r) => r.wallSeconds));
    e.peakRssBytes = summarize(ok.map((r) => r.peakRssBytes));
    e.accuracy = ok[0]?.accuracy ?? null;
    e.logLoss = ok[0]?.logLoss ?? null;
    e.records = ok[0]?.records ?? null;
    e.command = ok[0]?.command;
    e.versions = ok[0]?.versions;
    e.parts = ok[0]?.parts;
    for (const r of e.runs) delete r.samples;
    ran.push(`e2e ${e.dataset} ${e.system} ${e.variant}: ${e.error ? `FAILED (${e.error})` : `${ok.length} run(s), median ${Math.round(e.recordsPerSecond.median)} rec/s`}`);
  }
  // streamtune (each headline variant, from the file) over each peer, run by run (runs were
  // interleaved, so each pair saw about the same machine), then summarized.
  for (const dataset of datasets) {
    for (const base of RATIO_BASES) {
      const st = e2e.find((e) => e.dataset === dataset.name && e.system === 'streamtune' && e.variant === base);
      if (!st) continue;
      for (const e of e2e.filter((x) => x.dataset === dataset.name && x.system !== 'streamtune')) {
        const pairs = st.runs.map((r, i) => (r.error || e.runs[i]?.error ? NaN : r.recordsPerSecond / e.runs[i].recordsPerSecond));
        ratios.push({ dataset: dataset.name, base, peer: e.system, variant: e.variant, ratio: summarize(pairs), error: e.error });
      }
    }
  }
}


// ---------------------------------------------------------------- stages
const stageRuns = !sections.has('stages')
  ? []
  : smoke
  ? [{ dataset: datasets[0], variant: 'tfjs wasm b32', engine: 'tfjs', backend: 'wasm', batch: 32, records: SMOKE_RECORDS, sizes: '32' }]
  : [
      { dataset: datasets[0], variant: 'dense b32', engine: 'dense', backend: 'wasm', batch: 32, records: 0, sizes: '1,8,32,128,512' },
      { dataset: datasets[0], variant: 'dense b1', engine: 'dense', backend: 'wasm', batch: 1, records: 0, sizes: '1' },
      { dataset: datasets[0], variant: 'tfjs wasm b32', engine: 'tfjs', backend: 'wasm', batch: 32, records: 0, sizes: '1,8,32,128,512' },
      ...(datasets[1]
        ? [
            { dataset: datasets[1], variant: 'dense b32', engine: 'dense', backend: 'wasm', batch: 32, records: 50_000, sizes: '32,128' },
            { dataset: datasets[1], variant: 'tfjs wasm b32', engine: 'tfjs', backend: 'wasm', batch: 32, records: 50_000, sizes: '32,128' },
          ]
        : []),
    ];
for (const s of stageRuns) {
  const args = [join(BENCH, 'stages.mjs'), '--source', s.dataset.file, '--engine', s.engine, '--backend', s.backend, '--batch', String(s.batch), '--records', String(s.records), '--batch-sizes', s.sizes];
  const runs = [];
  let error;
  for (let rep = 1; rep <= (s.dataset.uri ? hyperplaneRepeats : repeats); rep++) {
    const run = await runProcess(node, args, { cwd: REPO });
    const line = run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
    if (run.code !== 0 || !line) error = run.stderr.trim().split('\n').slice(-3).join(' | ');
    else runs.push(JSON.parse(line));
  }
  if (runs.length === 0) {
    stages.push({ dataset: s.dataset.name, variant: s.variant, backend: s.backend, error });
    continue;
  }
  stages.push(combineStages(s, runs));
  const r = stages.at(-1);
  ran.push(`stages ${s.dataset.name} ${s.variant}: ${runs.length} run(s) of ${r.records} records, in-process end to end ${r.inProcessUsPerRecord.toFixed(1)} µs/record`);
  log(`stages ${s.dataset.name} ${s.variant}: ${r.stages.map((x) => `${x.stage} ${x.usPerRecord.toFixed(1)}`).join(', ')} µs/record`);
}
/**
 * Medians over the repeated stage runs. Shares are of the in-process end to end (read + the whole
 * pipeline over the records in memory, both timed in the same process as the stages); the CLI's
 * end to end (median of its runs above) is shown beside it.
 */
function combineStages(s, runs) {
  const med = (xs) => summarize(xs).median;
  const first = runs[0];
  const stageRows = first.stages.map((st, i) => ({ ...st, usPerRecord: med(runs.map((r) => r.stages[i].usPerRecord)), runs: runs.map((r) => r.stages[i].usPerRecord) }));
  const read = stageRows.find((x) => x.stage === 'read').usPerRecord;
  const pipelineUs = med(runs.map((r) => r.pipelineInMemory.usPerRecord));
  const inProcess = read + pipelineUs;
  for (const st of stageRows) st.share = st.usPerRecord / inProcess;
  const sum = stageRows.reduce((a, x) => a + x.usPerRecord, 0);
  const ref = e2e.find((e) => e.dataset === s.dataset.name && e.system === 'streamtune' && e.variant === s.variant);
  return {
    dataset: s.dataset.name,
    variant: s.variant,
    engine: s.engine,
    batch: s.batch,
    backend: first.backend,
    records: first.records,
    runs: runs.length,
    stages: stageRows,
    sumUsPerRecord: sum,
    pipelineInMemory: { ...first.pipelineInMemory, usPerRecord: pipelineUs, recordsPerSecond: 1e6 / pipelineUs },
    inProcessUsPerRecord: inProcess,
    unattributedUsPerRecord: inProcess - sum,
    cliUsPerRecord: ref?.recordsPerSecond.median ? 1e6 / ref.recordsPerSecond.median : null,
    warmup: { batches: first.warmup.batches, ms: med(runs.map((r) => r.warmup.ms)) },
    profile: first.profile,
    scrape: { ms: med(runs.map((r) => r.scrape.ms)), bytes: first.scrape.bytes },
    stepCost: first.stepCost.map((c, i) => ({
      batch: c.batch,
      msPerCall: med(runs.map((r) => r.stepCost[i].msPerCall)),
      usPerRecord: med(runs.map((r) => r.stepCost[i].usPerRecord)),
      predictMsPerCall: med(runs.map((r) => r.stepCost[i].predictMsPerCall)),
    })),
  };
}

writeReport();

// ---------------------------------------------------------------- engines: the crossover
if (smoke) skip('engine crossover', '--smoke');
else if (!sections.has('engines')) skip('engine crossover', `--sections ${opt.sections}`);
else {
  log('engines: step() of the dense and TF.js engines over widths x batches (test/bench/engines.mjs)');
  const run = await runProcess(node, [join(BENCH, 'engines.mjs'), '--json'], { cwd: REPO });
  const line = run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  engines = run.code === 0 && line ? { command: 'node test/bench/engines.mjs', ...JSON.parse(line) } : { error: run.stderr.trim().split('\n').slice(-3).join(' | ') };
  if (engines.error) skip('engine crossover', engines.error);
  else ran.push(`engines: ${engines.rows.length} cells; TF.js wins from hidden width ${engines.crossover.map((c) => `${c.tfjsWinsFromHidden ?? 'never'} (dim ${c.inputDim}, batch ${c.batch})`).join(', ')}`);
}
writeReport();

// ---------------------------------------------------------------- malformed CSV: issue 15's million rows
if (!sections.has('malformed')) skip('malformed CSV', `--sections ${opt.sections}`);
else {
  const rows = smoke ? 100_000 : 1_000_000;
  log(`malformed CSV: ${rows} rows, 1% malformed quoting of every kind, read to the end (test/bench/malformedCsv.mjs)`);
  const run = await runProcess(node, [join(BENCH, 'malformedCsv.mjs'), '--rows', String(rows)], { cwd: REPO });
  const line = run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  malformedCsv = line ? { command: `node test/bench/malformedCsv.mjs --rows ${rows}`, ...JSON.parse(line) } : { error: run.stderr.trim().split('\n').slice(-3).join(' | ') };
  if (malformedCsv.error || malformedCsv.mismatches !== 0) skip('malformed CSV', malformedCsv.error ?? `${malformedCsv.mismatches} mismatches: ${malformedCsv.problems.join('; ')}`);
  else ran.push(`malformed CSV: ${malformedCsv.records} records (${malformedCsv.good} good, ${malformedCsv.malformedCsv} malformed_csv, ${malformedCsv.columnCount} column_count), 0 mismatches, ${malformedCsv.seconds} s`);
}
writeReport();

// ---------------------------------------------------------------- memory soak
if (smoke) skip('memory soak', '--smoke');
else if (!sections.has('soak')) skip('memory soak', `--sections ${opt.sections}`);
else if (opt['no-soak']) skip('memory soak', '--no-soak');
else {
  const uri = 'synth:sea?n=10000000';
  log(`soak: ${uri}, dense engine, sampling /metrics every 3 s`);
  const r = await streamtune(['--source', uri, '--engine', 'dense'], { scrapeEveryMs: 3000 });
  soak = memoryReport(uri, r);
  ran.push(`soak ${uri}: ${r.error ?? `${r.records} records, peak RSS ${mib(soak.peakRssBytes)} MiB`}`);
}
writeReport();
function memoryReport(what, r) {
  if (r.error) return { what, error: r.error };
  const s = r.samples.filter((x) => x.rss !== undefined);
  const rss = s.map((x) => x.rss);
  const tensors = s.map((x) => x.tensors).filter((x) => x !== undefined);
  return {
    what,
    command: r.command,
    records: r.records,
    recordsPerSecond: r.recordsPerSecond,
    seconds: r.seconds,
    samples: s.length,
    startRssBytes: rss[0] ?? null,
    peakSampledRssBytes: rss.length ? Math.max(...rss) : null,
    endRssBytes: rss.at(-1) ?? null,
    peakRssBytes: r.peakRssBytes,
    tensors: { min: tensors.length ? Math.min(...tensors) : null, max: tensors.length ? Math.max(...tensors) : null, flat: tensors.length > 1 && Math.min(...tensors) === Math.max(...tensors) },
    series: s.map((x) => ({ t: Math.round(x.t), records: x.records, rssMiB: mib(x.rss), tensors: x.tensors })),
  };
}
function mib(bytes) {
  return bytes == null ? null : Math.round(bytes / 2 ** 20);
}

// ---------------------------------------------------------------- Kafka
if (smoke) skip('Kafka', '--smoke');
else if (!sections.has('kafka')) skip('Kafka', `--sections ${opt.sections}`);
else if (opt['no-kafka']) skip('Kafka', '--no-kafka');
else {
  kafka = await kafkaBench().catch((error) => ({ error: String(error?.message ?? error).split('\n')[0] }));
  if (kafka.error) skip('Kafka', kafka.error);
}
writeReport();
async function kafkaBench() {
  log('Kafka: starting the broker (docker/kafka/kafka.sh start, free ports)');
  const broker = await startKafka(); // an exit before this returns stops the broker (kafkaBroker's exit hook)
  kafkaRunning = true;
  const stopOnSignal = () => broker.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const B = broker.brokers;
    const out = { brokers: 'loopback, single node, 3.9.1 (KRaft)' };
    // 1. Elec2 replayed into 3 partitions, consumed by the CLI to the end.
    const replay = await runProcess(node, [CLI, 'replay', elec2, '--brokers', B, '--topic', 'bench-elec2', '--partitions', '3', '--format', 'json', '--no-progress'], { cwd: REPO });
    out.replay = replay.stdout.trim();
    const runs = [];
    for (let rep = 1; rep <= repeats; rep++) {
      const r = await streamtune(['--source', `kafka://${B}/bench-elec2`, '--group', `bench-elec2-${rep}`, '--stop-at-end', '--backend', 'wasm']);
      if (r.command) r.command = r.command.replace(B, 'BROKER');
      runs.push(r);
      log(`kafka elec2 #${rep}: ${r.error ?? `${Math.round(r.recordsPerSecond)} rec/s, acc ${r.accuracy?.toFixed(4)}`}`);
    }
    const ok = runs.filter((r) => !r.error);
    for (const r of runs) delete r.samples;
    out.elec2 = {
      runs,
      recordsPerSecond: summarize(ok.map((r) => r.recordsPerSecond)),
      wallSeconds: summarize(ok.map((r) => r.wallSeconds)),
      accuracy: ok[0]?.accuracy ?? null,
      logLoss: ok[0]?.logLoss ?? null,
      command: ok[0]?.command,
    };
    ran.push(`kafka elec2 (3 partitions): median ${Math.round(out.elec2.recordsPerSecond.median)} rec/s`);

    // 2. A backlog of 1,000,000 small CSV messages, consumed with --stop-at-end.
    const produced = await runProcess(node, [CLI, 'synth', '--brokers', B, '--topic', 'bench-sea1m', '--partitions', '3', '--format', 'csv', '--stream', 'synth:sea?n=1000000', '--no-progress'], { cwd: REPO });
    out.backlogProduce = { seconds: produced.wallSeconds, output: produced.stdout.trim() };
    const backlogConfig = join(work, 'bench-sea.yaml');
    writeFileSync(backlogConfig, configYaml('features: [x1, x2, x3]\nlabel: y\nkafka: { format: csv, csvColumns: [x1, x2, x3, y] }\n'));
    const backlog = await streamtune(['--source', `kafka://${B}/bench-sea1m`, '--group', 'bench-sea1m', '--stop-at-end', '--backend', 'wasm'], {
      scrapeEveryMs: 2000,
      config: backlogConfig,
    });
    if (backlog.command) backlog.command = backlog.command.replace(B, 'BROKER');
    out.backlog = { ...memoryReport('Kafka backlog: 1,000,000 SEA messages (CSV lines), 3 partitions', backlog), config: 'features [x1, x2, x3], label y, kafka.format csv, kafka.csvColumns [x1, x2, x3, y]', accuracy: backlog.accuracy, wallSeconds: backlog.wallSeconds };
    ran.push(`kafka backlog 1M: ${backlog.error ?? `${Math.round(backlog.recordsPerSecond)} rec/s, peak RSS ${mib(backlog.peakRssBytes)} MiB`}`);
    log(ran.at(-1));

    // 3. Produce-to-learned latency at a steady 10,000 msg/s.
    out.latency = await latencyBench(B);
    ran.push(`kafka latency at ${out.latency.rate ?? '?'} msg/s: ${out.latency.error ?? `p50 ${out.latency.latencyMs.p50.toFixed(1)} ms, p99 ${out.latency.latencyMs.p99.toFixed(1)} ms`}`);
    log(ran.at(-1));
    return out;
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    log('Kafka: stopping the broker');
    await broker.stop();
    kafkaRunning = false;
  }
}
async function latencyBench(B) {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: [B], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'bench-latency', numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const rate = 10_000;
  const seconds = 30;
  let producer;
  let startProducer;
  const producerStarted = new Promise((resolve) => (startProducer = resolve));
  const trainer = runProcess(node, [join(BENCH, 'latency.mjs'), '--brokers', B, '--topic', 'bench-latency', '--records', String(rate * seconds), '--skip', String(rate)], {
    cwd: REPO,
    onStdout: (text) => text.includes('ready') && startProducer(),
  });
  const started = await Promise.race([producerStarted.then(() => true), trainer.then(() => false)]);
  if (started) producer = await runProcess(node, [join(BENCH, 'producer.mjs'), '--brokers', B, '--topic', 'bench-latency', '--file', elec2, '--rate', String(rate), '--seconds', String(seconds)], { cwd: REPO });
  const t = await trainer;
  const line = t.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (!line) return { error: `latency trainer exit ${t.code}: ${t.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  return {
    method: 'library API (dist/: openSource + runPipeline, as the CLI wires them, no metrics server) in its own process; a kafkajs producer in another process sends Elec2 rows as JSON at a steady rate (a send every few ms, acks=1), each with t_produce (ms, taken just before the send) in a field that is not a feature; a record counts as learned when the pipeline reports its batch (trained, scored, evaluated). The first second of records is left out (warm-up).',
    rate,
    seconds,
    producer: producer?.stdout.trim() ? JSON.parse(producer.stdout.trim().split('\n').at(-1)) : null,
    peakRssBytes: t.peakRssBytes,
    ...JSON.parse(line),
  };
}

// ---------------------------------------------------------------- learning: issue 12's table
if (!sections.has('learning')) skip('learning', `--sections ${opt.sections}`);
else {
  const quick = smoke || opt['learning-quick'];
  log(`learning: streamtune's settings and River's learners on Elec2, SEA, Bike Sharing${quick ? ' (first 3,000 records each)' : ''}; per-member cost on Elec2`);
  const withRiver = !opt['no-peers'] && python && (await importable('river')) ? python : undefined;
  if (!withRiver) skip('learning: River rows', opt['no-peers'] ? '--no-peers' : python ? `river not importable by ${python}` : 'no Python venv: run bash test/bench/setup-peers.sh');
  learning = await learningBench({ repo: REPO, work, python: withRiver, log, quick, smoke, repeats }).catch((error) => ({ error: String(error?.stack ?? error) }));
  if (learning.error) skip('learning', learning.error);
  else {
    const failed = learning.files.flatMap((f) => f.rows.filter((r) => r.error).map((r) => `${f.name} ${r.system} ${r.variant}: ${r.error}`));
    for (const x of failed) skip(`learning ${x.split(':')[0]}`, x.slice(x.indexOf(':') + 2));
    const k8 = learning.memberCost.rows.at(-1);
    ran.push(
      `learning: ${learning.files.map((f) => `${f.name} ${f.rows.length} rows`).join(', ')}; cost(${k8.population})/cost(1) ${k8.costRatio.median?.toFixed(2)}; speed ratio streamtune default / River LR ${learning.speedRatio?.ratio.median?.toFixed(2) ?? 'not run'}`,
    );
  }
}
writeReport();

// ---------------------------------------------------------------- scale: issue 14's simulation
if (smoke) skip('scale', '--smoke');
else if (!sections.has('scale')) skip('scale', `--sections ${opt.sections}`);
else if (opt['no-kafka']) skip('scale', '--no-kafka');
else {
  const counts = opt['scale-counts'].split(',').map(Number);
  log(`scale: ${counts.join(', ')} syncing trainer processes in one group on a 16-partition Elec2 topic (test/bench/scale.mjs); ${machine.nproc} cores`);
  let broker;
  try {
    broker = await startKafka();
    kafkaRunning = true;
    scale = await scaleBench({
      repo: REPO, work, brokers: broker.brokers, elec2, log, counts,
      population: opt['scale-population'], compare: opt['scale-compare'], repeats: Number(opt['scale-repeats']),
    });
    scale.cores = machine.nproc;
    const w = scale.ratio3v1.wall[0];
    const c = scale.ratio3v1.perLoopCpuSecond[0];
    ran.push(`scale: N = ${counts.join(', ')}; 3 members / 1 member: ${w?.toFixed(2) ?? '–'}x wall on ${machine.nproc} cores, ${c?.toFixed(2) ?? '–'}x per CPU-second (a core per member)`);
    for (const e of scale.errors) skip(`scale ${e.split(':')[0]}`, e);
  } catch (error) {
    scale = { error: String(error?.message ?? error).split('\n')[0] };
    skip('scale', scale.error);
  } finally {
    await broker?.stop();
    kafkaRunning = false;
  }
}
writeReport();

// ---------------------------------------------------------------- report
/** Writes the JSON (and the Markdown) with what has run so far: called after every section. */
function writeReport() {
  const pyVersions = Object.assign({}, learning?.versions, ...e2e.filter((e) => e.versions).map((e) => e.versions));
  const result = {
    generated: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    smoke,
    repeats,
    machine: { ...machine, loadAverage: { start: loadAtStart, end: loadavg(), note: '1/5/15-minute load averages of the machine (other work on a shared machine shows here)' } },
    versions: { node: machine.node, tfjs: machine.tfjs, tfjsWasm: machine.tfjsWasm, tfjsNode: machine.tfjsNode, kafkajs: machine.kafkajs, ...pyVersions },
    model: MODEL,
    config: configYaml().replaceAll(REPO, ''),
    datasets: datasets.map(({ name, file, uri, label, features, records, repeats: rounds }) => ({ name, file: relative(REPO, file), uri, label, features, records, repeats: rounds })),
    e2e,
    ratios,
    backends,
    stages,
    engines: engines ?? null,
    soak: soak ?? null,
    malformedCsv: malformedCsv ?? null,
    kafka: kafka ?? null,
    learning: learning ?? null,
    scale: scale ?? null,
    ran,
    notRun,
  };
  mkdirSync(join(jsonPath, '..'), { recursive: true });
  writeFileSync(jsonPath, JSON.stringify(result, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  if (mdPath) {
    const previous = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : undefined;
    writeFileSync(mdPath, renderMarkdown(result, previous));
  }
}
writeReport();
log(`wrote ${jsonPath}${mdPath ? ` and ${mdPath}` : ''}`);
console.log('[bench] ran:');
for (const line of ran) console.log(`[bench]   ${line}`);
if (notRun.length) {
  console.log('[bench] not run:');
  for (const { what, why } of notRun) console.log(`[bench]   ${what}: ${why}`);
}
