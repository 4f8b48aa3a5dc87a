import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const brokers = inject('kafkaBrokers');
const saslBrokers = inject('kafkaSaslBrokers');
const topic = `streamtune-it-broker-${randomUUID()}`;
const messageCount = 100;

const plain = new Kafka({ clientId: 'streamtune-it', brokers: [brokers], logLevel: logLevel.NOTHING });

type Mechanism = SASLOptions['mechanism'];
const users: Record<Mechanism, { username: string; password: string } | undefined> = {
  plain: { username: 'streamtune', password: 'streamtune-secret' },
  'scram-sha-256': { username: 'streamtune-scram', password: 'scram-secret' },
  'scram-sha-512': { username: 'streamtune-scram', password: 'scram-secret' },
  aws: undefined,
  oauthbearer: undefined,
};
const mechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

function saslAdmin(mechanism: (typeof mechanisms)[number], password: string) {
  const user = users[mechanism];
  if (!user) throw new Error(`no user for ${mechanism}`);
  const kafka = new Kafka({
    clientId: `streamtune-it-${mechanism}`,
    brokers: [saslBrokers],
    sasl: { mechanism, username: user.username, password } as SASLOptions,
    retry: { retries: 0 },
    connectionTimeout: 5_000,
    logLevel: logLevel.NOTHING,
  });
  return kafka.admin();
}

describe('project Kafka broker (docker/kafka/kafka.sh)', () => {
  beforeAll(async () => {
    const admin = plain.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });

  afterAll(async () => {
    const admin = plain.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).finally(() => admin.disconnect());
  });

  it('listens on distinct PLAINTEXT and SASL ports on the loopback', () => {
    expect(brokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(saslBrokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(saslBrokers).not.toBe(brokers);
  });

  it('round-trips 100 keyed messages through a 3-partition topic with a consumer group', async () => {
    const expected = new Set(Array.from({ length: messageCount }, (_, i) => `k${i}=v${i}`));

    const producer = plain.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: messageCount }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
      });
    } finally {
      await producer.disconnect();
    }

    const admin = plain.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    expect(offsets).toHaveLength(3);
    const perPartition = offsets.map((o) => Number(o.high) - Number(o.low));
    expect(perPartition.reduce((a, b) => a + b, 0)).toBe(messageCount);
    expect(perPartition.every((n) => n > 0)).toBe(true); // keys spread over all partitions

    const received: string[] = [];
    const consumer = plain.consumer({ groupId: `streamtune-it-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            received.push(`${message.key?.toString()}=${message.value?.toString()}`);
            if (received.length >= messageCount) resolve();
          },
        });
      });
      await Promise.race([
        done,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`consumed only ${received.length}`)), 30_000)),
      ]);
    } finally {
      await consumer.disconnect();
    }
    expect(received).toHaveLength(messageCount);
    expect(new Set(received)).toEqual(expected);
  });

  it.each(mechanisms)('accepts SASL %s with the provisioned user', async (mechanism) => {
    const admin = saslAdmin(mechanism, users[mechanism]?.password ?? '');
    await admin.connect();
    try {
      expect(await admin.listTopics()).toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });

  it.each(mechanisms)('rejects SASL %s with a wrong password quickly', async (mechanism) => {
    const admin = saslAdmin(mechanism, 'wrong-password');
    const started = Date.now();
    const error = await admin.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    await admin.disconnect();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('KafkaJSSASLAuthenticationError');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
