import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exitWithin } from '../support/exitWithin.js';
import { readSummary } from '../support/readSummary.js';
import { runCli } from '../support/runCli.js';
import { seededRandom } from '../support/seededRandom.js';
import { committedOffsets, consumeAll, createTopic, deleteTopics, endOffsets, produceMessages, uniqueName } from '../support/topics.js';

// SASL end to end: the CLI authenticates with PLAIN and SCRAM on the broker's SASL_PLAINTEXT
// listener (users in docker/kafka/README.md); the topics are set up over the PLAINTEXT listener.
const brokers = inject('kafkaBrokers');
const saslBrokers = inject('kafkaSaslBrokers');
const tmp = mkdtempSync(join(tmpdir(), 'streamtune-kafka-auth-'));
const PLAIN = { user: 'streamtune', password: 'streamtune-secret' };
const SCRAM = { user: 'streamtune-scram', password: 'scram-secret' };
const topic = uniqueName('sasl');
const deadTopics: string[] = [];
const VALID = 1500;
const POISON = ['{"x1": 1, "x2": "oops", "x3": 2, "y": 0}', '{"x1": 1, "x2": 2, "x3": 3}'];

/** A config file with the SASL section (never the password itself). */
function saslConfig(name: string, sasl: Record<string, string>): string {
  const path = join(tmp, `${name}.yaml`);
  const fields = Object.entries(sasl).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  writeFileSync(path, `kafka:\n  sasl: { ${fields.join(', ')} }\n`);
  return path;
}

/** Runs `streamtune train` over SASL to the end of the topic, with the given extra environment. */
function trainOverSasl(name: string, config: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []) {
  return runCli(
    [
      'train', '--config', config, '--source', `kafka://${saslBrokers}/${topic}`, '--group', uniqueName(`${name}-group`),
      '--stop-at-end', '--metrics-port', '0', '--progress', 'off', '--features', 'x1,x2,x3', '--label', 'y',
      '--summary-json', join(tmp, `${name}.summary.json`), '--dead-letter', join(tmp, `${name}.dead.jsonl`), ...extra,
    ],
    { env: { STREAMTUNE_KAFKA_PASSWORD: '', ...env } },
  );
}

/** The group a run used (its `--group` value). */
const groupOf = (args: readonly string[]): string => args[args.indexOf('--group') + 1]!;

beforeAll(async () => {
  await createTopic(brokers, topic, 3);
  const rand = seededRandom(99);
  const values = Array.from({ length: VALID }, () => {
    const [x1, x2, x3] = [rand() * 10, rand() * 10, rand() * 10];
    return JSON.stringify({ x1, x2, x3, y: x1 + x2 <= 8 ? 1 : 0 });
  });
  values.splice(500, 0, POISON[0]!);
  values.splice(1000, 0, POISON[1]!);
  await produceMessages(brokers, topic, values.map((value, i) => ({ partition: i % 3, key: `k${i}`, value })));
});

afterAll(async () => {
  await deleteTopics(brokers, [topic, ...deadTopics]);
  rmSync(tmp, { recursive: true, force: true });
});

describe('Kafka SASL authentication (CLI, real broker)', () => {
  const cases = [
    { name: 'scram-sha-256-env', mechanism: 'scram-sha-256', who: SCRAM, from: 'env' },
    { name: 'scram-sha-512-file', mechanism: 'scram-sha-512', who: SCRAM, from: 'file' },
    { name: 'plain-env', mechanism: 'plain', who: PLAIN, from: 'env' },
  ] as const;

  for (const c of cases) {
    it(`trains over SASL ${c.mechanism} (password from ${c.from === 'env' ? 'STREAMTUNE_KAFKA_PASSWORD' : 'passwordFile'}); the password is never printed`, { timeout: 120_000 }, async () => {
      const sasl: Record<string, string> = { mechanism: c.mechanism, username: c.who.user };
      let env: NodeJS.ProcessEnv = {};
      if (c.from === 'env') {
        env = { STREAMTUNE_KAFKA_PASSWORD: c.who.password };
      } else {
        sasl.passwordFile = join(tmp, `${c.name}.password`);
        writeFileSync(sasl.passwordFile, `${c.who.password}\n`, { mode: 0o600 });
      }
      // The dead-letter topic is produced over SASL too.
      const deadTopic = uniqueName(`${c.name}-dlt`);
      deadTopics.push(deadTopic);
      const run = trainOverSasl(c.name, saslConfig(c.name, sasl), env, ['--dead-letter-topic', deadTopic]);
      const { code, stdout, stderr } = await exitWithin(run, 90_000);
      expect(code, stderr).toBe(0);
      const summary = readSummary(join(tmp, `${c.name}.summary.json`));
      expect(summary.records.total).toBe(VALID + POISON.length);
      expect(summary.records.rejected).toBe(POISON.length);
      expect(await committedOffsets(brokers, groupOf(run.child.spawnargs), topic)).toEqual(await endOffsets(brokers, topic));
      const dead = await consumeAll(brokers, deadTopic);
      expect(dead.map((m) => m.value?.toString()).sort()).toEqual([...POISON].sort());
      expect(stdout + stderr).not.toContain(c.who.password);
    });
  }

  it('a wrong password fails fast with one line naming the broker, mechanism and user, and never the password', { timeout: 60_000 }, async () => {
    const wrong = `not-the-Passw0rd-${Math.floor(seededRandom(5)() * 1e9)}`;
    const config = saslConfig('wrong', { mechanism: 'scram-sha-256', username: SCRAM.user });
    const { code, stdout, stderr } = await exitWithin(trainOverSasl('wrong', config, { STREAMTUNE_KAFKA_PASSWORD: wrong }), 15_000);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const lines = stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
    expect(lines, stderr).toHaveLength(1);
    const [line] = lines as [string];
    expect(line).toMatch(/^streamtune: /);
    expect(line).toContain(saslBrokers);
    expect(line.toLowerCase()).toContain('scram-sha-256');
    expect(line).toContain(`"${SCRAM.user}"`);
    expect(line).toMatch(/password|credentials|authenticat/i);
    expect(stdout + stderr).not.toContain(wrong);
    expect(stdout + stderr).not.toContain(SCRAM.password);
  });

  it('a wrong password from a passwordFile fails the same way (plain)', { timeout: 60_000 }, async () => {
    const wrong = 'wrong-plain-password-42';
    const passwordFile = join(tmp, 'wrong-plain.password');
    writeFileSync(passwordFile, wrong, { mode: 0o600 });
    const config = saslConfig('wrong-plain', { mechanism: 'plain', username: PLAIN.user, passwordFile });
    const { code, stdout, stderr } = await exitWithin(trainOverSasl('wrong-plain', config, {}), 15_000);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const lines = stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toContain(saslBrokers);
    expect(lines[0]!.toLowerCase()).toContain('plain');
    expect(lines[0]).toContain(`"${PLAIN.user}"`);
    expect(stdout + stderr).not.toContain(wrong);
  });
});
