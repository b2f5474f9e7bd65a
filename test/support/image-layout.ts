/**
 * The container image's runtime stage, for specs that check the Dockerfile and reproduce its
 * layout without an engine: one definition, so the two cannot drift apart.
 */

/** What the runtime stage copies from the build context; dist/ comes from the build stage. */
export const RUNTIME_CONTEXT_FILES = ['package.json', 'package-lock.json'] as const;

/** How the runtime stage installs dependencies: production only, no install scripts. */
export const RUNTIME_INSTALL_ARGS = ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'] as const;
