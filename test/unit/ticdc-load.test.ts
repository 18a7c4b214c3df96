/**
 * What the real-Kafka roll tests accept of TiCDC's client's failed sends (test/kafka/ticdc-check.ts): only a
 * leader move Sarama did not see within its retries, as Sarama v1.61.1 words it (errors.go), never anything else.
 */
import { describe, expect, it } from 'vitest';
import { TICDC_RETRIABLE } from '../kafka/ticdc-check';

describe("TiCDC's client's failed sends a roll may cause", () => {
  it.each([
    // seen in a roll on this machine (roll.test.ts, 2026-12-02)
    'sarama-dna6f0o5pqfw-0001049: kafka server: Tried to send a message to a replica that is not the leader for some partition. Your metadata is out of date',
    'sarama-x-0000001: kafka server: In the middle of a leadership election, there is currently no leader for this partition and hence it is unavailable for writes',
  ])('a leader move: %s', (failure) => {
    expect(TICDC_RETRIABLE.test(failure)).toBe(true);
  });

  it.each([
    'sarama-x-0000001: kafka server: Messages are rejected since there are fewer in-sync replicas than required',
    'sarama-x-0000001: kafka: client has run out of available brokers to talk to: dial tcp 127.0.2.1:9093: connect: connection refused',
    'sarama-x-0000001: kafka server: The request attempted to perform an operation on an invalid topic',
  ])('anything else is not: %s', (failure) => {
    expect(TICDC_RETRIABLE.test(failure)).toBe(false);
  });
});
