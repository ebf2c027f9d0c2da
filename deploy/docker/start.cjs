// Container entry point: loads services/$INFERMESH_SERVICE/dist/main.js in this process (node stays
// PID 1, so the service's own SIGTERM handling drains it). One file for every image of deploy/docker/Dockerfile.
'use strict';
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const service = process.env.INFERMESH_SERVICE;
if (!service || !/^[a-z][a-z-]*$/.test(service)) {
  process.stderr.write('start: INFERMESH_SERVICE must name a service (set by the image build)\n');
  process.exit(2);
}
import(pathToFileURL(path.join(__dirname, '..', 'services', service, 'dist', 'main.js')).href).catch((err) => {
  process.stderr.write(`start: ${service} failed to start: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
