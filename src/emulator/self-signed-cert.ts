import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM private key and certificate, as `https.createServer` takes them. */
export interface SelfSignedCert {
  key: string;
  cert: string;
}

/**
 * A throwaway P-256 certificate for 127.0.0.1, ::1 and localhost, valid one day.
 * Node cannot build X.509 certificates itself, so this runs the `openssl` CLI; callers trust
 * the result by passing `cert` as `ca`. For tests and benchmarks only.
 */
export function createSelfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), 'spotify-emulator-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req', '-x509',
        '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
        '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        '-keyout', keyPath,
        '-out', certPath,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
