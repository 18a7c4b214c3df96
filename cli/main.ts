/**
 * kafka-plc command line. Usage errors and invalid input exit 2 with one clear message per problem
 * (field path and value) and no stack trace; nothing reaches AWS or a shell before input is valid.
 */

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { nextSteps, nextStepsText } from '../functions/lib/domain/next-steps';
import { planCluster } from '../functions/lib/domain/plan';
import { planMermaid, planTable } from '../functions/lib/domain/plan-views';
import { topologyWarnings } from '../functions/lib/domain/resilience';
import { KafkaPlcError, SpecValidationError, UsageError } from '../functions/lib/errors';
import { didYouMean } from '../functions/lib/suggest';
import {
  announce,
  type Command,
  CommandFailedError,
  ExitCodeError,
  type Io,
  parse,
  required,
} from './commands/common';
import { provision } from './commands/provision';
import { rehearse } from './commands/rehearse';
import { roll, rotateCredentials, setUniqueName } from './commands/roll';
import { loadSpecFile } from './spec-file';

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // Only a terminal can answer a question; without one, commands that need a confirmation refuse.
  ...(process.stdin.isTTY
    ? {
        ask: async (question: string) => {
          const prompt = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await prompt.question(question);
          } finally {
            prompt.close();
          }
        },
      }
    : {}),
};

/** Each command: its synopsis and what it does (USAGE lists them all; `kafka-plc <command> --help` shows one). */
const HELP: { name: string; synopsis: string; about: string[] }[] = [
  {
    name: 'plan',
    synopsis:
      'plan --spec FILE [--format json|table|mermaid] | plan --spec FILE --live [--format table|json]',
    about: [
      'print the plan computed from a cluster spec (no AWS call); --live reads the account (read-only) and',
      'prints the changes a provision would make: + add, ~ change, - remove, ✗ cannot change in place',
    ],
  },
  {
    name: 'provision',
    synopsis:
      'provision --spec FILE [--format table|json] [--local] [--stage S] [--state-machine-arn ARN | --state-machine-name NAME]',
    about: [
      'build the cluster (a spec with `existing`: expose that cluster); first reads the account and prints the',
      'changes (as plan --live), refusing one it cannot make in place; progress with resource IDs and the',
      "execution's console link (Ctrl-C stops following, not the execution); ends with a summary and the next",
      'steps (--format json: the execution output). --local runs the state machine in-process against an',
      'emulator (AWS_ENDPOINT_URL must be set)',
    ],
  },
  {
    name: 'teardown',
    synopsis:
      'teardown --spec FILE [--yes] [--local] [--stage S] [--state-machine-arn ARN | --state-machine-name NAME]',
    about: [
      "list the cluster's resources (by tag), then delete them once confirmed: type yes at the prompt, or",
      '--yes (required without a terminal); reports what is gone, and what is left (exit 1)',
    ],
  },
  {
    name: 'set-unique-name',
    synopsis: 'set-unique-name (--spec FILE | --cluster NAME [--region R]) --value V [--wait] [--stage S]',
    about: [
      'write the unique name TiDB Cloud returned to an existing cluster; shows the roll the stack starts',
      '(its console link), and with --wait follows it to the end',
    ],
  },
  {
    name: 'roll',
    synopsis:
      'roll --spec FILE [--unique-name V] [--local] [--stage S] [--kafka-bootstrap HOST:PORT | --assume-healthy]',
    about: [
      'bring brokers to the spec one at a time, each only when safe: a new unique name, a consumer added',
      'or removed (its NLB side first); without --unique-name the names the brokers advertise now stay',
    ],
  },
  {
    name: 'status',
    synopsis: 'status --spec FILE [--format table|json] [--no-kafka]',
    about: [
      'the live cluster against the plan, read-only: one line per difference (DRIFT) or ill health',
      '(HEALTH); exit 0 in sync, 3 otherwise, 1 when it could not be read',
    ],
  },
  {
    name: 'connections',
    synopsis:
      'connections --spec FILE [--format table|json] [--on-unknown reject|leave] [--on-outside-window leave|reject] [--stage S]',
    about: [
      'every connection to the endpoint service: owner, state, created, what was decided (by which window',
      'or command) or what auto-accept decides now, and why',
    ],
  },
  {
    name: 'rotate-credentials',
    synopsis:
      'rotate-credentials --spec FILE [--local] [--stage S] [--kafka-bootstrap HOST:PORT | --assume-healthy]',
    about: [
      'a new consumer password (Secrets Manager), rolled to every broker; the old one is refused afterwards',
    ],
  },
  {
    name: 'accept',
    synopsis: 'accept --spec FILE --endpoint vpce-ID [--stage S]',
    about: ["accept one named pending endpoint (an allowed owner's)"],
  },
  {
    name: 'accept-window',
    synopsis: 'accept-window --spec FILE --minutes N [--count K] [--stage S]',
    about: ['let auto-accept admit the next K (default 1) pending endpoints of allowed owners for N minutes'],
  },
  {
    name: 'rehearse',
    synopsis: 'rehearse [--kafka [--keep]] [--spec FILE] | rehearse --stop',
    about: [
      'the whole lifecycle locally: emulated AWS (+ real Kafka) on examples/seed-usw2.json (npm start)',
      '--keep leaves the emulator, brokers and haproxy running for your own client; --stop ends them',
    ],
  },
  { name: 'help', synopsis: 'help [COMMAND]', about: ["this text, or one command's"] },
  { name: 'version', synopsis: 'version', about: ["kafka-plc's version (also --version)"] },
];

