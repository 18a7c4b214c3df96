/**
 * Which stage's stack a command uses. Each stage deploys its own state machines and tables
 * (kafka-plc-<stage>-…), so two stages coexist in one account and region; a cluster belongs to the stage that
 * first provisioned it (/kafka-plc/<cluster>/stage). In order: that owner (a different --stage is refused),
 * --stage, the only stage deployed in the region; --local uses the default stage's names in the emulator.
 */
import * as sfn from '../../functions/lib/aws/sfn';
import { DEFAULT_STAGE, deployedStages, STAGE_MAX, STAGE_PATTERN } from '../../functions/lib/domain/names';
import { unowned } from '../../functions/lib/domain/ownership';
import { ResourceConflictError, SpecValidationError, UsageError } from '../../functions/lib/errors';
import { clusterOwner } from '../../functions/lib/steps/ownership';

/** The --stage option of every command that uses a deployed stack. */
export const STAGE_OPTION = { stage: { type: 'string' } } as const;

/** --stage's value checked before any AWS call (exit 2, naming the flag and the value). */
export function stageFlag(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const stage = String(value);
  if (!STAGE_PATTERN.test(stage))
    throw new SpecValidationError([
      {
        path: '--stage',
        value: stage,
        message: `must be the stage the stack was deployed as: letters, digits and hyphens, at most ${STAGE_MAX}`,
      },
    ]);
  return stage;
}

export async function resolveStage(options: {
  region: string;
  cluster: string;
  flag?: string;
  local: boolean;
  /** Only the owner will do (set-unique-name: only the owner's trigger rolls the cluster). */
  ownerOnly?: boolean;
}): Promise<string> {
  const { region, cluster, flag } = options;
  const owner = await clusterOwner(region, cluster);
  if (owner === undefined && options.ownerOnly)
    throw new ResourceConflictError(unowned(cluster, flag ?? '<stage>'));
  if (owner !== undefined) {
    if (flag !== undefined && flag !== owner)
      throw new UsageError(
        `--stage ${flag}: cluster ${cluster} belongs to stage ${owner} (it was provisioned there); ` +
          `run with --stage ${owner}, or tear it down there before another stage provisions it`,
      );
    return owner;
  }
  if (flag !== undefined) return flag;
  if (options.local) return DEFAULT_STAGE;
  const stages = deployedStages([...(await sfn.stateMachines(region)).keys()]);
  if (stages.length === 1) return stages[0] as string;
  if (stages.length === 0)
    throw new UsageError(
      `no kafka-plc stack in ${region} (no state machine kafka-plc-<stage>-provision): deploy one ` +
        '(README, "Deploy"), or pass --stage and --state-machine-arn',
    );
  throw new UsageError(
    `${stages.length} kafka-plc stages are deployed in ${region} (${stages.join(', ')}) and cluster ${cluster} ` +
      'belongs to none of them yet: pass --stage',
  );
}
