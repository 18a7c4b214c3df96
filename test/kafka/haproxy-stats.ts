import { connect } from 'node:net';

/** Sends one command to haproxy's stats socket and resolves with its whole answer. */
export function queryStatsSocket(path: string, command: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no answer from ${path} in ${timeoutMs} ms`)),
    );
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}
