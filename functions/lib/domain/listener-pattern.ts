/**
 * TiDB Cloud's "Kafka Advertised Listener Pattern", one per AZ ID, as its console shows it (pure):
 *
 *   <broker_id>.usw2-az1.abc.us-west-2.aws.3199015.tidbcloud.com:<port>   Dedicated / Premium: complete
 *   <broker_id>.usw2-az1.unique_name.aws.plc.tidbcloud.com:<port>         Essential: `unique_name` comes later
 *   <broker_id>.kafka.example.com:<port>                                  a custom domain
 *
 * A broker advertises its AZ's pattern with `<broker_id>` replaced by "b" + node.id and `<port>` by its own
 * NLB port (the seed, step 2.2: "Replace <broker_id> with "b" prefix plus "node.id" properties, and replace
 * <port> with a unique port"). `unique_name` is TiDB Cloud's placeholder for the name it returns once its
 * connection exists: a pattern holding it waits for the unique-name parameter (a roll); one without it is
 * complete, and brokers advertise it from their first start.
 */

import { AZ_ID_PATTERN, REGION_PATTERN } from './regions';

export const BROKER_ID_TOKEN = '<broker_id>';
export const PORT_TOKEN = '<port>';
/** TiDB Cloud's placeholder label, replaced by the unique name (also the spec's uniqueName default). */
export const UNIQUE_NAME_LABEL = 'unique_name';

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME = 253;
/** The longest label the unique name can be (a DNS label). */
const LONGEST_UNIQUE_NAME = 63;

export interface PatternContext {
  /** The AZ ID the pattern is given for. */
  azId: string;
  /** The cluster's region (a pattern naming another region is refused). */
  region: string;
  /** The largest node ID that will advertise it (the longest name). */
  maxNodeId: number;
}

/** The Essential default, `b<id>.<az-id>.<uniqueName>.<domain>`, as a pattern. */
export function essentialPattern(azId: string, domain: string): string {
  return `${BROKER_ID_TOKEN}.${azId}.${UNIQUE_NAME_LABEL}.${domain}:${PORT_TOKEN}`;
}

/** The host part of a pattern (everything before `:<port>`). */
function hostOf(pattern: string): string {
  return pattern.endsWith(`:${PORT_TOKEN}`) ? pattern.slice(0, -PORT_TOKEN.length - 1) : pattern;
}

/** Whether the pattern still holds TiDB Cloud's `unique_name` placeholder (it needs the roll). */
export function awaitsUniqueName(pattern: string): boolean {
  return hostOf(pattern).split('.').includes(UNIQUE_NAME_LABEL);
}

/**
 * The host name a broker advertises: `<broker_id>` → b<nodeId>, the `unique_name` label → uniqueName (the
 * placeholder itself until TiDB Cloud's name is known, as the seed's brokers do).
 */
export function renderPatternHost(pattern: string, nodeId: number, uniqueName: string): string {
  return hostOf(pattern)
    .split('.')
    .map((label) => (label === UNIQUE_NAME_LABEL ? uniqueName : label))
    .join('.')
    .replace(BROKER_ID_TOKEN, `b${nodeId}`);
}

/**
 * Why a pattern cannot be used for the AZ it is given for, or undefined. The checks follow what goes wrong
 * when a pattern is copied from the TiDB Cloud console: HTML escapes, the listener name pasted along, a
 * fixed port, another AZ's line, another region's pattern, and names that are not DNS names.
 */
export function patternProblem(pattern: string, context: PatternContext): string | undefined {
  if (pattern === '') return 'is empty; paste the pattern TiDB Cloud shows for this AZ';
  if (/\s/.test(pattern)) return 'contains white space; paste the pattern alone, as one word';
  if (/&lt;|&gt;|&amp;/.test(pattern))
    return `holds HTML escapes (&lt; &gt;); write the placeholders as ${BROKER_ID_TOKEN} and ${PORT_TOKEN}`;
  if (/^[A-Za-z0-9_]+:\/\//.test(pattern))
    return 'starts with a listener name (like EXTERNAL://); give the pattern alone: <broker_id>.…:<port>';
  if (/:\d+$/.test(pattern))
    return `ends with a fixed port; end it with :${PORT_TOKEN} (each broker advertises its own NLB port)`;
  if (!pattern.endsWith(`:${PORT_TOKEN}`)) return `must end with :${PORT_TOKEN}`;
  const host = hostOf(pattern);
  if (host.includes(PORT_TOKEN)) return `has ${PORT_TOKEN} inside the host name; it belongs only at the end`;
  if (host.includes(':')) return 'has a ":" inside the host name';
  if (/[A-Z]/.test(host)) return 'must be lower case (TiDB Cloud shows it in lower case)';
  const unknown = /<[^>]*>/g.exec(host.replaceAll(BROKER_ID_TOKEN, ''));
  if (unknown)
    return `has an unknown placeholder ${unknown[0]}; TiDB Cloud's patterns use ${BROKER_ID_TOKEN} and ${PORT_TOKEN}`;
  const brokerIds = host.split(BROKER_ID_TOKEN).length - 1;
  if (brokerIds === 0) return `must contain ${BROKER_ID_TOKEN} (each broker's b<node.id>)`;
  if (brokerIds > 1) return `contains ${BROKER_ID_TOKEN} more than once`;

  const labels = host.split('.');
  if (labels.some((label) => label === '')) return 'has an empty label (a leading, trailing or double dot)';
  if (labels.length < 3) return 'must be a name of at least three labels, like <broker_id>.kafka.example.com';
  if (labels.filter((label) => label === UNIQUE_NAME_LABEL).length > 1)
    return `contains ${UNIQUE_NAME_LABEL} more than once`;
  for (const label of labels) {
    if (label === UNIQUE_NAME_LABEL) continue;
    const rendered = label.replace(BROKER_ID_TOKEN, `b${context.maxNodeId}`);
    if (!DNS_LABEL.test(rendered))
      return `has label "${label}", not a DNS label (1..63 of a-z, 0-9 and -, no hyphen at either end)`;
  }
  if (/^\d+$/.test(labels.at(-1) ?? '')) return 'must end in a top-level domain, not a number';

  const azIds = labels.filter((label) => AZ_ID_PATTERN.test(label));
  const otherAz = azIds.find((label) => label !== context.azId);
  if (otherAz)
    return `names AZ ID ${otherAz} but is given for ${context.azId}; copy the line TiDB Cloud shows for ${context.azId}`;
  if (host.endsWith('.tidbcloud.com') && azIds.length === 0)
    return `is a tidbcloud.com pattern without the AZ ID ${context.azId}; copy the line TiDB Cloud shows for ${context.azId}`;
  const otherRegion = labels.find((label) => REGION_PATTERN.test(label) && label !== context.region);
  if (otherRegion) return `names region ${otherRegion}; the cluster is in ${context.region}`;

  const longest = renderPatternHost(pattern, context.maxNodeId, 'x'.repeat(LONGEST_UNIQUE_NAME));
  const length = awaitsUniqueName(pattern)
    ? longest.length
    : renderPatternHost(pattern, context.maxNodeId, '').length;
  if (length > MAX_NAME) return `gives names of ${length} characters; DNS names have at most ${MAX_NAME}`;
  return undefined;
}
