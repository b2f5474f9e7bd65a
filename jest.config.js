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
    // The setup gives e2e tests 30 s and kills services a file left running.
    project('e2e', 'test', '\\.e2e-spec\\.ts$', { setupFilesAfterEnv: ['<rootDir>/test/support/e2e-setup.ts'] }),
  ],
};
