import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { ConfigError, SourceError } from '../../errors.js';
import type { Logger } from '../../telemetry/logger.js';

/** SASL mechanisms the broker can be asked for. */
export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/**
 * SASL credentials. The password comes from exactly one of `password` (inline, discouraged),
 * `passwordEnv` (the name of an environment variable) or `passwordFile` (a file holding it).
 */
export interface KafkaSasl {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password?: string;
  readonly passwordEnv?: string;
  readonly passwordFile?: string;
}

/** TLS settings: `ca`, `cert` and `key` are PEM file paths. */
export interface KafkaTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized?: boolean;
}

/** kafkajs retry settings as plain data (milliseconds). */
export interface KafkaRetry {
  readonly initialRetryTime?: number;
  readonly retries?: number;
  readonly maxRetryTime?: number;
}

/**
 * How to reach and authenticate to the brokers: plain data, safe to keep in a config (log it
 * only through {@link redactKafkaSettings}).
 */
export interface KafkaSettings {
  /** Bootstrap addresses, `host:port`. */
  readonly brokers: readonly string[];
  /** Default `streamtune`. */
  readonly clientId?: string;
  /** `true` for TLS with the system CAs, or files and options. */
  readonly ssl?: boolean | KafkaTls;
  readonly sasl?: KafkaSasl;
  /** TCP connect timeout (kafkajs `connectionTimeout`, default 1000). */
  readonly connectionTimeoutMs?: number;
  readonly retry?: KafkaRetry;
}

/** Default kafkajs client id. */
export const DEFAULT_CLIENT_ID = 'streamtune';

/**
 * A copy of the settings that is safe to log: the inline SASL password becomes `***`.
 *
 * @example
 * log.info({ kafka: redactKafkaSettings(settings) }, 'connecting');
 * // { brokers: [...], sasl: { mechanism: 'plain', username: 'u', password: '***' } }
 */
export function redactKafkaSettings(settings: KafkaSettings): KafkaSettings {
  const copy: KafkaSettings = {
    ...settings,
    brokers: [...settings.brokers],
    ...(typeof settings.ssl === 'object' ? { ssl: { ...settings.ssl } } : {}),
    ...(settings.retry ? { retry: { ...settings.retry } } : {}),
  };
  if (!settings.sasl) return copy;
  return {
    ...copy,
    sasl: { ...settings.sasl, ...(settings.sasl.password === undefined ? {} : { password: '***' }) },
  };
}

/**
 * The SASL password from its one source (inline, environment variable or file). Throws a
 * ConfigError naming the variable or file, never the secret.
 *
 * @example
 * resolveSaslPassword({ mechanism: 'plain', username: 'u', passwordEnv: 'KAFKA_PASSWORD' }); // process.env.KAFKA_PASSWORD
 */
