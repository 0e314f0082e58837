// A throw-away PKI in a temp folder for TLS tests (openssl, P-256 keys, valid 2 days): a CA, and
// certificates signed by it with the given extension line (subjectAltName, extendedKeyUsage, …).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestPki {
  dir: string;
  /** The path of a file in the folder: `${name}.crt`, `${name}.key`, … */
  file(name: string): string;
  /** A self-signed CA: `${name}.crt` and `${name}.key`. */
  ca(name: string): void;
  /** A certificate for `name` signed by the CA `by`, with one extension line such as `subjectAltName=IP:127.0.0.1`. */
  signed(name: string, by: string, ext: string): void;
  remove(): void;
}

export function createTestPki(prefix: string): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = (n: string): string => path.join(dir, n);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  return {
    dir,
    file,
    ca: (name) => ssl('req', '-x509', ...key, '-days', '2', '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`)),
    signed: (name, by, ext) => {
      ssl('req', ...key, '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
      writeFileSync(file(`${name}.ext`), `${ext}\n`);
      ssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${by}.crt`), '-CAkey', file(`${by}.key`), '-CAcreateserial', '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.crt`));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
