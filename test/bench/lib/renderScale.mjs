/**
 * The Markdown of the bench's `scale` section (scale.mjs): per N syncing trainer processes, wall
 * time, records/s in all and per member, CPU per member, records per CPU-second, the merged
 * accuracy, what the sync topic carried, and the ratio 3 members / 1 member.
 *
 * @example
 * out.push(...renderScale(result.scale, result));
 */
const int = (x) => (x == null || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const f = (x, d = 4) => (x == null || !Number.isFinite(Number(x)) ? '–' : Number(x).toFixed(d));
const kib = (b) => (b == null ? '–' : `${(b / 1024).toFixed(1)} KiB`);
const list = (xs, d = 2) => (xs?.length ? xs.map((x) => `${f(x, d)}×`).join(', ') : '–');

const TITLE = '## Scale-out: syncing trainers in one group (issue 14)';

/** "yes", or how far the members' sum is from the topic's messages. */
const once = (r, messages) => (r.learnedOnceCheck ? 'yes' : `NO: ${r.records < messages ? `${int(messages - r.records)} missing` : `${int(r.records - messages)} twice`}`);

function table(rows, cores, messages) {
  const sorted = [...rows].sort((a, b) => a.members - b.members || a.repeat - b.repeat);
  return [
    `| members N | run | population | records (each message learned once?) | wall s | records/s in all | records/s per member | CPU s per member (loop / process) | records per CPU-s (loop / process) | machine busy CPU s (${cores} cores, broker included) | accuracy (record-weighted) | sync rounds | ms per round | sync message (raw / gzip) | "took over" log lines |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...sorted.map(
      (r) =>
        `| ${r.members} | ${r.repeat} | ${r.population} | ${int(r.records)} (${once(r, messages)})${r.failed?.length ? `; FAILED ${r.failed.join('; ')}` : ''} | ${f(r.wallSeconds, 1)} | ${int(r.recordsPerSecond)} | ${int(r.perMemberRecordsPerSecond)} | ${f(r.loopCpuSecondsPerMember, 2)} / ${f(r.processCpuSecondsPerMember, 2)} | ${int(r.recordsPerLoopCpuSecond)} / ${int(r.recordsPerProcessCpuSecond)} | ${f(r.machineCpuSeconds, 1)} | ${f(r.accuracy)} | ${r.syncRounds} | ${f(r.syncRoundMs, 2)} | ${kib(r.sync?.meanBytes)} / ${kib(r.sync?.gzipBytes)} | ${r.tookOver} |`,
    ),
  ];
}

export function renderScale(s, r = {}) {
  if (s.error) return [TITLE, '', `FAILED: ${s.error}`, ''];
  const cores = s.cores ?? r.machine?.nproc ?? '?';
  const out = [TITLE, ''];
  out.push(
    `Generated ${r.generated ?? ''} by \`${r.command ?? 'npm run bench'}\` on **${cores} cores** (${r.machine?.cpu ?? 'CPU unknown'}), shared with other jobs: load average ${s.loadAverage.start.map((x) => x.toFixed(1)).join(' / ')} at the start of the section, ${s.loadAverage.end.map((x) => x.toFixed(1)).join(' / ')} at its end. ` +
      `Topic: Elec2, ${int(s.topic.records)} rows, ${s.topic.partitions} partitions (${s.replay ?? 'replayed'}; the topic holds ${int(s.topic.messages)} messages${s.topic.messages !== s.topic.records ? ': the replay\'s producer is not idempotent and wrote some batches twice under load; "all learned once" is against the topic' : ''}). Every trainer: \`node dist/src/cli.js train --source kafka://BROKER/TOPIC --group G --stop-at-end --label class --sync kafka://BROKER/G-sync --sync-every ${s.syncEvery} --member-id mK --checkpoint-dir ROOT --summary-json mK.summary.json --metrics-port 0 --progress off${s.population === 'default' ? '' : ` --population ${s.population}`}\`.`,
    '',
    ...table(s.rows, cores, s.topic.messages),
    '',
  );
  const ratio = s.ratio3v1;
  out.push(
    `**3 members vs 1 member throughput**: wall clock ${list(ratio.wall)} on ${cores} cores; per CPU-second (3 × records per loop CPU-second of the 3-member run / that of the 1-member run: what 3 members would do with a core each) ${list(ratio.perLoopCpuSecond)} (whole process, start-up included: ${list(ratio.perProcessCpuSecond)}); target ${ratio.target}× when the trainer, not the broker, is the bottleneck. ` +
      `On ${cores} cores, 3 trainer processes and the broker share ${cores} cores, so the wall ratio cannot reach 3; no --rate was used.`,
    '',
  );
  if (s.compare?.length) {
    out.push(`The other population setting at N = 1 and 3, same topic, same flags (the choice of \`${s.population}\` for the table above):`, '', ...table(s.compare, cores, s.topic.messages), '');
  }
  out.push(`How: ${s.method}`, '');
  const c = s.syncCost;
  if (c?.error) out.push(`Sync round cost: FAILED ${c.error}`, '');
  else if (c?.rows?.length) {
    out.push(
      `### A sync round apart from Kafka, up to 64 members`,
      '',
      `\`${c.command}\`: ${c.model}; median of ${c.repeats} runs each, one process. Per round a member encodes its message once, decodes each peer's (on arrival) and merges the M − 1 peers' models (on the pipeline's turn).`,
      '',
      '| population | members M | message (raw / gzip) | encode ms | decode ms (one message) | merge ms (M − 1 peers) | decode + merge ms per round |',
      '|---|---|---|---|---|---|---|',
      ...c.rows.map((x) => `| ${x.population} | ${x.members} | ${kib(x.messageBytes)} / ${kib(x.gzipBytes)} | ${f(x.encodeMs, 3)} | ${f(x.decodeMs, 3)} | ${f(x.mergeMs, 3)} | ${f(x.decodeMs * (x.members - 1) + x.mergeMs, 2)} |`),
      '',
    );
  }
  return out;
}