export function resolveSaslPassword(sasl: KafkaSasl, env: NodeJS.ProcessEnv = process.env): string {
  const sources = [sasl.password, sasl.passwordEnv, sasl.passwordFile].filter((s) => s !== undefined).length;
  if (sources !== 1) {
    throw new ConfigError(
      `kafka.sasl: give the password of user "${sasl.username}" in exactly one of "passwordEnv" (an environment variable), "passwordFile" or "password", got ${sources}`,
    );
  }
  if (sasl.password !== undefined) return sasl.password;
  if (sasl.passwordEnv !== undefined) {
    const value = env[sasl.passwordEnv];
    if (value === undefined || value === '') {
      throw new ConfigError(
        `kafka.sasl.passwordEnv: environment variable "${sasl.passwordEnv}" (password of user "${sasl.username}") is not set or empty`,
      );
    }
    return value;
  }
  const path = sasl.passwordFile!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `kafka.sasl.passwordFile: cannot read "${path}" (password of user "${sasl.username}"): ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause },
    );
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new ConfigError(`kafka.sasl.passwordFile: "${path}" is empty`);
  return password;
}

/**
 * The one place a kafkajs client is made (source, topic writers and replay): resolves the SASL
 * password, reads the TLS files, and sends kafkajs warnings and errors to the logger (nothing is
 * logged without one). `overrides` are raw kafkajs settings laid over those (replay's pass-through
 * option); the brokers of `settings` always win.
 *
 * @example
 * const kafka = createKafka({ brokers: ['127.0.0.1:9094'], sasl: { mechanism: 'scram-sha-256', username: 'u', passwordEnv: 'PW' } }, log);
 * const admin = kafka.admin();
 */
export function createKafka(settings: KafkaSettings, logger?: Logger, overrides: Partial<KafkaConfig> = {}): Kafka {
  if (settings.brokers.length === 0) throw new ConfigError('kafka.brokers: give at least one broker, e.g. 127.0.0.1:9092');
  const config: KafkaConfig = {
    clientId: settings.clientId ?? DEFAULT_CLIENT_ID,
    brokers: [...settings.brokers],
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    ...(logger ? { logCreator: () => (entry: LogEntry) => logKafkaEntry(logger, entry) } : {}),
  };
  if (settings.connectionTimeoutMs !== undefined) config.connectionTimeout = settings.connectionTimeoutMs;
  if (settings.retry) config.retry = { ...settings.retry };
  if (settings.ssl !== undefined) config.ssl = typeof settings.ssl === 'boolean' ? settings.ssl : tlsOptions(settings.ssl);
  if (settings.sasl) {
    const { mechanism, username } = settings.sasl;
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) {
      throw new ConfigError(`kafka.sasl.mechanism: "${mechanism}" is not supported; use plain, scram-sha-256 or scram-sha-512`);
    }
    config.sasl = { mechanism, username, password: resolveSaslPassword(settings.sasl) } as SASLOptions;
  }
  return new Kafka({ ...config, ...overrides, brokers: config.brokers });
}

function tlsOptions(tls: KafkaTls): ConnectionOptions {
  const read = (field: 'ca' | 'cert' | 'key'): Buffer | undefined => {
    const path = tls[field];
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (cause) {
      throw new ConfigError(
        `kafka.ssl.${field}: cannot read "${path}": ${(cause as NodeJS.ErrnoException).code ?? 'error'}; give the path of a PEM file`,
        { cause },
      );
    }
  };
  const options: ConnectionOptions = {};
  const ca = read('ca');
  const cert = read('cert');
  const key = read('key');
  if (ca) options.ca = [ca];
  if (cert) options.cert = cert;
  if (key) options.key = key;
  if (tls.rejectUnauthorized !== undefined) options.rejectUnauthorized = tls.rejectUnauthorized;
  return options;
}

function logKafkaEntry(logger: Logger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _logger, stack: _stack, ...fields } = log;
  const entry = { kafkajs: namespace, ...fields };
  if (level === logLevel.ERROR) logger.error(entry, `kafkajs: ${message}`);
  else if (level === logLevel.WARN) logger.warn(entry, `kafkajs: ${message}`);
}

/**
 * The first line of a kafkajs error's message, with the SASL password cut out if it ever appears.
 *
 * @example
 * log.warn(`commit failed: ${kafkaErrorLine(error, settings)}`);
 */
export function kafkaErrorLine(error: unknown, settings: KafkaSettings): string {
  const text = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  let secret: string | undefined;
  try {
    secret = settings.sasl ? resolveSaslPassword(settings.sasl) : undefined;
  } catch {
    secret = undefined;
  }
  return secret ? text.split(secret).join('***') : text;
}

/**
 * A connect failure at startup as one clear, non-retriable SourceError: brokers, SASL mechanism
 * and user, never the password.
 *
 * @example
 * await admin.connect().catch((error) => { throw kafkaConnectError(settings, error); });
 */
export function kafkaConnectError(settings: KafkaSettings, error: unknown): SourceError {
  const brokers = settings.brokers.join(',');
  const name = error instanceof Error ? error.name : '';
  const sasl = settings.sasl;
  if (name === 'KafkaJSSASLAuthenticationError' && sasl) {
    return new SourceError(
      `cannot authenticate to Kafka at ${brokers} with SASL ${sasl.mechanism} as user "${sasl.username}": ${kafkaErrorLine(error, settings)}; check the user and password`,
      { cause: error, retriable: false },
    );
  }
  const auth = sasl ? ` (SASL ${sasl.mechanism} as user "${sasl.username}")` : '';
  return new SourceError(
    `cannot connect to Kafka at ${brokers}${auth}: ${kafkaErrorLine(error, settings)}; check that the brokers are up and the address, port, TLS and SASL settings`,
    { cause: error, retriable: false },
  );
}

/**
 * A missing source topic as a non-retriable SourceError naming it and how to create it.
 *
 * @example
 * if (!(await admin.listTopics()).includes('elec2')) throw kafkaMissingTopicError(settings, ['elec2']);
 */
export function kafkaMissingTopicError(settings: KafkaSettings, missing: readonly string[]): SourceError {
  const topic = missing[0]!;
  return new SourceError(
    `Kafka topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist on ${settings.brokers.join(',')}; ` +
      `create it with "streamtune replay <file> --topic ${topic}" or "kafka-topics.sh --bootstrap-server ${settings.brokers[0]} --create --topic ${topic} --partitions 3"`,
    { retriable: false },
  );
}

/** Brokers and topics named by a `kafka://` source URI. */
export interface KafkaUri {
  readonly brokers: string[];
  readonly topics: string[];
}

/** Kafka's legal topic names. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const KAFKA_URI_EXAMPLE = 'kafka://127.0.0.1:9092/events (or kafka://host1:9092,host2:9092/topicA,topicB)';

/**
 * Parses `kafka://host:port[,host:port...]/topic[,topic...]`. Throws a ConfigError naming the
 * part that is wrong.
 *
 * @example
 * parseKafkaUri('kafka://127.0.0.1:9092,[::1]:9093/elec2,bikes');
 * // { brokers: ['127.0.0.1:9092', '[::1]:9093'], topics: ['elec2', 'bikes'] }
 */
export function parseKafkaUri(uri: string): KafkaUri {
  const match = /^kafka:\/\/([^/?#]*)(?:\/([^?#]*))?([?#].*)?$/i.exec(uri);
  if (!match) throw new ConfigError(`source "${uri}" is not a Kafka URI; expected ${KAFKA_URI_EXAMPLE}`);
  const [, hosts = '', path = '', rest] = match;
  if (rest !== undefined) {
    throw new ConfigError(`source "${uri}": a Kafka URI takes no query or fragment ("${rest}"); set group, format and security in the config`);
  }
  if (hosts === '') throw new ConfigError(`source "${uri}" names no broker; expected ${KAFKA_URI_EXAMPLE}`);
  const brokers = hosts.split(',').map((broker) => {
    const hostPort = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d+)$/.exec(broker);
    const port = hostPort ? Number(hostPort[2]) : NaN;
    if (!hostPort || !(port >= 1 && port <= 65535)) {
      throw new ConfigError(`source "${uri}": broker "${broker}" must be host:port with a port in 1..65535, e.g. 127.0.0.1:9092`);
    }
    return broker;
  });
  const topics = path.split(',').filter((topic) => topic !== '');
  if (topics.length === 0) throw new ConfigError(`source "${uri}" names no topic; expected ${KAFKA_URI_EXAMPLE}`);
  for (const topic of topics) {
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
      throw new ConfigError(
        `source "${uri}": "${topic}" is not a valid Kafka topic name (1-249 characters of a-z, A-Z, 0-9, ".", "_", "-")`,
      );
    }
  }
  return { brokers, topics: [...new Set(topics)] };
}
