/**
 * How the applied cluster spec is kept in one Parameter Store value. Values are capped: 4,096 characters
 * in the standard tier, 8,192 in the advanced one ("Managing parameter tiers"). A spec that fits the
 * standard tier is stored as its JSON, readable in the console; a larger one (an exposed cluster of many
 * brokers) as `gz1:` + base64 of its gzipped JSON, which repeats itself broker after broker and shrinks
 * about tenfold, so it stays in the free standard tier too.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

export const STANDARD_VALUE_LIMIT = 4096;
export const ADVANCED_VALUE_LIMIT = 8192;
const GZIP_PREFIX = 'gz1:';

export function encodeRecord(value: unknown): string {
  const json = JSON.stringify(value);
  if (json.length <= STANDARD_VALUE_LIMIT) return json;
  return `${GZIP_PREFIX}${gzipSync(json, { level: 9 }).toString('base64')}`;
}

export function decodeRecord(stored: string): unknown {
  if (!stored.startsWith(GZIP_PREFIX)) return JSON.parse(stored);
  return JSON.parse(gunzipSync(Buffer.from(stored.slice(GZIP_PREFIX.length), 'base64')).toString('utf8'));
}
