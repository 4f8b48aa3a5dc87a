import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cliHelp, helpFlags } from './cliHelp.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DOCKER = join(REPO, 'docker');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  user?: string;
  hostname?: string;
  container_name?: string;
}

const compose = parseYaml(readFileSync(join(DOCKER, 'compose.yml'), 'utf8')) as {
  name: string;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const prometheusConfig = parseYaml(readFileSync(join(DOCKER, 'prometheus/prometheus.yml'), 'utf8')) as {
  rule_files: string[];
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: Array<{
    job_name: string;
    static_configs?: Array<{ targets: string[] }>;
    dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>;
  }>;
};
const alertmanagerConfig = parseYaml(readFileSync(join(DOCKER, 'alertmanager/alertmanager.yml'), 'utf8')) as {
  receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>;
};
const datasources = parseYaml(readFileSync(join(REPO, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
  datasources: Array<{ url: string }>;
};

const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`compose.yml has no service "${name}"`);
  return s;
};
const dependsOn = (s: Service): string[] => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));
const flagsOf = (command: readonly string[]): string[] => command.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0] as string);
const valueOf = (command: readonly string[], flag: string): string | undefined => command[command.indexOf(flag) + 1];
/** Host port range and container port of each `HOST[-LAST]:CONTAINER` mapping. */
const portRanges = (s: Service): Array<{ host: number; last: number; container: number }> =>
  (s.ports ?? []).map((p) => {
    const [hosts = '', container] = String(p).split(':');
    const [host, last = host] = hosts.split('-').map(Number);
    return { host: host as number, last: last as number, container: Number(container) };
  });
/** Host and container port of each `HOST:CONTAINER` mapping (the first host port of a range). */
const ports = (s: Service): Array<{ host: number; container: number }> => portRanges(s).map(({ host, container }) => ({ host, container }));
/** `host:port` from a URL or a target. */
const hostPort = (target: string): { host: string; port: number } => {
  const url = new URL(target.includes('://') ? target : `tcp://${target}`);
  return { host: url.hostname, port: Number(url.port) };
};

