/* global console, performance, setTimeout */
/**
 * Produces rows of a CSV file (cycled) into a Kafka topic at a steady rate, as JSON messages
 * that carry `t_produce` (ms since the epoch, sub-millisecond, taken just before the send) in a
 * field that is not a feature. Prints one JSON line with what it sent.
 *
 * @example
 * node test/bench/producer.mjs --brokers 127.0.0.1:9092 --topic lat --file elec2.csv --rate 2000 --seconds 30
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kafka, Partitioners, logLevel } from 'kafkajs';

const { values: a } = parseArgs({
  options: {
    brokers: { type: 'string' },
    topic: { type: 'string' },
    file: { type: 'string' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '30' },
    tick: { type: 'string', default: '5' },
  },
});
const rate = Number(a.rate);
const total = Math.round(rate * Number(a.seconds));
const [head, ...lines] = readFileSync(a.file, 'utf8').trim().split('\n');
const names = head.split(',');
const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], Number(v)])));
const now = () => performance.timeOrigin + performance.now();

const kafka = new Kafka({ clientId: 'bench-producer', brokers: a.brokers.split(','), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const start = performance.now();
let sent = 0;
let sends = 0;
let late = 0;
while (sent < total) {
  const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
  if (due > sent) {
    const t = now();
    const messages = [];
    for (; sent < due; sent++) messages.push({ value: JSON.stringify({ ...rows[sent % rows.length], t_produce: t }) });
    if (messages.length > rate / 50) late++;
    await producer.send({ topic: a.topic, acks: 1, messages });
    sends++;
  } else {
    await new Promise((resolve) => setTimeout(resolve, Number(a.tick)));
  }
}
const seconds = (performance.now() - start) / 1000;
await producer.disconnect();
console.log(JSON.stringify({ sent, seconds, rate: sent / seconds, sends, lateSends: late }));
