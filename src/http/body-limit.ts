/**
 * The one gate every JSON request body passes before anything reads it: its size, counted as the bytes
 * arrive (so a chunked body cannot get around a Content-Length check), and its nesting depth, scanned without
 * recursion. Both run before parsing, validation and idempotency hashing, so a hostile body costs at most one
 * linear pass over `maxBytes` and changes nothing.
 */
import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors.ts";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "./json-depth.ts";

/** Options for {@link jsonBodyLimit}. */
export interface JsonBodyLimitOptions {
  /** Largest body accepted, in bytes; a larger one is a 413 `payload-too-large`. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays accepted; a deeper body is a 400 `validation-failed`. */
  maxDepth?: number;
  /** Longest the whole body may take to arrive; a slower one is a 408 `request-timeout`. */
  timeoutMs?: number;
}

/**
 * Middleware bounding request bodies by size and JSON nesting depth. It reads the body once, checks it and
 * hands the same bytes on, so validators downstream (`c.req.json()`, `c.req.text()`) read them as usual.
 * Every body on the paths it guards is scanned whatever its content type: they are all read as JSON (SNS
 * labels its JSON `text/plain`), and a content-type label must not be a way around the limit.
 *
 * @example
 * ```ts
 * app.use("/v1/*", jsonBodyLimit({ maxBytes: 1024 * 1024 }));
 * ```
 */
export function jsonBodyLimit(options: JsonBodyLimitOptions): MiddlewareHandler {
  const { maxBytes, maxDepth = MAX_JSON_DEPTH, timeoutMs = 10_000 } = options;
  const tooLarge = () => new AppError("payload-too-large", `The body exceeds ${maxBytes} bytes`);
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const declared = raw.headers.get("content-length");
    if (declared !== null && !raw.headers.has("transfer-encoding") && Number(declared) > maxBytes) {
      throw tooLarge();
    }
    // With a declared length (checked above) the runtime reads exactly that many bytes: its native read is much
    // cheaper than a JS stream reader. Without one (chunked), count the bytes as they arrive.
    const reading =
      declared !== null && !raw.headers.has("transfer-encoding")
        ? raw.arrayBuffer().then((buffer) => new Uint8Array(buffer))
        : readAtMost(raw.body, maxBytes);
    // A client that trickles its body in (a byte every few seconds) would hold the connection without ever
    // tripping the idle timeout: the whole body has `timeoutMs` to arrive.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), timeoutMs);
    });
    const bytes = await Promise.race([reading, late]).finally(() => clearTimeout(timer));
    if (bytes === "late") {
      reading.catch(() => {});
      c.header("connection", "close");
      throw new AppError("request-timeout", `The body did not arrive within ${timeoutMs} ms`);
    }
    if (!bytes) throw tooLarge();
    if (exceedsJsonDepth(bytes, maxDepth)) {
      const message = `nested deeper than ${maxDepth} levels of objects and arrays`;
      throw new AppError("validation-failed", `The body is ${message}`, {
        errors: [{ path: "(body)", message }],
      });
    }
    c.req.raw = new Request(raw, { body: bytes });
    await next();
  };
}

/** The whole stream, or null (and the stream cancelled) as soon as it passes `maxBytes`. */
async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      // Stop receiving: the rest of the body would only be read to be thrown away.
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
