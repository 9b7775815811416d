/** A named dependency check: resolves when the dependency answers. */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

/**
 * Runs every check at once, each bounded by `timeoutMs`: `ok` and, per check, 'ok' or why not.
 * Served as /readyz by the API and by each worker.
 */
export async function runReadiness(checks: ReadinessChecks, timeoutMs = 2000): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, (err as Error).message || 'failed'] as const;
      }
    }),
  );
  return { ok: results.every(([, s]) => s === 'ok'), checks: Object.fromEntries(results) };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