const EXIT_CODES =
  '--stage S: which deployed stack (kafka-plc-S-…) to use; default: the stage that owns the cluster, else the\n' +
  'only stage deployed in the region.\n' +
  'Exit codes: 0 success, 1 failure while running, 2 invalid input or usage.\n';

export const USAGE = `Usage: kafka-plc <command> [options]     (kafka-plc <command> --help: one command)

Commands:
${HELP.map((h) => `  ${h.synopsis}\n${h.about.map((line) => `      ${line}\n`).join('')}`).join('')}
${EXIT_CODES}`;

export function commandHelp(name: string): string {
  const entry = HELP.find((h) => h.name === name);
  if (!entry) return USAGE;
  return `Usage: kafka-plc ${entry.synopsis}\n\n${entry.about.join('\n')}\n\n${EXIT_CODES}`;
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const FORMATS = ['json', 'table', 'mermaid'] as const;

const plan: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    format: { type: 'string' },
    live: { type: 'boolean', default: false },
  });
  const live = values.live === true;
  const format = (values.format as string | undefined) ?? (live ? 'table' : 'json');
  const formats: readonly string[] = live ? ['table', 'json'] : FORMATS;
  if (!formats.includes(format)) {
    throw new UsageError(
      `--format: "${format}" is not one of ${formats.join(', ')}${live ? ' with --live' : ''}`,
    );
  }
  const specPath = required(values.spec, '--spec');
  const spec = await loadSpecFile(specPath);
  if (live) {
    const { livePlan, printLivePlan } = await import('./commands/plan-live');
    await announce(io, spec.region, `live plan of cluster ${spec.clusterName} (read-only)`);
    printLivePlan(await livePlan(spec), format as 'table' | 'json', io);
    return;
  }
  if (spec.existing)
    throw new UsageError(
      'an `existing` spec is planned from its brokers as EC2 describes them (AZ, subnet, IP): run it with --live',
    );
  const result = planCluster(spec);
  // The plan, and what to enter in TiDB Cloud for each consumer (the endpoint service name once provisioned).
  const warnings = topologyWarnings(result);
  if (format === 'json')
    io.stdout(`${JSON.stringify({ ...result, nextSteps: nextSteps(result), warnings }, null, 2)}\n`);
  else if (format === 'table') io.stdout(`${planTable(result)}\n${nextStepsText(nextSteps(result))}`);
  else io.stdout(planMermaid(result));
  for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
};

const COMMANDS: Record<string, Command> = {
  plan,
  provision,
  roll,
  'set-unique-name': setUniqueName,
  'rotate-credentials': rotateCredentials,
  rehearse,
  teardown: async (args, io) => (await import('./commands/teardown')).teardown(args, io),
  connections: async (args, io) => (await import('./commands/connections')).connections(args, io),
  accept: async (args, io) => (await import('./commands/connections')).accept(args, io),
  'accept-window': async (args, io) => (await import('./commands/connections')).acceptWindow(args, io),
  status: async (args, io) => (await import('./commands/status')).status(args, io),
  help: async (args, io) => {
    const [topic] = args;
    if (topic !== undefined && !HELP.some((h) => h.name === topic))
      throw new UsageError(`no command "${topic}"${didYouMean(topic, Object.keys(COMMANDS))}`);
    io.stdout(topic === undefined ? USAGE : commandHelp(topic));
  },
  version: async (_args, io) => io.stdout(`kafka-plc ${version()}\n`),
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h') {
      io.stdout(USAGE);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-V') name = 'version';
    const command = COMMANDS[name];
    if (!command)
      throw new UsageError(
        `unknown command "${name}"${didYouMean(name, Object.keys(COMMANDS))} (kafka-plc help lists them)`,
      );
    // Per-command help before anything else: no spec is read, no AWS call made.
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(commandHelp(name));
      return 0;
    }
    await command(rest, io);
    return 0;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: Io): number {
  if (error instanceof SpecValidationError) {
    io.stderr(
      `kafka-plc: invalid cluster spec:\n${error.issues.map((i) => `  - ${issueLine(i)}\n`).join('')}`,
    );
    return 2;
  }
  if (error instanceof UsageError) {
    io.stderr(`kafka-plc: ${error.message}\n`);
    return 2;
  }
  if (error instanceof ExitCodeError) {
    io.stderr(`kafka-plc: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof CommandFailedError) {
    io.stderr(`kafka-plc: ${error.message}\n`);
    return 1;
  }
  const detail = error instanceof KafkaPlcError ? `${error.name}: ${error.message}` : String(error);
  const hint = awsSetupHint(detail);
  io.stderr(`kafka-plc: failed: ${detail}\n${hint ? `${hint}\n` : ''}`);
  if (process.env.KAFKA_PLC_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return 1;
}

/** What to do when the SDK found no credentials or no region (it says only that it could not). */
export function awsSetupHint(detail: string): string | undefined {
  if (/CredentialsProviderError|Could not load credentials/.test(detail))
    return (
      'No AWS credentials were found. Sign in (aws sso login --profile P, then AWS_PROFILE=P) or set ' +
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the account the stack is deployed in, then run this again.'
    );
  if (/Region is missing/i.test(detail))
    return 'No AWS region is set: the spec names it for most commands; otherwise set AWS_REGION or pass --region.';
  return undefined;
}

function issueLine(issue: SpecValidationError['issues'][number]): string {
  const value = issue.value === undefined ? 'missing' : JSON.stringify(issue.value);
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return `${issue.path || '(spec)'} = ${shown}: ${issue.message}`;
}
