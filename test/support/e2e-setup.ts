import { killRunningServices } from './service-process';

// Loaded by jest in every e2e file (jest.config.js, setupFilesAfterEnv).

// Some e2e specs start `node dist/main.js`, Chromium or several apps: seconds on an idle machine,
// more on a loaded CI runner, where jest's 5 s default would fail them with no clue. (A project's
// own `testTimeout` in jest.config.js is ignored by jest-circus: jestjs/jest#9696.)
jest.setTimeout(30_000);

afterAll(killRunningServices);
