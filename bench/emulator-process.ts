import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import type { ControlReply, ControlRequest, EmulatorAnswers, EmulatorCommand } from './control';

/** The Spotify Accounts emulator as a child of the bench driver, steered over IPC. */
let emulator: SpotifyEmulator | undefined;

function running(): SpotifyEmulator {
  if (!emulator) throw new Error('emulator not started');
  return emulator;
}

async function execute(command: EmulatorCommand): Promise<EmulatorAnswers[EmulatorCommand['type']]> {
  switch (command.type) {
    case 'start':
      emulator = new SpotifyEmulator({ tls: command.tls, clients: [command.client], recordRequests: false });
      return emulator.start(0);
    case 'latency':
      running().latencyMs = command.ms;
      return null;
    case 'mint': {
      const codes: string[] = [];
      for (let index = 0; index < command.count; index += 1) codes.push(running().mintCode({ redirectUri: command.redirectUri }));
      return codes;
    }
    case 'reset':
      running().resetCounters();
      running().clearRequests();
      return null;
    case 'forget-codes':
      running().forgetCodes();
      return null;
    case 'connections':
      return running().connectionsAccepted;
  }
}

process.on('message', (message: ControlRequest) => {
  execute(message.command).then(
    (result) => process.send?.({ id: message.id, result } satisfies ControlReply),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) } satisfies ControlReply),
  );
});

// The driver going away, by any means, ends the emulator too.
process.on('disconnect', () => {
  void (emulator?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
