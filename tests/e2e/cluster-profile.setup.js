// Jest setup for the `e2e-cluster` project: the harness starts the cluster profile.
process.env.INFERMESH_E2E_PROFILE = 'cluster';
