import { safeEqual } from '../common/safe-equal';
import type { EmulatorClient } from './emulator.types';

/** The app the emulator knows when none is configured (the service's offline mode registers its own). */
export const DEFAULT_CLIENT: Readonly<EmulatorClient> = {
  clientId: 'emulator-client-id',
  clientSecret: 'emulator-client-secret',
  redirectUris: [],
};

/** A registered app; redirect URIs may grow after start because the service learns its port late. */
export interface RegisteredClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: Set<string>;
}

/** The apps registered with the emulator, like Spotify's developer dashboard. */
export class ClientRegistry {
  private readonly clients = new Map<string, RegisteredClient>();

  constructor(clients: readonly EmulatorClient[]) {
    if (clients.length === 0) throw new Error('SpotifyEmulator needs at least one client');
    for (const { clientId, clientSecret, redirectUris } of clients) {
      this.clients.set(clientId, { clientId, clientSecret, redirectUris: new Set(redirectUris) });
    }
  }

  /** The first registered client, used when a caller does not name one. */
  get defaultClientId(): string {
    return this.clients.keys().next().value as string;
  }

  find(clientId: string | undefined): RegisteredClient | undefined {
    return clientId === undefined ? undefined : this.clients.get(clientId);
  }

  /** Finds a client or throws, for helpers whose caller named a client that must exist. */
  require(clientId: string): RegisteredClient {
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`SpotifyEmulator: unknown client id ${clientId}`);
    return client;
  }

  registerRedirectUri(clientId: string, uri: string): void {
    this.require(clientId).redirectUris.add(uri);
  }
}

/** Compares a presented secret with the registered one without leaking where they differ. */
export function secretMatches(client: RegisteredClient, presented: string): boolean {
  return safeEqual(client.clientSecret, presented);
}
