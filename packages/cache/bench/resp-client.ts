import { connect, type Socket } from 'node:net';

type Reply = string | null;

/**
 * A minimal Redis client for the benchmark: RESP2 over one TCP socket, one command in flight
 * at a time (no pipelining), replies of the simple-string, error, integer and bulk kinds.
 */
export class RespClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #pending: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      this.#drain();
    });
    socket.on('error', (error) => this.#pending?.reject(error));
  }

  static open(port = 6379, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RespClient(socket)));
      socket.once('error', reject);
    });
  }

  command(...parts: string[]): Promise<Reply> {
    if (this.#pending) throw new Error('RespClient sends one command at a time');
    let frame = `*${parts.length}\r\n`;
    for (const part of parts) frame += `$${Buffer.byteLength(part)}\r\n${part}\r\n`;
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#socket.write(frame);
    });
  }

  close(): void {
    this.#socket.end();
  }

  #drain(): void {
    const lineEnd = this.#buffer.indexOf('\r\n');
    if (lineEnd < 0 || !this.#pending) return;
    const kind = String.fromCharCode(this.#buffer[0]!);
    const head = this.#buffer.toString('utf8', 1, lineEnd);
    let reply: Reply;
    let consumed = lineEnd + 2;
    if (kind === '$') {
      const length = Number(head);
      if (length >= 0 && this.#buffer.length < consumed + length + 2) return; // partial bulk
      reply = length < 0 ? null : this.#buffer.toString('utf8', consumed, consumed + length);
      if (length >= 0) consumed += length + 2;
    } else {
      reply = head;
    }
    this.#buffer = this.#buffer.subarray(consumed);
    const pending = this.#pending;
    this.#pending = undefined;
    if (kind === '-') pending.reject(new Error(`Redis: ${head}`));
    else pending.resolve(reply);
  }
}
