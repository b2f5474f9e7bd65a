import { killRunningServices } from './service-process';

// Loaded by jest after each e2e file's framework is set up (jest.config.js, setupFilesAfterEnv).
afterAll(killRunningServices);
