/** A Server-Sent Events reader over fetch: every event kept in order, waits look at history first. */
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

export interface SseStream {
  readonly events: SseEvent[];
  readonly status: number;
  /** Comment lines seen (heartbeats). */
  readonly comments: number;
  waitFor(p: (e: SseEvent) => boolean, timeoutMs?: number, what?: string): Promise<SseEvent>;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<{ p: (e: SseEvent) => boolean; r: (e: SseEvent) => void }>();
  let comments = 0;
  let buf = '';
  const push = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments++;
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    const e = { event, data: JSON.parse(data.join('\n')) as Record<string, unknown> };
    events.push(e);
    for (const w of [...waiters]) {
      if (w.p(e)) {
        waiters.delete(w);
        w.r(e);
      }
    }
  };
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          push(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    events,
    status: res.status,
    get comments() {
      return comments;
    },
    ended,
    waitFor(p, timeoutMs = 15_000, what = 'event') {
      const seen = events.find(p);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { p, r: (e: SseEvent) => (clearTimeout(timer), resolve(e)) };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`no ${what} within ${timeoutMs} ms; saw: ${events.map((e) => `${e.event}:${String(e.data['state'] ?? '')}`).join(', ')}`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    close: () => ac.abort(),
  };
}
