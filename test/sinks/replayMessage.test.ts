import { describe, expect, it } from 'vitest';
import { replayMessage } from '../../src/sinks/replayMessage.js';
import type { RawRecord } from '../../src/types.js';

const csvRow = (index: number, values: string[]): RawRecord => ({ index, position: `f.csv:${index + 2}`, raw: values.join(','), values, columns: ['a', 'b', 'k', 'y'] });

describe('replayMessage', () => {
  it('without a label column: the whole record, keyed by the key column or null', () => {
    const row = csvRow(3, ['1.5', 'x', 'k7', '1']);
    expect(replayMessage(row, { format: 'json' })).toEqual({ features: { key: null, value: '{"a":1.5,"b":"x","k":"k7","y":1}' } });
    expect(replayMessage(row, { format: 'csv', keyColumn: 'k' })).toEqual({ features: { key: 'k7', value: '1.5,x,k7,1' } });
  });

  it('with a label column: features without it, {"label": value} with the same key (the index when no key column)', () => {
    const row = csvRow(3, ['1.5', 'x', 'k7', '1']);
    expect(replayMessage(row, { format: 'json', labelColumn: 'y', indexKeys: true })).toEqual({
      features: { key: '3', value: '{"a":1.5,"b":"x","k":"k7"}' },
      label: { key: '3', value: '{"label":1}' },
    });
    expect(replayMessage(row, { format: 'csv', keyColumn: 'k', labelColumn: 'y', indexKeys: true })).toEqual({
      features: { key: 'k7', value: '1.5,x,k7' },
      label: { key: 'k7', value: '{"label":1}' },
    });
    // Any column can be the label; text labels stay text.
    expect(replayMessage(csvRow(0, ['2', 'UP', 'k', '0']), { format: 'json', labelColumn: 'b', indexKeys: true }).label).toEqual({ key: '0', value: '{"label":"UP"}' });
  });

  it('a record with an empty key value, or one the source could not split, is keyed by its index; the latter has no label', () => {
    expect(replayMessage(csvRow(8, ['1', '2', '', '0']), { format: 'json', keyColumn: 'k', labelColumn: 'y', indexKeys: true }).features.key).toBe('8');
    const broken: RawRecord = { index: 9, position: 'f.csv:11', raw: '1,2', error: { reason: 'column_count', detail: 'expected 4 columns, got 2' } };
    expect(replayMessage(broken, { format: 'json', keyColumn: 'k', labelColumn: 'y', indexKeys: true })).toEqual({ features: { key: '9', value: '1,2' } });
  });

  it('a JSON record missing its label field gets {"label": null}', () => {
    const record: RawRecord = { index: 0, position: 'f.jsonl:1', raw: '{"a":1}', fields: { a: 1 } };
    expect(replayMessage(record, { format: 'json', labelColumn: 'y', indexKeys: true }).label?.value).toBe('{"label":null}');
  });
});
