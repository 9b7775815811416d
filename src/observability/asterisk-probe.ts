/**
 * Readiness probe for Asterisk as the API sees it: one authenticated `GET /ari/asterisk/ping`.
 * The API holds no ARI connection of its own, so this is a plain HTTP request with a timeout.
 */
export function asteriskProbe(ari: { url: string; user: string; password: string }, timeoutMs = 1500): () => Promise<void> {
  const endpoint = new URL('/ari/asterisk/ping', ari.url).toString();
  const auth = `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}`;
  return async () => {
    const res = await fetch(endpoint, { headers: { authorization: auth }, signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`ARI answered ${res.status}`);
  };
}
