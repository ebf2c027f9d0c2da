// Container healthcheck: one grpc.health.v1.Health/Check for the server's overall status ("" service).
// Usage: node deploy/grpc-health.cjs [<HOST_ENV> <PORT_ENV> <default port>]
// Exit 0 when the answer is SERVING within 2 s, 1 otherwise. The request ({service: ""}) encodes to zero
// bytes and a SERVING answer to 0x08 0x01, so no proto files are needed, only @grpc/grpc-js which every
// service image already has through @infermesh/rpc.
'use strict';
const grpc = require('@grpc/grpc-js');

// Which variables hold the service's bind host and gRPC port: ingress serves the public API on
// INFERMESH_HOST / INFERMESH_GRPC_PORT, every other service on INFERMESH_<SERVICE>_HOST / _PORT. Arguments,
// when given, override (<HOST_ENV> <PORT_ENV> <default port>).
const service = (process.env.INFERMESH_SERVICE || '').toUpperCase().replace(/-/g, '_');
const derived = service === 'INGRESS' ? ['INFERMESH_HOST', 'INFERMESH_GRPC_PORT'] : [`INFERMESH_${service}_HOST`, `INFERMESH_${service}_PORT`];
const args = process.argv.slice(2);
const [hostEnv, portEnv, defaultPort] = args.length > 0 ? args : [...derived, process.env.INFERMESH_HEALTH_DEFAULT_PORT];
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
