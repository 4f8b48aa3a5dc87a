/* global process, URL, setTimeout, clearTimeout */
/**
 * The bench's `scale` section (issue 14): N trainer processes (`streamtune train`, each its own
 * --member-id, --summary-json and the group's shared --checkpoint-dir) in one consumer group with
 * --sync on one 16-partition topic holding Elec2, --stop-at-end, for N = 1, 2, 3, 4, 8, 16. Per N:
 * wall time from the start to the last exit, records/s in all and per member, CPU seconds per
 * member (lib/cpuClock.mjs, preloaded), the machine's busy CPU seconds (/proc/stat, the broker
 * included), the record-weighted prequential accuracy over the members' summaries, and what the
 * sync topic carried (messages, bytes before gzip, one message gzipped). The ratio 3 members / 1
 * member, on the wall clock and per CPU-second (what grows when cores are added). Then a round's
 * cost apart from Kafka for 2 to 64 members (syncCost.mjs).
 *
 * @example
 * const scale = await scaleBench({ repo, work, brokers: '127.0.0.1:9092', elec2, log, counts: [1, 3], population: '1' });
 * scale.rows; scale.ratio3v1.wall; scale.sync.messageBytes;
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runProcess } from './lib/runProcess.mjs';

export const SCALE_COUNTS = [1, 2, 3, 4, 8, 16];
export const SCALE_PARTITIONS = 16;
const ELEC2_RECORDS = 45_312;
const CPU_CLOCK = new URL('./lib/cpuClock.mjs', import.meta.url).href;

/** Busy CPU seconds of the whole machine so far (every process: the trainers, the broker, and whatever else runs). */
function machineBusySeconds() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu; // idle and iowait left out
  return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ is 100 on Linux
}

/** What a failed run said: its first error-level log line's message, else its last stderr lines. */
function failure(stderr) {
  const lines = stderr.trim().split('\n');
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line);
      if (entry.level >= 50) return String(entry.msg ?? entry.err?.message ?? line).slice(0, 300);
    } catch {
      // not a log line
    }
  }
  return lines.filter((l) => l.trim() && !l.startsWith('Node.js')).slice(-2).join(' | ').slice(0, 300);
}