describe('docker/compose.yml', () => {
  let trainHelp: Set<string>;
  let replayHelp: Set<string>;
  beforeAll(() => {
    trainHelp = helpFlags(cliHelp('train'));
    replayHelp = helpFlags(cliHelp('replay'));
  }, 120_000);

  it('runs the whole stack: Kafka (and its topic), the replay, the trainer, Prometheus, Alertmanager, its webhook and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['alertmanager', 'grafana', 'kafka', 'kafka-init', 'prometheus', 'replay', 'trainer', 'trainer-hooks'].sort(),
    );
  });

  it('pins every image to a version (no latest), the node one to the Dockerfile base', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect(s.image, name).toMatch(/^[\w./-]+:v?\d+(\.\d+)*[\w.-]*$/);
      if (s.image?.startsWith('node:')) expect(s.image, name).toBe('node:20-bookworm-slim');
      else expect(s.image, `${name}: pin major.minor.patch`).toMatch(/:v?\d+\.\d+\.\d+$/);
    }
    expect(service('kafka').image).toMatch(/^apache\/kafka:3\.9\.[01]$/);
  });

  it('builds the trainer and the replay from docker/Dockerfile with the repository as context', () => {
    for (const name of ['trainer', 'replay']) {
      const build = service(name).build;
      expect(build, name).toBeDefined();
      expect(resolve(DOCKER, build?.context ?? '')).toBe(resolve(REPO));
      expect(existsSync(join(resolve(DOCKER, build?.context ?? ''), build?.dockerfile ?? ''))).toBe(true);
    }
  });

  it('configures Kafka as a single KRaft node that the other services reach at kafka:9092', () => {
    const env = service('kafka').environment ?? {};
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_NODE_ID).toBe(1);
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka:9093');
    expect(String(env.KAFKA_CONTROLLER_LISTENER_NAMES)).toBe('CONTROLLER');
    expect(String(env.KAFKA_ADVERTISED_LISTENERS)).toContain('PLAINTEXT://kafka:9092');
    expect(String(env.KAFKA_LISTENERS)).toContain('CONTROLLER://:9093');
    // every listener has a protocol
    const protocols = new Set(String(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).split(',').map((p) => p.split(':')[0]));
    for (const listener of String(env.KAFKA_LISTENERS).split(',')) expect(protocols.has(listener.split(':')[0])).toBe(true);
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(1);
    expect(service('kafka').healthcheck?.test?.join(' ')).toContain('localhost:9092');
  });

  it('runs the trainer on the elec2 topic with flags that `streamtune train --help` lists', () => {
    const trainer = service('trainer');
    const command = trainer.command ?? [];
    expect(command[0]).toBe('train');
    const unknown = flagsOf(command).filter((f) => !trainHelp.has(f));
    expect(unknown).toEqual([]);
    expect(valueOf(command, '--source')).toBe('kafka://kafka:9092/elec2');
    expect(valueOf(command, '--group')).toBe('trainer');
    expect(valueOf(command, '--metrics-host')).toBe('0.0.0.0');
    // checkpoints land on the trainer's volume
    const checkpointDir = valueOf(command, '--checkpoint-dir') ?? '';
    expect(checkpointDir).toBe('/data/checkpoints');
    const mounts = (trainer.volumes ?? []).map((v) => v.split(':'));
    expect(mounts.some(([source, target]) => source !== undefined && source in compose.volumes && checkpointDir.startsWith(`${target}/`))).toBe(true);
    expect(ports(trainer)).toContainEqual({ host: 9464, container: 9464 });
  });

  it('scales the trainer (`--scale trainer=3`): members of one group that sync, named by host name, sharing one checkpoint volume', () => {
    const trainer = service('trainer');
    const command = trainer.command ?? [];
    // sync through a topic of the same broker as the source, every N records
    const source = valueOf(command, '--source') ?? '';
    const sync = valueOf(command, '--sync') ?? '';
    expect(sync).toMatch(/^kafka:\/\/[^/]+\/[\w.-]+$/);
    expect(hostPort(sync).host).toBe(hostPort(source).host);
    expect(hostPort(sync).port).toBe(hostPort(source).port);
    expect(new URL(sync).pathname).not.toBe(new URL(source).pathname);
    expect(Number(valueOf(command, '--sync-every'))).toBeGreaterThan(0);
    expect(valueOf(command, '--group')).toBeDefined();
    // distinct member ids: the container host name (no --member-id, no fixed hostname or container name)
    expect(command).not.toContain('--member-id');
    expect(Object.keys(trainer.environment ?? {}).filter((k) => /MEMBER/i.test(k))).toEqual([]);
    expect(trainer.hostname).toBeUndefined();
    expect(trainer.container_name).toBeUndefined();
    // one checkpoint directory shared by the replicas: on a named volume (bind-free, shared), one subdirectory per member
    const checkpointDir = valueOf(command, '--checkpoint-dir') ?? '';
    const mount = (trainer.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target !== undefined && checkpointDir.startsWith(`${target}/`));
    expect(mount).toBeDefined();
    expect(compose.volumes).toHaveProperty(mount?.[0] ?? '');
    // no fixed host port: three replicas need three host ports
    for (const p of portRanges(trainer)) expect(p.last - p.host + 1, `${p.host}-${p.last}`).toBeGreaterThanOrEqual(3);
    // the flags exist in this build of the CLI
    for (const flag of ['--sync', '--sync-every', '--checkpoint-dir', '--group']) expect(trainHelp.has(flag), flag).toBe(true);
  });

  it('replays data/elec2.csv into the same topic with flags that `streamtune replay --help` lists', () => {
    const command = service('replay').command ?? [];
    expect(command.slice(0, 2)).toEqual(['replay', 'data/elec2.csv']);
    expect(existsSync(join(REPO, 'data/elec2.csv'))).toBe(true);
    expect(flagsOf(command).filter((f) => !replayHelp.has(f))).toEqual([]);
    expect(valueOf(command, '--brokers')).toBe('kafka:9092');
    expect(valueOf(command, '--topic')).toBe('elec2');
    expect(valueOf(command, '--partitions')).toBe('3');
    expect(Number(valueOf(command, '--rate'))).toBeGreaterThan(0);
    // no /healthz in a producer: the image's health check would mark it unhealthy
    expect(service('replay').healthcheck?.disable).toBe(true);
  });

  it('creates the topic before the trainer and the replay start', () => {
    const init = service('kafka-init');
    const args = init.command ?? [];
    expect(init.entrypoint?.[0]).toMatch(/kafka-topics\.sh$/);
    expect(args).toContain('--create');
    expect(valueOf(args, '--topic')).toBe('elec2');
    expect(valueOf(args, '--partitions')).toBe('3');
    for (const name of ['trainer', 'replay']) {
      expect(service(name).depends_on).toEqual({ 'kafka-init': { condition: 'service_completed_successfully' } });
    }
    expect(init.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
  });

  it('mounts only files and folders that exist in the repository, and declares every named volume', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const [source = '', target = ''] = volume.split(':');
        expect(target.startsWith('/'), `${name}: ${volume}`).toBe(true);
        if (source.startsWith('.') || source.startsWith('/')) {
          expect(existsSync(resolve(DOCKER, source)), `${name}: ${source} does not exist`).toBe(true);
        } else {
          expect(compose.volumes, `${name}: volume ${source} is not declared`).toHaveProperty(source);
        }
      }
    }
  });

  it('only depends on services that exist, and has no dependency cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string): void => {
      if (done.has(name)) return;
      expect(visiting.has(name), `dependency cycle through ${name}`).toBe(false);
      visiting.add(name);
      for (const dep of dependsOn(service(name))) visit(dep);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(services)) visit(name);
  });

  it('wires Prometheus to the trainer, the rules and Alertmanager as the services are named', () => {
    const prometheus = service('prometheus');
    const volumes = prometheus.volumes ?? [];
    expect(volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    // rule files are relative to the config file, so they must be mounted beside it
    for (const rules of prometheusConfig.rule_files) {
      expect(volumes).toContain(`./prometheus/${rules}:/etc/prometheus/${rules}:ro`);
    }
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    // every replica of the trainer service: DNS service discovery of its name (one A record each)
    const job = prometheusConfig.scrape_configs.find((j) => j.job_name === 'streamtune');
    expect(job?.static_configs).toBeUndefined();
    const sd = job?.dns_sd_configs ?? [];
    expect(sd).toHaveLength(1);
    expect(sd[0]?.type).toBe('A');
    expect(sd[0]?.names).toEqual(['trainer']);
    expect(services[sd[0]?.names[0] ?? '']).toBeDefined();
    expect(ports(service('trainer')).map((p) => p.container)).toContain(sd[0]?.port);

    const am = hostPort(prometheusConfig.alerting.alertmanagers[0]?.static_configs[0]?.targets[0] ?? '');
    expect(am).toEqual({ host: 'alertmanager', port: 9093 });
    expect(ports(service('alertmanager')).map((p) => p.container)).toContain(9093);
    expect(service('alertmanager').volumes).toContain('./alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro');
  });

  it('sends the webhook to the trainer-hooks service, which listens on that port', () => {
    const url = alertmanagerConfig.receivers.find((r) => r.name === 'webhook')?.webhook_configs?.[0]?.url ?? '';
    expect(url).toBe('http://trainer-hooks:5001/alerts');
    const hooks = service('trainer-hooks');
    expect(String(hooks.environment?.PORT)).toBe(String(hostPort(url).port));
    expect(hooks.command).toEqual(['node', '/hooks/alert-log.mjs']);
    expect(hooks.volumes).toContain('./hooks/alert-log.mjs:/hooks/alert-log.mjs:ro');
    expect(hooks.user).toBe('node');
  });

  it('provisions Grafana (anonymous viewers) with the datasource at the prometheus service', () => {
    const grafana = service('grafana');
    expect(grafana.volumes).toContain('../grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
    expect(ports(grafana)).toContainEqual({ host: 3000, container: 3000 });
    const ds = hostPort(datasources.datasources[0]?.url ?? '');
    expect(ds.host).toBe('prometheus');
    expect(ports(service('prometheus')).map((p) => p.container)).toContain(ds.port);
    const home = String(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    expect(existsSync(join(REPO, 'grafana/dashboards', home.replace('/var/lib/grafana/dashboards/', '')))).toBe(true);
  });

  it('health-checks the services others wait for', () => {
    for (const name of ['kafka', 'prometheus', 'alertmanager', 'grafana']) {
      expect(service(name).healthcheck?.test?.length, name).toBeGreaterThan(0);
    }
    const conditions = Object.values(services).flatMap((s) =>
      Array.isArray(s.depends_on) ? [] : Object.entries(s.depends_on ?? {}).map(([dep, c]) => ({ dep, condition: c.condition })),
    );
    for (const { dep, condition } of conditions) {
      if (condition === 'service_healthy') expect(service(dep).healthcheck?.test, dep).toBeDefined();
    }
  });
});
