/**
 * kafka-plc teardown --spec FILE [--yes] [--local] [--stage STAGE] [--state-machine-arn ARN] [--state-machine-name NAME]
 * Removes every resource tagged with the spec's cluster name, and its parameters and secret. First it says
 * where (account, region), lists what it found by tag and asks; it deletes only after "yes" at a terminal or
 * --yes (no terminal and no --yes: exit 2, nothing deleted). Nothing tagged: it says so and starts nothing.
 * Afterwards it reads the inventory again and reports only what is gone (and what is left, exit 1).
 * --local runs state-machine/teardown.asl.json in-process against the SDK's endpoint; otherwise the deployed
 * state machine is started and followed. Progress on stderr, the report JSON on stdout.
 */
import { inventoryLine, inventorySummary, removedSince } from '../../functions/lib/domain/inventory';
import { UsageError } from '../../functions/lib/errors';
import { clusterInventory } from '../../functions/lib/steps/inventory';
import { loadSpecFile } from '../spec-file';
import {
  announce,
  type Command,
  CommandFailedError,
  parse,
  required,
  requireEmulatorForLocal,
} from './common';
import { executionName, runWorkflow } from './provision';
import { resolveStage, STAGE_OPTION, stageFlag } from './stage';

export const teardown: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    yes: { type: 'boolean', default: false },
    local: { type: 'boolean', default: false },
    'state-machine-arn': { type: 'string' },
    'state-machine-name': { type: 'string' },
    ...STAGE_OPTION,
  });
  requireEmulatorForLocal(values.local);
  const flag = stageFlag(values.stage);
  const spec = await loadSpecFile(required(values.spec, '--spec'));
  const tag = `kafka-plc:cluster=${spec.clusterName}`;
  const identity = await announce(io, spec.region, `teardown of cluster ${spec.clusterName}`, () =>
    resolveStage({ region: spec.region, cluster: spec.clusterName, flag, local: values.local === true }),
  );
  const found = await clusterInventory(spec);
  const report = (removed: unknown[], remaining: unknown[]) =>
    io.stdout(
      `${JSON.stringify({ clusterName: spec.clusterName, region: spec.region, account: identity.account, removed, remaining }, null, 2)}\n`,
    );
  if (found.length === 0) {
    io.stderr(`nothing tagged ${tag} in ${spec.region}: nothing to delete, no execution started\n`);
    report([], []);
    return;
  }
  io.stderr(
    `found ${inventorySummary(found)} (- deleted, ~ kept, kafka-plc's part taken off):\n` +
      found.map((item) => `  ${inventoryLine(item)}\n`).join(''),
  );
  if (values.yes !== true) {
    if (!io.ask)
      throw new UsageError(
        `teardown deletes the ${found.length} resources above: pass --yes to confirm (no terminal to ask); nothing was deleted`,
      );
    const answer = await io.ask(
      `Delete these ${found.length} resources of ${spec.clusterName}? Type "yes": `,
    );
    if (answer.trim().toLowerCase() !== 'yes')
      throw new CommandFailedError(`teardown not confirmed (answer "${answer.trim()}"); nothing was deleted`);
  }
  await runWorkflow(
    'teardown',
    spec,
    {
      local: values.local === true,
      region: spec.region,
      stage: identity.stage,
      arn: values['state-machine-arn'] as string | undefined,
      machineName: values['state-machine-name'] as string | undefined,
      executionName: executionName(spec, 'teardown'),
    },
    io,
  );
  // What is gone is what was found minus what a second reading still finds, not what the steps meant to do.
  const left = await clusterInventory(spec);
  const removed = removedSince(found, left);
  report(removed, left);
  io.stderr(`removed ${removed.length} of ${found.length}: ${inventorySummary(removed) || 'nothing'}\n`);
  if (left.length > 0)
    throw new CommandFailedError(
      `teardown finished but ${left.length} resource(s) tagged ${tag} remain:\n${left.map((item) => `  ${inventoryLine(item)}`).join('\n')}`,
    );
};
