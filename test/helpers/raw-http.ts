import type { Socket } from "bun";

/**
 * A bare TCP connection speaking HTTP/1.1 by hand, for tests that need to control exactly when each byte of a
 * request is sent (an upload cut in half, `Expect: 100-continue` to learn the server is handling a request).
 */
export class RawConnection {
  received = "";
  private socket!: Socket<undefined>;
  private waiters: { pattern: RegExp; resolve: (text: string) => void; reject: (e: Error) => void }[] = [];
  private ended = false;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  private constructor() {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }

  /** Opens a connection to 127.0.0.1:`port`. */
  static async open(port: number): Promise<RawConnection> {
    const conn = new RawConnection();
    conn.socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_socket, data) => {
          conn.received += new TextDecoder().decode(data);
          conn.check();
        },
        close: () => conn.end(),
        error: () => conn.end(),
      },
    });
    return conn;
  }

  /** Sends `text` as is. */
  write(text: string): void {
    this.socket.write(text);
  }

  /** Resolves with everything received once it matches `pattern`; rejects if the connection closes first. */
  waitFor(pattern: RegExp): Promise<string> {
    if (pattern.test(this.received)) return Promise.resolve(this.received);
    if (this.ended)
      return Promise.reject(new Error(`connection closed; received: ${JSON.stringify(this.received)}`));
    return new Promise((resolve, reject) => this.waiters.push({ pattern, resolve, reject }));
  }

  /** Closes the connection from this side. */
  close(): void {
    this.socket.end();
  }

  private check() {
    this.waiters = this.waiters.filter((w) => {
      if (!w.pattern.test(this.received)) return true;
      w.resolve(this.received);
      return false;
    });
  }

  private end() {
    if (this.ended) return;
    this.ended = true;
    this.check();
    for (const w of this.waiters)
      w.reject(new Error(`connection closed; received: ${JSON.stringify(this.received)}`));
    this.waiters = [];
    this.markClosed();
  }
}

/** The head of an HTTP/1.1 request with a JSON body of `length` bytes that asks the server to confirm it started. */
export function jsonRequestHead(
  method: string,
  path: string,
  headers: Record<string, string>,
  length: number,
): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Content-Type: application/json",
    `Content-Length: ${length}`,
    "Expect: 100-continue",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}
