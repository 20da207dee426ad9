/**
 * Two jest projects:
 *
 * - `unit`: the machine specs under workflows/ and the specs of pure modules
 *   (`*.spec.ts`). They need neither PostgreSQL nor Redis and have no global
 *   setup: `npm run test:unit` (or `npx jest --selectProjects unit`) runs
 *   with both services stopped.
 * - `integration`: everything that boots the application or talks to
 *   PostgreSQL, Redis, a child process or a browser (`*.e2e-spec.ts`).
 *   Its global setup checks the services, creates this run's database from
 *   the real migrations and picks its Redis prefix; jest runs a project's
 *   global setup only when at least one of its tests is selected.
 *
 * `npm test` runs both. Suites are isolated by database and Redis prefix
 * (see test/support/test-app.ts), so two workers run in parallel.
 * ts-jest only transpiles (isolatedModules): `npm run typecheck` and
 * `npm run build` check types.
 */
const { compilerOptions } = require('./tsconfig.json');

/** What both projects share. */
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { ...compilerOptions, isolatedModules: true, sourceMap: true } }],
  },
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/', '<rootDir>/data/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      setupFilesAfterEnv: ['<rootDir>/test/setup/unit-no-network.ts'],
      testMatch: ['<rootDir>/workflows/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/src/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
  // A budget catches a hang; it is not a performance assertion. Tests must hold on a busy machine:
  // at a load average of 40 on two cores, booting a test application alone takes over a minute.
  testTimeout: 240_000,
  maxWorkers: 2,
};
