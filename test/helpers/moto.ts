/** moto for tests: cli/emulator.ts's server, with the SDK environment pointed at it. */
import { freePort, type Moto, startMotoServer } from '../../cli/emulator';
import { resetClients } from '../../functions/lib/aws/clients';

export { freePort, type Moto };

/** Starts moto and points the SDK (and our shared clients) at it. */
export async function startMoto(): Promise<Moto> {
  const moto = await startMotoServer();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-west-2',
    KAFKA_PLC_SDK_MAX_ATTEMPTS: '1',
    KAFKA_PLC_EMULATOR: '1',
    // eventual-consistency retries in place without pauses (the model's windows are counted in calls)
    KAFKA_PLC_IN_PLACE_RETRY_MS: '0',
  });
  resetClients(true);
  return {
    ...moto,
    async stop() {
      await moto.stop();
      resetClients();
    },
  };
}
