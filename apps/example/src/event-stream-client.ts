/** One Server-Sent Event. */
export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/** A Server-Sent Events stream being read. */
export interface EventStreamClient {
  /** The next event; rejects after `timeoutMs` (default 10 000) or when the stream ends. */
  next(options?: { timeoutMs?: number }): Promise<ServerSentEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Disconnects. */
  close(): void;
}

/**
 * A small Server-Sent Events reader over `fetch`, for the demo and the tests (a browser
 * has `EventSource`; `curl -N` works too). Events are queued, so none is missed between
 * two `next()` calls.
 *
 * @example
 * ```ts
 * const events = await openEventStream('http://127.0.0.1:3000/events');
 * const ready = await events.next(); // { event: 'ready', … }
 * events.close();
 * ```
 */
export async function openEventStream(url: string): Promise<EventStreamClient> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status}`);
  const queued: ServerSentEvent[] = [];
  const waiting: Array<() => void> = [];
  let done = false;
  const wake = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const parsed = parseEvent(buffer.slice(0, end));
          if (parsed) queued.push(parsed);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
        wake();
      }
    } catch {
      // Aborted by close(), or the connection dropped: either way the stream is over.
    } finally {
      done = true;
      wake();
    }
  })();

  return {
    ended,
    close: () => controller.abort(),
    async next(options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 10_000);
      while (queued.length === 0) {
        if (done) throw new Error(`The event stream ${url} ended`);
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`No event from ${url} within ${options.timeoutMs ?? 10_000} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return queued.shift()!;
    },
  };
}

// One event block: `event:`, `data:` (joined by newlines) and `id:` lines; `:` lines are comments.
function parseEvent(block: string): ServerSentEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  return data.length === 0 && event === 'message'
    ? undefined
    : { event, data: data.join('\n'), id };
}
