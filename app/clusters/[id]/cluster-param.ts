/** The [id] segment as typed: an id or a name. Tolerates stray "%" (never throws URIError). */
export function clusterParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
