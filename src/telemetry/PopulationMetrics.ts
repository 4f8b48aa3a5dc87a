import { Gauge, type Registry } from 'prom-client';

/** One member as the metrics see it. */
export interface MemberMetrics {
  readonly id: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly batchSize: number;
}

/**
 * The population's gauges, per member (label `member`): its recent loss, learning rate, L2 and
 * batch size, and the champion's id. Registered only for a population of more than one.
 *
 * @example
 * const metrics = new PopulationMetrics(telemetry.registry);
 * metrics.observe(population.status(), population.championId);
 */
export class PopulationMetrics {
  readonly #loss: Gauge<'member'>;
  readonly #learningRate: Gauge<'member'>;
  readonly #l2: Gauge<'member'>;
  readonly #batchSize: Gauge<'member'>;
  readonly #champion: Gauge;

  constructor(registry: Registry) {
    const labelNames = ['member'] as const;
    const registers = [registry];
    this.#loss = new Gauge({
      name: 'streamtune_member_window_loss',
      help: "A population member's recent prequential loss (log loss, or squared error in scaled units; exponential average with half-life tuning.population.halfLife records): what ranks it.",
      labelNames,
      registers,
    });
    this.#learningRate = new Gauge({
      name: 'streamtune_member_learning_rate',
      help: "A population member's own learning rate (before the tuner's scale).",
      labelNames,
      registers,
    });
    this.#l2 = new Gauge({ name: 'streamtune_member_l2', help: "A population member's own L2 strength.", labelNames, registers });
    this.#batchSize = new Gauge({ name: 'streamtune_member_batch_size', help: "A population member's records per Adam step.", labelNames, registers });
    this.#champion = new Gauge({
      name: 'streamtune_population_champion',
      help: 'Id of the champion: the member with the lowest recent loss, whose predictions are scored, served and checkpointed.',
      registers,
    });
  }

  observe(members: readonly MemberMetrics[], champion: number): void {
    for (const m of members) {
      const member = String(m.id);
      if (Number.isFinite(m.loss)) this.#loss.set({ member }, m.loss);
      this.#learningRate.set({ member }, m.learningRate);
      this.#l2.set({ member }, m.l2);
      this.#batchSize.set({ member }, m.batchSize);
    }
    this.#champion.set(champion);
  }
}
