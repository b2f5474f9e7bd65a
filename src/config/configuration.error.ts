/**
 * Thrown when the environment cannot start the service. The message names every
 * problem at once, each with how to fix it, so an operator fixes them in one go.
 */
export class ConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'ConfigurationError';
  }
}
