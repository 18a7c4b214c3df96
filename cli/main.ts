/**
 * kafka-plc command line. Usage errors and invalid input exit 2 with one clear message per problem
 * (field path and value) and no stack trace; nothing reaches AWS or a shell before input is valid.
 */

import { nextSteps, nextStepsText } from '../functions/lib/domain/next-steps';
import { planCluster } from '../functions/lib/domain/plan';
import { planMermaid, planTable } from '../functions/lib/domain/plan-views';
import { KafkaPlcError, SpecValidationError, UsageError } from '../functions/lib/errors';
import { type Command, CommandFailedError, ExitCodeError, type Io, parse, required } from './commands/common';
import { provision } from './commands/provision';
import { rehearse } from './commands/rehearse';
import { roll, rotateCredentials, setUniqueName } from './commands/roll';
import { loadSpecFile } from './spec-file';

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export const USAGE = `Usage: kafka-plc <command> [options]

Commands:
  plan --spec FILE [--format json|table|mermaid]   print the plan computed from a cluster spec
  provision --spec FILE [--local] [--state-machine-arn ARN | --state-machine-name NAME]
                                                   build the cluster: --local runs the state machine
                                                   in-process against the SDK endpoint (AWS_ENDPOINT_URL)
  teardown --spec FILE [--local] [--state-machine-arn ARN | --state-machine-name NAME]   delete the cluster's resources
  set-unique-name --cluster NAME --value V [--region R]
                                                   write the unique name TiDB Cloud returned (starts a roll)
  roll --spec FILE [--unique-name V] [--local] [--kafka-bootstrap HOST:PORT | --assume-healthy]
                                                   bring brokers to the spec one at a time, each only when
                                                   safe: a new unique name, a consumer added or removed
                                                   (its NLB side first); without --unique-name the names
                                                   the brokers advertise now stay
  status --spec FILE [--format table|json] [--no-kafka]
                                                   the live cluster against the plan, read-only: one line per
                                                   difference (DRIFT) or ill health (HEALTH); exit 0 in
                                                   sync, 3 otherwise, 1 when it could not be read
  connections --spec FILE [--format table|json] [--on-unknown reject|leave] [--on-outside-window leave|reject]
                                                   every connection to the endpoint service: owner, state,
                                                   created, what was decided (by which window or command)
                                                   or what auto-accept decides now, and why
  rotate-credentials --spec FILE [--local] [--kafka-bootstrap HOST:PORT | --assume-healthy]
                                                   a new consumer password (Secrets Manager), rolled to
                                                   every broker; the old one is refused afterwards
  accept --spec FILE --endpoint vpce-ID            accept one named pending endpoint (an allowed owner's)
  accept-window --spec FILE --minutes N [--count K]
                                                   let auto-accept admit the next K (default 1) pending
                                                   endpoints of allowed owners for N minutes
  rehearse [--kafka]                               the whole lifecycle locally: emulated AWS (+ real Kafka)
                                                   on examples/seed-usw2.json (npm start)
  help                                             this text

Exit codes: 0 success, 1 failure while running, 2 invalid input or usage.
`;

const FORMATS = ['json', 'table', 'mermaid'] as const;

const plan: Command = async (args, io) => {
  const values = parse(args, { spec: { type: 'string' }, format: { type: 'string', default: 'json' } });
  const format = values.format as string;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format: "${format}" is not one of ${FORMATS.join(', ')}`);
  }
  const spec = await loadSpecFile(required(values.spec, '--spec'));
  const result = planCluster(spec);
  // The plan, and what to enter in TiDB Cloud for each consumer (the endpoint service name once provisioned).
  if (format === 'json')
    io.stdout(`${JSON.stringify({ ...result, nextSteps: nextSteps(result) }, null, 2)}\n`);
  else if (format === 'table') io.stdout(`${planTable(result)}\n${nextStepsText(nextSteps(result))}`);
  else io.stdout(planMermaid(result));
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
  help: async (_args, io) => io.stdout(USAGE),
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h') {
      io.stdout(USAGE);
      return name === undefined ? 2 : 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"; try "kafka-plc help"`);
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
  io.stderr(`kafka-plc: failed: ${detail}\n`);
  if (process.env.KAFKA_PLC_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return 1;
}

function issueLine(issue: SpecValidationError['issues'][number]): string {
  const value = issue.value === undefined ? 'missing' : JSON.stringify(issue.value);
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return `${issue.path || '(spec)'} = ${shown}: ${issue.message}`;
}
