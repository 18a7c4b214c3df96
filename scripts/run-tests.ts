/**
 * `npm test`'s runner: the two vitest projects at the same time, as two processes. Within one vitest process a
 * project limited to one worker (the real-Kafka files: fixed loopback addresses and ports, one harness at a time)
 * runs only after the parallel ones, and a real-Kafka file keeps about one core busy: on CI's two cores the
 * other core sat idle for the whole Kafka phase (~8 of ~14 minutes). Here the Kafka files run one after the other
 * beside the default project. The stack is packaged first (the global setup of both would otherwise race to do it);
 * each process writes its own JSON report and out/test-results.json is their sum. Extra arguments (file filters)
 * go to both; a project none of whose files they name passes with no tests.
 * Exit status: the first non-zero one.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ensurePackagedTemplate } from '../test/aws-model/template';

const PROJECTS = ['kafka', 'default'] as const;
/**
 * The default project runs at a lower CPU priority (nice 10; its moto servers inherit it): the real-Kafka files
 * are the longer chain and the timing-sensitive one, and the default project's files fill the cycles they leave.
 */
const COMMAND: Record<(typeof PROJECTS)[number], string[]> = {
  kafka: ['npx'],
  default: process.platform === 'linux' ? ['nice', '-n', '10', 'npx'] : ['npx'],
};
const report = (project: string) => `out/test-results-${project}.json`;

interface JsonReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTestSuites: number;
  numPassedTestSuites: number;
  numFailedTestSuites: number;
  success: boolean;
  startTime: number;
  testResults: unknown[];
}

function runProject(project: (typeof PROJECTS)[number], args: string[]): Promise<number> {
  const [command = 'npx', ...prefix] = COMMAND[project];
  return new Promise((resolve) => {
    const child = spawn(
      command,
      [...prefix, 'vitest', 'run', '--project', project, '--passWithNoTests', ...args],
      {
        env: { ...process.env, KAFKA_PLC_TEST_REPORT: report(project) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // Whole lines, each marked with its project: the two reporters' lines interleave.
    for (const [stream, out] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) out.write(`[${project}] ${line}\n`);
      });
      stream.on('end', () => {
        if (pending) out.write(`[${project}] ${pending}\n`);
      });
    }
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function mergeReports(): JsonReport | undefined {
  const reports: JsonReport[] = [];
  for (const project of PROJECTS) {
    try {
      reports.push(JSON.parse(readFileSync(report(project), 'utf8')) as JsonReport);
    } catch {
      process.stderr.write(`no report from the ${project} project (${report(project)})\n`);
      return undefined;
    }
  }
  const sum = (key: keyof JsonReport) => reports.reduce((n, r) => n + Number(r[key]), 0);
  return {
    numTotalTests: sum('numTotalTests'),
    numPassedTests: sum('numPassedTests'),
    numFailedTests: sum('numFailedTests'),
    numPendingTests: sum('numPendingTests'),
    numTodoTests: sum('numTodoTests'),
    numTotalTestSuites: sum('numTotalTestSuites'),
    numPassedTestSuites: sum('numPassedTestSuites'),
    numFailedTestSuites: sum('numFailedTestSuites'),
    success: reports.every((r) => r.success),
    startTime: Math.min(...reports.map((r) => r.startTime)),
    testResults: reports.flatMap((r) => r.testResults),
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const started = Date.now();
  const packaged = await ensurePackagedTemplate();
  if (packaged > 0) process.stdout.write(`packaged the stack in ${packaged.toFixed(1)} s\n`);
  mkdirSync('out', { recursive: true });
  // A report left by an earlier run must not stand in for one this run failed to write.
  for (const project of PROJECTS) rmSync(report(project), { force: true });
  const codes = await Promise.all(PROJECTS.map((project) => runProject(project, args)));
  const merged = mergeReports();
  if (merged) {
    writeFileSync('out/test-results.json', JSON.stringify(merged));
    process.stdout.write(
      `\nall projects: ${merged.numPassedTests} passed, ${merged.numFailedTests} failed, ` +
        `${merged.numPendingTests + merged.numTodoTests} skipped in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
  }
  return codes.find((code) => code !== 0) ?? (merged ? 0 : 1);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
