/**
 * Class-data-sharing archives for the harness's JVMs (JDK 17's dynamic AppCDS: `-XX:ArchiveClassesAtExit`
 * once, then `-XX:SharedArchiveFile`): the classes a KRaft broker loads while it boots, and those a Kafka tool
 * loads. A JVM given one maps them instead of reading, parsing and verifying them again: measured on this
 * 2-core machine, a combined broker boots in 0.9–1.1 s instead of 1.8 s (1.2–1.35 s of CPU instead of 2.2 s),
 * TopicCommand runs in 0.25–0.29 s instead of 0.55–0.63 s. That matters where six brokers, the load and the
 * health reads' tools share two cores, and most where a batch's brokers boot together.
 *
 * An archive holds for one JVM build, one set of jars and the options it was made with:
 * scripts/setup-cds.ts (run by `npm run test:setup`, so by `npm test` and CI) makes both into .cache/cds,
 * keyed by all three, and checks each with -Xshare:on. A JVM started without a usable archive runs as before,
 * only slower (`-Xlog:cds*=off`: its warning would otherwise go to standard output, which the tools' parsers
 * read); smoke.test.ts checks that the harness's brokers and tools really map theirs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/tools';

export type ArchiveKind = 'broker' | 'tool';

export const CDS_DIR = join(ROOT, '.cache', 'cds');

export function archivePath(kind: ArchiveKind): string {
  return join(CDS_DIR, `${kind}.jsa`);
}

/**
 * The options that make a JVM map the archive of its kind; none when setup made none, or when its path has
 * white space (the scripts split KAFKA_PLC_TOOL_JAVA_OPTS on it).
 */
export function sharedArchiveOptions(kind: ArchiveKind): string[] {
  const file = archivePath(kind);
  return existsSync(file) && !/\s/.test(file) ? [`-XX:SharedArchiveFile=${file}`, '-Xlog:cds*=off'] : [];
}
