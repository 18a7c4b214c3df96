/**
 * kafka-plc teardown --spec FILE [--local] [--state-machine-arn ARN] [--state-machine-name NAME]
 * Removes every resource tagged with the spec's cluster name, and its parameters. --local runs
 * state-machine/teardown.asl.json in-process against the SDK's endpoint; otherwise the deployed state
 * machine is started and followed. Progress on stderr, the output JSON on stdout.
 */
import { loadSpecFile } from '../spec-file';
import { type Command, parse, required, requireEmulatorForLocal } from './common';
import { executionName, runWorkflow } from './provision';

export const DEFAULT_TEARDOWN_MACHINE = 'kafka-plc-teardown';

export const teardown: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    local: { type: 'boolean', default: false },
    'state-machine-arn': { type: 'string' },
    'state-machine-name': { type: 'string', default: DEFAULT_TEARDOWN_MACHINE },
  });
  requireEmulatorForLocal(values.local);
  const spec = await loadSpecFile(required(values.spec, '--spec'));
  const output = await runWorkflow(
    'teardown',
    spec,
    {
      local: values.local === true,
      region: spec.region,
      arn: values['state-machine-arn'] as string | undefined,
      machineName: values['state-machine-name'] as string,
      executionName: executionName(spec, 'teardown'),
    },
    io,
  );
  io.stdout(`${JSON.stringify(output, null, 2)}\n`);
};