/** Messages in a topic: the sum of its partitions' end offsets. */
async function topicMessages(brokers, topic) {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((a, p) => a + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Messages of the sync topic: count per member and value sizes (before gzip), read from the beginning. */
async function syncTopicStats(brokers, topic) {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).catch(() => []);
  await admin.disconnect();
  const total = ends.reduce((a, p) => a + Number(p.high), 0);
  const sizes = [];
  let sample;
  if (total > 0) {
    const consumer = kafka.consumer({ groupId: `${topic}-bench-reader-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (!message.value) return;
            sizes.push(message.value.length);
            sample = message.value;
            if (sizes.length >= total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
  }
  const mean = sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : null;
  return { messages: sizes.length, meanBytes: mean, maxBytes: sizes.length ? Math.max(...sizes) : null, gzipBytes: sample ? gzipSync(sample).length : null };
}

export async function scaleBench({ repo, work, brokers, elec2, log, counts = SCALE_COUNTS, population, syncEvery = 1000, compare = false, repeats = 1 }) {
  const node = process.execPath;
  const cli = join(repo, 'dist/src/cli.js');
  const stamp = Date.now();
  const topic = `bench-scale-elec2-${stamp}`;
  const out = {
    loadAverage: { start: loadavg(), end: null },
    topic: { partitions: SCALE_PARTITIONS, records: ELEC2_RECORDS, format: 'json' },
    population: population ?? 'default',
    syncEvery,
    method:
      `N processes \`node dist/src/cli.js train\` started together, one consumer group, --sync on a fresh sync topic per run, --sync-every ${syncEvery}, --stop-at-end on a ${SCALE_PARTITIONS}-partition topic holding Elec2 (JSON, round-robin), each with its own --member-id, --summary-json and the group's --checkpoint-dir (one subdirectory per member). ` +
      'wall = from the start of the first process to the exit of the last (start-up, rebalances and the final sync included); records/s in all = records / wall; per member: its records / its summary seconds (first record read to last learned). CPU: user + system seconds of each process (every thread), from its "engine:" log line to its summary (lib/cpuClock.mjs; start-up left out) and for the whole process; the machine\'s busy CPU seconds over the run come from /proc/stat and include the broker (and any other job on this shared machine). accuracy = the prequential accuracies of the summaries weighted by their records learned. sync bytes: the sync topic read back after the run (message values before gzip; one gzipped for its wire size).',
    rows: [],
    compare: [],
    errors: [],
  };
  const replay = await runProcess(node, [cli, 'replay', elec2, '--brokers', brokers, '--topic', topic, '--partitions', String(SCALE_PARTITIONS), '--format', 'json', '--no-progress'], { cwd: repo });
  if (replay.code !== 0) throw new Error(`replay failed: ${replay.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  out.replay = replay.stdout.trim().replace(elec2, 'elec2.csv');
  // What the topic holds: the replay's producer is not idempotent, so a retried send under load can
  // write a batch twice; "learned once" is checked against the topic's messages, not the file's rows.
  out.topic.messages = await topicMessages(brokers, topic);
  if (out.topic.messages !== ELEC2_RECORDS) out.errors.push(`the topic holds ${out.topic.messages} messages for the file's ${ELEC2_RECORDS} rows (the replay wrote some twice)`);

  let run = 0;
  async function group(n, pop) {
    run += 1;
    const name = `bench-scale-${stamp}-${run}`;
    const root = join(work, name);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    const sync = `kafka://${brokers}/${name}-sync`;
    const flags = (id) => [
      'train', '--source', `kafka://${brokers}/${topic}`, '--group', name, '--stop-at-end', '--label', 'class',
      '--sync', sync, '--sync-every', String(syncEvery), '--member-id', id,
      '--checkpoint-dir', root, '--summary-json', join(root, `${id}.summary.json`),
      '--metrics-port', '0', '--progress', 'off', '--dead-letter', join(root, `${id}.dead.jsonl`),
      ...(pop ? ['--population', String(pop)] : []),
    ];
    const busy0 = machineBusySeconds();
    const ids = Array.from({ length: n }, (_, i) => `m${i + 1}`);
    const runs = await Promise.all(
      ids.map((id) => runProcess(node, ['--import', CPU_CLOCK, cli, ...flags(id)], { cwd: repo, env: { STREAMTUNE_BENCH_CPU_FILE: join(root, `${id}.cpu.json`) }, timeoutMs: 10 * 60_000 })),
    );
    const machineCpuSeconds = machineBusySeconds() - busy0;
    const wallSeconds = Math.max(...runs.map((r) => r.wallSeconds));
    const members = ids.map((id, i) => {
      const summaryPath = join(root, `${id}.summary.json`);
      const cpuPath = join(root, `${id}.cpu.json`);
      const cpu = existsSync(cpuPath) ? JSON.parse(readFileSync(cpuPath, 'utf8')) : {};
      if (runs[i].code !== 0 || !existsSync(summaryPath)) return { id, error: `exit ${runs[i].code}${runs[i].signal ? ` (${runs[i].signal})` : ''}: ${failure(runs[i].stderr)}` };
      const s = JSON.parse(readFileSync(summaryPath, 'utf8'));
      const rounds = runs[i].stderr.split('\n').filter((l) => l.includes('"event":"sync.round"')).map((l) => JSON.parse(l));
      return {
        id,
        records: s.records.total,
        trained: s.records.trained,
        accuracy: s.prequential.accuracy,
        seconds: s.seconds,
        recordsPerSecond: s.seconds > 0 ? s.records.total / s.seconds : null,
        wallSeconds: runs[i].wallSeconds,
        loopCpuSeconds: cpu.loopCpuSeconds ?? null,
        processCpuSeconds: cpu.processCpuSeconds ?? null,
        peakRssBytes: runs[i].peakRssBytes,
        syncRounds: rounds.length,
        syncRoundMs: rounds.length ? rounds.reduce((a, r) => a + r.ms, 0) / rounds.length : null,
        syncRoundMembers: rounds.length ? Math.max(...rounds.map((r) => r.members)) : null,
        tookOver: (runs[i].stderr.match(/took over/g) ?? []).length,
      };
    });
    const ok = members.filter((m) => !m.error);
    const sum = (f) => ok.reduce((a, m) => a + (f(m) ?? 0), 0);
    const records = sum((m) => m.records);
    const trained = sum((m) => m.trained);
    const loopCpu = sum((m) => m.loopCpuSeconds);
    const processCpu = sum((m) => m.processCpuSeconds);
    const syncStats = await syncTopicStats(brokers, `${name}-sync`).catch((error) => ({ error: String(error?.message ?? error) }));
    // A failed member or a sum that misses the topic: the members' logs are kept for a look.
    let logs;
    if (ok.length < n || records !== out.topic.messages) {
      logs = join(work, `${name}-logs`);
      mkdirSync(logs, { recursive: true });
      ids.forEach((id, i) => writeFileSync(join(logs, `${id}.stderr.jsonl`), runs[i].stderr));
    }
    rmSync(root, { recursive: true, force: true });
    const row = {
      members: n,
      population: pop ?? 'default',
      failed: members.filter((m) => m.error).map((m) => `${m.id}: ${m.error}`),
      records,
      learnedOnceCheck: records === out.topic.messages,
      wallSeconds,
      recordsPerSecond: records / wallSeconds,
      perMemberRecordsPerSecond: ok.length ? ok.reduce((a, m) => a + (m.recordsPerSecond ?? 0), 0) / ok.length : null,
      loopCpuSecondsPerMember: ok.length ? loopCpu / ok.length : null,
      processCpuSecondsPerMember: ok.length ? processCpu / ok.length : null,
      recordsPerLoopCpuSecond: loopCpu > 0 ? records / loopCpu : null,
      recordsPerProcessCpuSecond: processCpu > 0 ? records / processCpu : null,
      machineCpuSeconds,
      recordsPerMachineCpuSecond: machineCpuSeconds > 0 ? records / machineCpuSeconds : null,
      accuracy: trained > 0 ? ok.reduce((a, m) => a + m.accuracy * m.trained, 0) / trained : null,
      syncRounds: sum((m) => m.syncRounds),
      syncRoundMs: ok.some((m) => m.syncRoundMs != null) ? ok.reduce((a, m) => a + (m.syncRoundMs ?? 0) * m.syncRounds, 0) / Math.max(1, sum((m) => m.syncRounds)) : null,
      sync: syncStats,
      peakRssBytesPerMember: ok.length ? Math.max(...ok.map((m) => m.peakRssBytes ?? 0)) : null,
      tookOver: sum((m) => m.tookOver),
      logs,
      memberDetail: members,
    };
    log(`scale N=${n} population ${row.population}: ${records} records (${row.learnedOnceCheck ? 'all, once' : `NOT the topic's ${out.topic.messages}`}), wall ${wallSeconds.toFixed(1)} s, ${Math.round(row.recordsPerSecond)} rec/s, ${Math.round(row.recordsPerLoopCpuSecond ?? 0)} per loop CPU-s, acc ${row.accuracy?.toFixed(4)}, ${row.syncRounds} sync rounds${row.failed.length ? `; FAILED ${row.failed.join('; ')}` : ''}`);
    if (row.failed.length) out.errors.push(...row.failed.map((x) => `N=${n}: ${x}`));
    return row;
  }

  const other = population === '1' ? undefined : '1';
  for (let rep = 1; rep <= repeats; rep++) {
    for (const n of counts) out.rows.push({ repeat: rep, ...(await group(n, population)) });
    if (compare) for (const n of [1, 3]) out.compare.push({ repeat: rep, ...(await group(n, other)) });
  }
  const rowsOf = (list, n) => list.filter((r) => r.members === n);
  const ratio = (list, key, scale = 1) => {
    const one = rowsOf(list, 1);
    return rowsOf(list, 3).map((r, i) => (one[i] ? (scale * r[key]) / one[i][key] : null)).filter((x) => x != null);
  };
  out.ratio3v1 = {
    wall: ratio(out.rows, 'recordsPerSecond'),
    /** What 3 members would do with a core each, if each kept its records per CPU-second: 3 x eff(3) / eff(1). */
    perLoopCpuSecond: ratio(out.rows, 'recordsPerLoopCpuSecond', 3),
    perProcessCpuSecond: ratio(out.rows, 'recordsPerProcessCpuSecond', 3),
    target: 2.5,
  };
  // A round's cost apart from Kafka, up to 64 members (syncCost.mjs): for the extrapolation.
  const cost = await runProcess(node, [join(repo, 'test/bench/syncCost.mjs')], { cwd: repo });
  const line = cost.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  out.syncCost = cost.code === 0 && line ? { command: 'node test/bench/syncCost.mjs', ...JSON.parse(line) } : { error: cost.stderr.trim().split('\n').slice(-2).join(' | ') };
  out.loadAverage.end = loadavg();
  return out;
}
