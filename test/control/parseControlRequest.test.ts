import { describe, expect, it } from 'vitest';
import { alertRequests } from '../../src/control/alertRequests.js';
import { checkBounds, controlBounds } from '../../src/control/controlBounds.js';
import { parseControlRequest } from '../../src/control/parseControlRequest.js';
import { parseConfig } from '../../src/config.js';
import { ControlError } from '../../src/errors.js';

/** The field a ControlError names, or 'no error'. */
function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ControlError) return error.field;
    throw error;
  }
  return 'no error';
}

describe('parseControlRequest', () => {
  it('accepts every action with its arguments and says who asked', () => {
    expect(parseControlRequest({ action: 'pause-learning' }, '10.0.0.1')).toEqual({ action: 'pause-learning', who: 'api 10.0.0.1' });
    expect(parseControlRequest({ action: 'set', learningRate: 0.01, who: 'ana@ops' }, '10.0.0.1')).toEqual({
      action: 'set',
      learningRate: 0.01,
      who: 'ana@ops (api 10.0.0.1)',
    });
    expect(parseControlRequest({ action: 'rollback', beforeRecords: 500, beforeTime: '2025-01-01T12:00:00+01:00' }, 'x')).toEqual({
      action: 'rollback',
      beforeRecords: 500,
      beforeTime: '2025-01-01T11:00:00.000Z',
      who: 'api x',
    });
    for (const action of ['resume-learning', 'reset-scaler', 'checkpoint-now']) expect(parseControlRequest({ action }, 'x').action).toBe(action);
  });

  it('names the field of a bad request', () => {
    expect(fieldOf(() => parseControlRequest('pause', 'x'))).toBe('body');
    expect(fieldOf(() => parseControlRequest({}, 'x'))).toBe('action');
    expect(fieldOf(() => parseControlRequest({ action: 'jump' }, 'x'))).toBe('action');
    expect(fieldOf(() => parseControlRequest({ action: 'pause-learning', learningRate: 1 }, 'x'))).toBe('learningRate');
    expect(fieldOf(() => parseControlRequest({ action: 'set' }, 'x'))).toBe('learningRate');
    expect(fieldOf(() => parseControlRequest({ action: 'set', learningRate: '0.1' }, 'x'))).toBe('learningRate');
    expect(fieldOf(() => parseControlRequest({ action: 'set', learningRate: -1 }, 'x'))).toBe('learningRate');
    expect(fieldOf(() => parseControlRequest({ action: 'set', l2: -0.1 }, 'x'))).toBe('l2');
    expect(fieldOf(() => parseControlRequest({ action: 'rollback', beforeRecords: 1.5 }, 'x'))).toBe('beforeRecords');
    expect(fieldOf(() => parseControlRequest({ action: 'rollback', beforeTime: 'yesterday' }, 'x'))).toBe('beforeTime');
    expect(fieldOf(() => parseControlRequest({ action: 'reset-scaler', who: 'a\nb' }, 'x'))).toBe('who');
  });
});

describe('controlBounds', () => {
  it("takes the population's ranges tightened by the tuner's global bounds", () => {
    expect(controlBounds(parseConfig({ source: 'synth:sea' }))).toEqual({ learningRate: [1e-4, 0.05], l2: [0, 0.01] });
    const tight = controlBounds(parseConfig({ source: 'synth:sea', tuning: { minLr: 0.001, maxLr: 0.01, maxL2: 0.001 } }));
    expect(tight).toEqual({ learningRate: [0.001, 0.01], l2: [0, 0.001] });
    expect(fieldOf(() => checkBounds({ learningRate: 0.02 }, tight))).toBe('learningRate');
    expect(fieldOf(() => checkBounds({ learningRate: 0.0005 }, tight))).toBe('learningRate');
    expect(fieldOf(() => checkBounds({ learningRate: 0.005, l2: 0.002 }, tight))).toBe('l2');
    expect(fieldOf(() => checkBounds({ learningRate: 0.01, l2: 0.001 }, tight))).toBe('no error');
  });
});

describe('alertRequests', () => {
  const actions = { StreamtuneHoldoutLossRising: 'rollback', StreamtuneNonFiniteLoss: 'pause-learning' } as const;
  const alert = (name: string, status = 'firing', startsAt = '2025-01-01T00:00:00Z') => ({
    status,
    labels: { alertname: name, instance: 'trainer:9464' },
    startsAt,
    fingerprint: `fp-${name}`,
  });

  it('maps each firing, mapped alert to its action; a rollback goes to before the alert started', () => {
    const body = {
      version: '4',
      status: 'firing',
      alerts: [alert('StreamtuneHoldoutLossRising'), alert('StreamtuneNonFiniteLoss', 'resolved'), alert('StreamtuneDriftDetected'), alert('StreamtuneNonFiniteLoss')],
    };
    expect(alertRequests(body, actions)).toEqual([
      {
        alert: 'StreamtuneHoldoutLossRising',
        key: 'fp-StreamtuneHoldoutLossRising@2025-01-01T00:00:00.000Z',
        request: { action: 'rollback', who: 'alertmanager StreamtuneHoldoutLossRising', beforeTime: '2025-01-01T00:00:00.000Z' },
      },
      {
        alert: 'StreamtuneNonFiniteLoss',
        key: 'fp-StreamtuneNonFiniteLoss@2025-01-01T00:00:00.000Z',
        request: { action: 'pause-learning', who: 'alertmanager StreamtuneNonFiniteLoss' },
      },
    ]);
  });

  it('names the field of what is not a version 4 notification', () => {
    expect(fieldOf(() => alertRequests([], actions))).toBe('body');
    expect(fieldOf(() => alertRequests({ version: '3', alerts: [] }, actions))).toBe('version');
    expect(fieldOf(() => alertRequests({ version: '4' }, actions))).toBe('alerts');
    expect(fieldOf(() => alertRequests({ version: '4', alerts: [{ status: 'firing', labels: {} }] }, actions))).toBe('alerts[0].labels.alertname');
  });
});
