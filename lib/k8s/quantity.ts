// Kubernetes resource.Quantity parsing: "100m", "2", "1.5", "512Mi", "1G", "1e3", "2Ki".
// CPU is returned in millicores, everything else in base units (bytes for memory), rounded up to a
// whole unit exactly as resource.Quantity's MilliValue()/Value() do (integer arithmetic, no float error).

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const RE = /^([+-]?)(\d+\.?\d*|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

function parts(q: string): { sign: bigint; digits: bigint; pow10: number; pow2: number } {
  const m = RE.exec(q.trim());
  if (!m) throw new RangeError(`not a Kubernetes quantity: "${q}"`);
  const [int = '', frac = ''] = m[2]!.split('.');
  const suffix = m[4] ?? '';
  const pow10 = (m[3] ? Number(m[3].slice(1)) : (DECIMAL[suffix] ?? 0)) - frac.length;
  return { sign: m[1] === '-' ? -1n : 1n, digits: BigInt((int + frac) || '0'), pow10, pow2: BINARY[suffix] ?? 0 };
}

/** Parses a quantity into its numeric value in base units (a float); throws on malformed input. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const p = parts(q);
  return Number(p.sign * p.digits) * 10 ** p.pow10 * 2 ** p.pow2;
}

/** The quantity × 10^scale as a whole number, rounded up (away from zero) like resource.Quantity.ScaledValue. */
export function scaledValue(q: string | number, scale: number): number {
  if (typeof q === 'number') return Math.ceil(q * 10 ** scale);
  const p = parts(q);
  let n = p.digits * 2n ** BigInt(p.pow2);
  const e = p.pow10 + scale;
  if (e >= 0) n *= 10n ** BigInt(e);
  else {
    const d = 10n ** BigInt(-e);
    n = (n + d - 1n) / d;
  }
  return Number(p.sign * n);
}

export function cpuMillis(q: string | number | undefined): number {
  return q === undefined ? 0 : scaledValue(q, 3);
}

export function bytes(q: string | number | undefined): number {
  return q === undefined ? 0 : scaledValue(q, 0);
}
