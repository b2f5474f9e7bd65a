import { SpotifyEmulator } from '../../src/emulator/spotify-emulator';
import { SpotifyEmulatorOptions } from '../../src/emulator/emulator.types';
import { TEST_CLIENT } from './test-app';

export const MOBILE_CALLBACK = 'myapp://callback';
export const OTHER_MOBILE_CALLBACK = 'myapp://other-callback';

/** A real emulator on a free port, registered for the test client and the mobile callbacks. */
export async function startEmulator(options: SpotifyEmulatorOptions = {}): Promise<SpotifyEmulator> {
  const emulator = new SpotifyEmulator({
    clients: [{ ...TEST_CLIENT, redirectUris: [MOBILE_CALLBACK, OTHER_MOBILE_CALLBACK] }],
    ...options,
  });
  await emulator.start(0);
  return emulator;
}

/** The calls the emulator's token endpoint received: code exchanges and refreshes. */
export function tokenRequests(emulator: SpotifyEmulator) {
  return emulator.requests.filter((received) => received.path === '/api/token');
}
