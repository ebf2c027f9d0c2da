export { startMeshProcess, REPO_ROOT, type MeshProcess } from './mesh-process.js';
export { waitFor } from './wait.js';
