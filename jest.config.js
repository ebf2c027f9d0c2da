// Jest runs the TypeScript sources directly (swc strips types; `tsc -b` type-checks in `npm run build`).
// Workspace packages resolve to their src/ so tests never need a prior build of their dependencies.
import { readdirSync, existsSync } from 'node:fs';

const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
for (const group of ['libs', 'services', 'tools']) {
  for (const dir of readdirSync(new URL(`./${group}`, import.meta.url))) {
    if (existsSync(new URL(`./${group}/${dir}/src/index.ts`, import.meta.url))) {
      const name = dir === 'cli' ? 'cli' : dir;
      moduleNameMapper[`^@infermesh/${name}$`] = `<rootDir>/${group}/${dir}/src/index.ts`;
    }
  }
}

const transform = {
  '^.+\\.ts$': ['@swc/jest', {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2023', keepClassNames: true },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  }],
};

const base = {
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/.tools/'],
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,tools}/*/src/**/*.unit.spec.ts'] },
    { ...base, displayName: 'int', testMatch: ['<rootDir>/{libs,services,tools}/*/src/**/*.int.spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.e2e.spec.ts'] },
    // The same end-to-end scenarios, unchanged, on the cluster profile: a process per service
    // against real Kafka, NATS and PostgreSQL (tests/e2e/profile.ts reads the variable).
    { ...base, displayName: 'e2e-cluster', testMatch: ['<rootDir>/tests/e2e/**/*.e2e.spec.ts'], setupFiles: ['<rootDir>/tests/e2e/cluster-profile.setup.js'] },
    // Faults only the cluster profile has: brokers stopped and restarted under load.
    { ...base, displayName: 'cluster', testMatch: ['<rootDir>/tests/cluster/**/*.cluster.spec.ts'] },
  ],
  testTimeout: 60_000,
};
