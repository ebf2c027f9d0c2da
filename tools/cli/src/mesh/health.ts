import { Client, credentials } from '@grpc/grpc-js';

const identity = (b: Buffer): Buffer => b;

/**
 * One `grpc.health.v1.Health/Check` for the server's overall status. The request ({service: ""})
 * encodes to zero bytes and SERVING to 0x08 0x01, so no health proto is needed here.
 */
export function checkServing(address: string, timeoutMs: number): Promise<boolean> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest('/grpc.health.v1.Health/Check', identity, identity, Buffer.alloc(0), { deadline: Date.now() + timeoutMs }, (err, res) => {
      client.close();
      resolve(err === null && res !== undefined && res.length === 2 && res[0] === 0x08 && res[1] === 0x01);
    });
  });
}

/** Polls `checkServing` until it answers SERVING; rejects after `timeoutMs` naming the address. */
export async function waitServing(address: string, timeoutMs: number, abort?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = abort?.();
    if (why !== undefined) throw new Error(why);
    if (await checkServing(address, 1000)) return;
    if (Date.now() > deadline) throw new Error(`${address} did not report SERVING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
