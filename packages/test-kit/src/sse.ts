// A minimal server-sent-events reader over fetch, for tests: parses `id`/`event`/`data` messages and lets a test
// await the first message that matches a condition.
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** Every message received so far. */
  messages: SseMessage[];
  /** Comment lines (heartbeats) received so far. */
  comments: number;
  /**
   * Resolves with the first matching message after the one the previous waitFor returned (already received or
   * future), so successive waits follow the stream's order; rejects after timeoutMs.
   */
  waitFor(match: (m: SseMessage) => boolean, timeoutMs?: number, label?: string): Promise<SseMessage>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const messages: SseMessage[] = [];
  const watchers = new Set<() => void>();
  /** Index of the first message the next waitFor may return. */
  let cursor = 0;
  const stream: SseStream = {
    status: res.status,
    headers: res.headers,
    messages,
    comments: 0,
    ended: Promise.resolve(),
    waitFor(match, timeoutMs = 5000, label = 'an SSE message') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const index = messages.findIndex((m, i) => i >= cursor && match(m));
          if (index < 0) return false;
          const found = messages[index]!;
          cursor = index + 1;
          clearTimeout(timer);
          watchers.delete(check as () => void);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          watchers.delete(check as () => void);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        if (!check()) watchers.add(check as () => void);
      });
    },
    close: () => abort.abort(),
  };
  if (!res.ok || !res.body) return stream;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  stream.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let id: string | undefined;
          let event = 'message';
          const data: string[] = [];
          let isComment = true;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            isComment = false;
            const [field, ...rest] = line.split(':');
            const value = rest.join(':').replace(/^ /, '');
            if (field === 'id') id = value;
            else if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
          }
          if (isComment) stream.comments++;
          else if (data.length > 0) messages.push({ id, event, data: data.join('\n') });
          for (const watcher of [...watchers]) watcher();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return stream;
}
