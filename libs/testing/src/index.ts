export { startMeshProcess, meshProfile, REPO_ROOT, type MeshProcess, type MeshProfile } from './mesh-process.js';
export { waitFor } from './wait.js';
