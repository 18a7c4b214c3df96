/**
 * One SDK middleware on every shared client (now and created later), at the deserialize step with high
 * priority: inside the SDK's retry loop and outside the deserializer (so `next` returns the parsed output).
 * Layers added earlier run outside the ones added later: the call recorder, then IAM, then the AWS model.
 */
import { type Clients, onClients } from '../../functions/lib/aws/clients';

export interface SdkCall {
  service: string;
  operation: string;
  input: Record<string, unknown>;
  /** The client's region. */
  region: () => Promise<string>;
}

export type Output = Record<string, unknown>;
export type Layer = (
  call: SdkCall,
  next: () => Promise<{ output: Output; response: unknown }>,
) => Promise<unknown>;

export function onEveryCall(name: string, layer: Layer): void {
  onClients((set: Partial<Clients>) => {
    for (const [service, client] of Object.entries(set)) {
      type Next = (args: { input?: unknown }) => Promise<{ output: Output; response: unknown }>;
      const stack = client.middlewareStack as unknown as {
        add: (mw: (next: Next, context: { commandName?: string }) => Next, options: object) => void;
      };
      const config = (client as unknown as { config: { region: () => Promise<string> } }).config;
      stack.add(
        (next, context) => async (args) => {
          const call: SdkCall = {
            service,
            operation: String(context.commandName ?? 'Unknown').replace(/Command$/, ''),
            input: (args.input ?? {}) as Record<string, unknown>,
            region: () => config.region(),
          };
          return (await layer(call, () => next(args))) as { output: Output; response: unknown };
        },
        { step: 'deserialize', priority: 'high', name: `${name}-${service}`, override: true },
      );
    }
  });
}
