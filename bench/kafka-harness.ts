/**
 * The real-Kafka benches' set-up (kafka.bench.ts, batch-roll.bench.ts): a harness cluster, the AWS emulator, the
 * roll's test backoff and the control plane, provisioned; `body` runs on them, and everything stops after it,
 * whatever happens.
 */
import type { ClusterSpecInput } from '../functions/lib/spec';
import { type Emulator, startEmulator } from '../test/helpers/emulator';
import { attachControlPlane, type ControlPlane } from '../test/kafka/control-plane';
import { type KafkaCluster, startKafkaCluster } from '../test/kafka/harness';
import { stopAllProcesses } from '../test/kafka/processes';
import { TEST_ROLL_RETRY_ENV } from '../test/kafka/roll-under-load';

export async function withControlPlane<T>(
  spec: ClusterSpecInput | undefined,
  body: (setUp: { cluster: KafkaCluster; emulator: Emulator; plane: ControlPlane }) => Promise<T>,
): Promise<T> {
  const cluster = await startKafkaCluster(spec).catch(async (error: unknown) => {
    await stopAllProcesses();
    throw error;
  });
  let emulator: Emulator | undefined;
  let plane: ControlPlane | undefined;
  try {
    emulator = await startEmulator();
    await emulator.fresh();
    Object.assign(process.env, TEST_ROLL_RETRY_ENV);
    plane = await attachControlPlane(cluster, emulator.moto.endpoint);
    if (plane.provision?.status !== 'SUCCEEDED') throw new Error(`provision: ${plane.provision?.cause}`);
    return await body({ cluster, emulator, plane });
  } finally {
    await plane?.stop();
    await emulator?.stop();
    await cluster.stop();
  }
}
