export { startEmbeddedMesh, type EmbeddedMesh } from './mesh/embedded-mesh.js';
export { meshConfigFromEnv, type MeshConfig } from './mesh/mesh-config.js';
export { replayCommand } from './commands/replay.js';
export { startClusterMesh, type ClusterMesh, type ClusterMeshOptions, type ClusterInfraEndpoints } from './mesh/cluster-mesh.js';
