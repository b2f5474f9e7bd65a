/** Unit specs sit beside the code; e2e specs in test/ boot the app against a real local emulator. */
const project = (displayName, root, testRegex) => ({
  displayName,
  testEnvironment: 'node',
  rootDir: '.',
  roots: [`<rootDir>/${root}`],
  testRegex,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
});

module.exports = {
  projects: [project('unit', 'src', '\\.spec\\.ts$'), project('e2e', 'test', '\\.e2e-spec\\.ts$')],
};
