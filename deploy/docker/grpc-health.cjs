// Container healthcheck: one grpc.health.v1.Health/Check for the server's overall status ("" service).
// Usage: node deploy/grpc-health.cjs <HOST_ENV> <PORT_ENV> <default port>
// Exit 0 when the answer is SERVING within 2 s, 1 otherwise. The request ({service: ""}) encodes to zero
// bytes and a SERVING answer to 0x08 0x01, so no proto files are needed, only @grpc/grpc-js which every
// service image already has through @infermesh/rpc.
'use strict';
const grpc = require('@grpc/grpc-js');

const [hostEnv, portEnv, defaultPort] = process.argv.slice(2);
const bound = (hostEnv && process.env[hostEnv]) || '127.0.0.1';
const host = bound === '0.0.0.0' || bound === '::' ? '127.0.0.1' : bound;
const port = (portEnv && process.env[portEnv]) || defaultPort;
const client = new grpc.Client(`${host}:${port}`, grpc.credentials.createInsecure());
const identity = (b) => b;
client.makeUnaryRequest('/grpc.health.v1.Health/Check', identity, identity, Buffer.alloc(0), { deadline: Date.now() + 2000 }, (err, res) => {
  client.close();
  const serving = !err && res.length === 2 && res[0] === 0x08 && res[1] === 0x01;
  if (!serving) process.stderr.write(`health: ${host}:${port} ${err ? err.message : 'not serving'}\n`);
  process.exit(serving ? 0 : 1);
});
