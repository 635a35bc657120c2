// Scenario 7, live availability fan-out: N SSE subscribers (GET /api/events/{id}/availability/) on one API process
// while a hold storm hits the event they watch. Measures, for every message a subscriber receives, the time from the
// change to its delivery (the message id is the database-clock microsecond at which the event row changed, just
// before the commit, and the bench runs on the same machine, so receive time minus id is change-to-delivery), the
// API's memory per open subscriber, and the storm's hold rate beside the same storm with no subscriber.

export interface FanOutSubscribers {
  /** Change-to-delivery times of every message after the first (the initial value is not a change), ms. */
  latenciesMs: number[];
  messages: number;
  /** Subscribers whose stream failed or ended early. */
  failures: number;
  close(): Promise<void>;
}

/** Opens `count` streams, resolving once each has received its initial value. */
export async function openSubscribers(
  baseUrl: string,
  eventId: number,
  tokens: string[],
  count: number,
): Promise<FanOutSubscribers> {
  const latenciesMs: number[] = [];
  const state = { messages: 0, failures: 0 };
  const aborts: AbortController[] = [];
  const done: Promise<void>[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const abort = new AbortController();
    aborts.push(abort);
    let markReady!: () => void;
    ready.push(new Promise<void>((resolve) => (markReady = resolve)));
    done.push(
      (async () => {
        try {
          const res = await fetch(`${baseUrl}/api/events/${eventId}/availability/`, {
            headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, accept: 'text/event-stream' },
            signal: abort.signal,
          });
          if (res.status !== 200 || !res.body) throw new Error(`status ${res.status}`);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          let first = true;
          for (;;) {
            const { value, done: ended } = await reader.read();
            if (ended) throw new Error('stream ended');
            buffer += value;
            let cut: number;
            while ((cut = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              const id = /^id: (\d+)$/m.exec(block)?.[1];
              if (!id) continue;
              state.messages++;
              if (first) {
                first = false;
                markReady();
              } else {
                latenciesMs.push(Date.now() - Number(id) / 1000);
              }
            }
          }
        } catch {
          if (!abort.signal.aborted) state.failures++;
          markReady();
        }
      })(),
    );
  }
  await Promise.all(ready);
  return {
    latenciesMs,
    get messages() {
      return state.messages;
    },
    get failures() {
      return state.failures;
    },
    async close() {
      for (const a of aborts) a.abort();
      await Promise.all(done);
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
