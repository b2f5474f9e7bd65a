import { OFFLINE_CLIENT } from '../config/development-defaults';

/** The running offline emulator, as main.ts needs it. */
export interface OfflineSpotify {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the local Spotify Accounts emulator for a development start without Spotify
 * credentials. Imported lazily, so production never loads the emulator's code.
 */
export async function startOfflineSpotify(redirectUris: readonly string[]): Promise<OfflineSpotify> {
  const { SpotifyEmulator } = await import('./spotify-emulator');
  const emulator = new SpotifyEmulator({
    clients: [{ ...OFFLINE_CLIENT, redirectUris: [...redirectUris] }],
    recordRequests: false,
  });
  const url = await emulator.start(0);
  return { url, stop: () => emulator.stop() };
}
