/**
 * A real-Kafka harness with its control plane, as the files that drive it through the state machines start
 * it: the AWS emulator, the brokers (their broker script reads secrets through the emulator), the executor
 * in front of the emulator and a provision run over the running brokers; the deployment's roll retry
 * backoff shortened for tests. stop() undoes all of it, whatever started.
 */
import type { RunOptions } from '../../cli/local-sfn';
import type { ClusterSpecInput } from '../../functions/lib/spec';
import { type Emulator, startEmulator } from '../helpers/emulator';
import { attachControlPlane, type ControlPlane } from './control-plane';
import { type KafkaCluster, startKafkaCluster } from './harness';
import { stopAllProcesses } from './processes';
import { TEST_ROLL_RETRY_ENV } from './roll-under-load';

export interface ControlledCluster {
  emulator: Emulator;
  cluster: KafkaCluster;
  control: ControlPlane;
  stop(): Promise<void>;
}

export async function startControlledCluster(
  spec: ClusterSpecInput,
  options: RunOptions,
): Promise<ControlledCluster> {
  Object.assign(process.env, TEST_ROLL_RETRY_ENV);
  const emulator = await startEmulator();
  let cluster: KafkaCluster | undefined;
  let control: ControlPlane | undefined;
  const stop = async () => {
    await control?.stop();
    await emulator.stop();
    await (cluster ? cluster.stop() : stopAllProcesses());
    for (const key of Object.keys(TEST_ROLL_RETRY_ENV)) delete process.env[key];
  };
  try {
    await emulator.fresh();
    cluster = await startKafkaCluster(spec, { awsEndpoint: emulator.moto.endpoint });
    control = await attachControlPlane(cluster, emulator.moto.endpoint, options);
    const provision = control.provision;
    if (provision?.status !== 'SUCCEEDED')
      throw new Error(
        `the control plane's provision run ended ${provision?.status}: ${provision?.error}: ${provision?.cause}`,
      );
  } catch (error) {
    await stop();
    throw error;
  }
  return { emulator, cluster, control, stop };
}
