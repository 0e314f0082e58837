// What the encrypted `credentials` envelope of a cluster holds (lib/secrets.ts encrypts it, bound
// to the cluster id). Without etcd endpoints: the minimal kubeconfig text itself, exactly as before.
// With etcd endpoints: a JSON document {"quorumCredentials":1,"kubeconfig":…,"etcd":{…}} — etcd
// client certificates and keys are secrets too, so they live inside the same envelope rather than
// in a column of their own. Reading accepts both forms.
import type { EtcdTarget } from '../etcd/client';

export interface StoredCredentials {
  kubeconfig: string;
  etcd?: EtcdTarget;
}

const FORMAT = 1;

export function encodeCredentials(c: StoredCredentials): string {
  if (!c.etcd) return c.kubeconfig;
  return JSON.stringify({ quorumCredentials: FORMAT, kubeconfig: c.kubeconfig, etcd: c.etcd });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The decrypted envelope text → credentials. A plain kubeconfig (YAML or JSON) reads as itself. */
export function decodeCredentials(text: string): StoredCredentials {
  if (!text.startsWith('{"quorumCredentials"')) return { kubeconfig: text };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kubeconfig: text };
  }
  if (!isObj(v) || v.quorumCredentials !== FORMAT || typeof v.kubeconfig !== 'string') return { kubeconfig: text };
  const e = isObj(v.etcd) ? v.etcd : undefined;
  const endpoints = Array.isArray(e?.endpoints) ? e.endpoints.filter((x): x is string => typeof x === 'string') : [];
  if (!e || endpoints.length === 0) return { kubeconfig: v.kubeconfig };
  const certPem = optStr(e.certPem);
  const keyPem = optStr(e.keyPem);
  const caPem = optStr(e.caPem);
  return { kubeconfig: v.kubeconfig, etcd: { endpoints, ...(certPem ? { certPem } : {}), ...(keyPem ? { keyPem } : {}), ...(caPem ? { caPem } : {}) } };
}
