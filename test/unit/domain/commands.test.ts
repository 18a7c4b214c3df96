/**
 * What a broker runs, decided from its Run Command history and — once SSM has forgotten that history
 * (kept for a limited time) — from the applied-config tag on its instance (decideWithRecord).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  brokerCommands,
  type CommandFacts,
  commandComment,
  decideCommand,
  decideWithRecord,
  parseCommandComment,
} from '../../../functions/lib/domain/commands';

const H = 'aaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbb';
const fact = (commandId: string, hash: string, status: string, requestedAt: number): CommandFacts => ({
  commandId,
  purpose: 'configure',
  hash,
  status,
  requestedAt,
});

describe('brokerCommands: the configuration history of one broker', () => {
  it('keeps configure and roll commands; health reads and preferred-leader elections change no configuration', () => {
    // Prepare: every purpose, sent to broker 2 of seed-usw2
    const history = (['configure', 'roll', 'health', 'elect'] as const).map((purpose, i) => ({
      commandId: `c-${purpose}`,
      comment: commandComment(purpose, 'seed-usw2', 2, H),
      status: 'Success',
      requestedAt: i,
    }));
    // Act
    const kept = brokerCommands(history, 'seed-usw2', 2);
    // Assess
    expect(kept.map((c) => c.purpose).sort()).toEqual(['configure', 'roll']);
    expect(parseCommandComment(commandComment('elect', 'seed-usw2', 2, H))?.purpose).toBe('elect');
  });
});

describe('decideCommand (history only)', () => {
  it('skips a configuration whose newest success is this one, waits on one in flight, else sends', () => {
    expect(decideCommand([fact('c2', H, 'Success', 2)], H)).toEqual({ action: 'skip', commandId: 'c2' });
    expect(decideCommand([fact('c2', H, 'InProgress', 2), fact('c1', OTHER, 'Success', 1)], H)).toEqual({
      action: 'wait',
      commandId: 'c2',
    });
    expect(decideCommand([fact('c1', OTHER, 'Success', 1)], H)).toEqual({
      action: 'send',
      appliedHash: OTHER,
    });
    expect(decideCommand([], H)).toEqual({ action: 'send', appliedHash: undefined });
  });
});

describe('decideWithRecord (history, then the applied-config tag)', () => {
  it('with the history gone, the tag says the broker runs this configuration: nothing to send', () => {
    expect(decideWithRecord([], H, H)).toEqual({ action: 'recorded' });
  });

  it('with the history gone, the tag names another configuration: it is the applied one', () => {
    expect(decideWithRecord([], H, OTHER)).toEqual({ action: 'send', appliedHash: OTHER });
  });

  it('without history or tag, nothing is known to run', () => {
    expect(decideWithRecord([], H, undefined)).toEqual({ action: 'send', appliedHash: undefined });
  });

  it('a success still in the history is newer than the tag (the tag is written after it)', () => {
    // Prepare: the tag write after c2 did not happen (the Lambda stopped); the tag still says H
    const history = [fact('c2', OTHER, 'Success', 2)];
    // Act + Assess
    expect(decideWithRecord(history, H, H)).toEqual({ action: 'send', appliedHash: OTHER });
    expect(decideWithRecord(history, OTHER, H)).toEqual({ action: 'skip', commandId: 'c2' });
  });

  it('a command of this configuration that failed since the tag means: send again (the restart may not have happened)', () => {
    expect(decideWithRecord([fact('c3', H, 'Failed', 3)], H, H)).toEqual({ action: 'send', appliedHash: H });
  });

  it('a command of this configuration in flight is waited on, whatever the tag', () => {
    expect(decideWithRecord([fact('c3', H, 'Pending', 3)], H, OTHER)).toEqual({
      action: 'wait',
      commandId: 'c3',
    });
  });

  it('property: with the history intact the tag changes nothing; with it gone only the tag decides', () => {
    const hash = fc.constantFrom(H, OTHER, 'cccccccccccccccc');
    const status = fc.constantFrom('Success', 'Failed', 'InProgress', 'Pending', 'Cancelled', 'TimedOut');
    const history = fc
      .array(fc.tuple(hash, status), { maxLength: 6 })
      .map((rows) => rows.map(([h, s], i) => fact(`c${i}`, h, s, 100 - i)));
    fc.assert(
      fc.property(history, hash, fc.option(hash, { nil: undefined }), (facts, planned, tag) => {
        const withRecord = decideWithRecord(facts, planned, tag);
        const alone = decideCommand(facts, planned);
        if (facts.some((c) => c.status === 'Success')) expect(withRecord).toEqual(alone);
        if (facts.length === 0)
          expect(withRecord).toEqual(
            tag === planned ? { action: 'recorded' } : { action: 'send', appliedHash: tag },
          );
      }),
    );
  });
});
