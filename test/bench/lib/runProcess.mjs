/* global process, setInterval, clearInterval, setTimeout, clearTimeout, fetch, performance */
/**
 * Runs a command as a child process and measures it: wall time, the peak resident set (VmHWM
 * from /proc, sampled), and optionally periodic scrapes of its Prometheus /metrics (found from
 * the "metrics on http://..." log line).
 *
 * @example
 * const run = await runProcess(process.execPath, ['dist/src/cli.js', 'train'], { scrapeEveryMs: 2000 });
 * run.code; run.wallSeconds; run.peakRssBytes; run.samples; // [{ t, rss, tensors, records }, ...]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** VmHWM and VmRSS of a live process, in bytes (undefined once it is gone or off Linux). */
export function procMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return undefined;
  }
}

/** One value of a metric in Prometheus text (the sum over its series when labels are not given). */
export function metricValue(text, name, labels) {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    if (labels && !(m[2] ?? '').includes(labels)) continue;
    sum += Number(m[3]);
    found = true;
  }
  return found ? sum : undefined;
}

/** Children still running, so that an interrupted bench can end them (see killChildren). */
const live = new Set();

/** Sends SIGTERM to every child process still running. */
export function killChildren() {
  for (const child of live) child.kill('SIGTERM');
}

export function runProcess(command, args, options = {}) {
  const { env, cwd, scrapeEveryMs, sampleEveryMs = 250, timeoutMs = 30 * 60_000, onStdout } = options;
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let metricsUrl;
    const samples = [];
    child.stdout.on('data', (d) => {
      stdout += d.toString();
      onStdout?.(d.toString(), child);
    });
    child.stderr.on('data', (d) => {
      stderr += d.toString();
      if (stderr.length > 4_000_000) stderr = stderr.slice(-1_000_000);
      metricsUrl ??= /metrics on (http:\/\/[^/\s"]+)\/metrics/.exec(stderr)?.[1];
    });
    const memTimer = setInterval(() => {
      const mem = procMemory(child.pid);
      if (mem && mem.hwm > peak) peak = mem.hwm;
    }, sampleEveryMs);
    let scraping = false;
    const scrapeTimer =
      scrapeEveryMs &&
      setInterval(async () => {
        if (!metricsUrl || scraping) return;
        scraping = true;
        try {
          const text = await (await fetch(`${metricsUrl}/metrics`)).text();
          samples.push({
            t: (performance.now() - started) / 1000,
            rss: metricValue(text, 'process_resident_memory_bytes'),
            heap: metricValue(text, 'nodejs_heap_size_used_bytes'),
            tensors: metricValue(text, 'streamtune_tensors'),
            records: metricValue(text, 'streamtune_records_total'),
            lag: metricValue(text, 'streamtune_kafka_lag'),
          });
        } catch {
          // the process may be finishing; the next scrape (if any) tries again
        } finally {
          scraping = false;
        }
      }, scrapeEveryMs);
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      live.delete(child);
      clearInterval(memTimer);
      if (scrapeTimer) clearInterval(scrapeTimer);
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, wallSeconds: (performance.now() - started) / 1000, peakRssBytes: peak || undefined, samples });
    });
  });
}
