/** Unit specs sit beside the code; e2e specs in test/ boot the app against a real local emulator. */
const project = (displayName, root, testRegex, options = {}) => ({
  ...options,
  displayName,
  testEnvironment: 'node',
  rootDir: '.',
  roots: [`<rootDir>/${root}`],
  testRegex,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
});

module.exports = {
  projects: [
    project('unit', 'src', '\\.spec\\.ts$'),
    // Some e2e specs start `node dist/main.js`, Chromium or several apps: seconds on an idle
    // machine, more on a loaded CI runner, where jest's 5 s default would fail them with no clue.
    project('e2e', 'test', '\\.e2e-spec\\.ts$', {
      testTimeout: 30_000,
      setupFilesAfterEnv: ['<rootDir>/test/support/kill-running-services.ts'],
    }),
  ],
};
