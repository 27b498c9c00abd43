/**
 * A local stand-in for Amazon SES and SNS speaking their query protocol: it parses `SendRawEmail` and `Publish`
 * form posts as the real AWS SDK sends them and answers with real-format XML (results and `ErrorResponse`s),
 * so adapter tests exercise the SDK's signing, serialisation, error parsing and timeouts. Point the SDK at it
 * with AWS_ENDPOINT_URL_SES / AWS_ENDPOINT_URL_SNS and dummy credentials.
 *
 * In-process: `startFakeAws()` and script the replies. As a process (`bun test/helpers/fake-aws.ts`, for crash
 * tests): it appends one JSON line per call to FAKE_AWS_LOG before answering, writes its port to
 * FAKE_AWS_PORT_FILE, waits up to FAKE_AWS_LATENCY_MS per call, and when a recipient contains FAKE_AWS_KILL_MARKER
 * it SIGKILLs the pid in FAKE_AWS_PID_FILE (the server) before answering.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";

/** An email as SES received it. */
export interface ReceivedEmail {
  raw: string;
  /** Header values by lower-case name, unfolded (still RFC 2047 encoded where the sender encoded them). */
  headers: Record<string, string>;
  text: string | null;
  html: string | null;
}

/** One request the fake received. */
export interface FakeAwsCall {
  service: "ses" | "sns";
  action: string;
  params: Record<string, string>;
  email?: ReceivedEmail;
  sms?: { phoneNumber: string; message: string; attributes: Record<string, string> };
  receivedAt: number;
}

/** How to answer one call. */
export type FakeAwsReply =
  | { kind: "ok"; messageId?: string }
  | { kind: "error"; status: number; code: string; message: string; type?: "Sender" | "Receiver" }
  | { kind: "delay"; ms: number; next: FakeAwsReply };

/** A running fake. */
export interface FakeAws {
  url: string;
  port: number;
  calls: FakeAwsCall[];
  /** Sets the reply for every following call (default: success). */
  reply(script: (call: FakeAwsCall) => FakeAwsReply): void;
  stop(): Promise<void>;
}

const NS = {
  ses: "http://ses.amazonaws.com/doc/2010-12-01/",
  sns: "http://sns.amazonaws.com/doc/2010-03-31/",
};

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Splits a MIME entity into unfolded headers and body. */
function splitEntity(entity: string): { headers: Record<string, string>; body: string } {
  const at = entity.indexOf("\r\n\r\n");
  const head = at < 0 ? entity : entity.slice(0, at);
  const body = at < 0 ? "" : entity.slice(at + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

/** Parses the raw message SES got: headers plus the decoded text and HTML parts. */
export function parseRawEmail(raw: string): ReceivedEmail {
  const { headers, body } = splitEntity(raw);
  const boundary = /boundary="([^"]+)"/.exec(headers["content-type"] ?? "")?.[1];
  let text: string | null = null;
  let html: string | null = null;
  if (boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith("--")) break;
      const entity = splitEntity(part.replace(/^\r\n/, ""));
      const decoded =
        entity.headers["content-transfer-encoding"] === "base64"
          ? Buffer.from(entity.body.replace(/\s+/g, ""), "base64").toString("utf8")
          : entity.body;
      if (entity.headers["content-type"]?.startsWith("text/plain")) text = decoded;
      if (entity.headers["content-type"]?.startsWith("text/html")) html = decoded;
    }
  }
  return { raw, headers, text, html };
}

/** Decodes RFC 2047 encoded-words (B and Q) in a header value. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(
            text
              .replace(/_/g, " ")
              .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            "latin1",
          ).toString("utf8"),
    );
}

function toCall(params: Record<string, string>): FakeAwsCall {
  const action = params.Action ?? "";
  const call: FakeAwsCall = {
    service: action === "Publish" ? "sns" : "ses",
    action,
    params,
    receivedAt: Date.now(),
  };
  if (action === "SendRawEmail") {
    call.email = parseRawEmail(Buffer.from(params["RawMessage.Data"] ?? "", "base64").toString("utf8"));
  }
  if (action === "Publish") {
    const attributes: Record<string, string> = {};
    for (let i = 1; params[`MessageAttributes.entry.${i}.Name`]; i++) {
      attributes[params[`MessageAttributes.entry.${i}.Name`] as string] =
        params[`MessageAttributes.entry.${i}.Value.StringValue`] ?? "";
    }
    call.sms = { phoneNumber: params.PhoneNumber ?? "", message: params.Message ?? "", attributes };
  }
  return call;
}

let sequence = 0;

/** The XML body and status for a reply. */
function render(
  call: FakeAwsCall,
  reply: Exclude<FakeAwsReply, { kind: "delay" }>,
): { status: number; body: string } {
  const ns = NS[call.service];
  const requestId = crypto.randomUUID();
  if (reply.kind === "error") {
    return {
      status: reply.status,
      body: `<ErrorResponse xmlns="${ns}"><Error><Type>${reply.type ?? (reply.status >= 500 ? "Receiver" : "Sender")}</Type><Code>${xmlEscape(reply.code)}</Code><Message>${xmlEscape(reply.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  const messageId = reply.messageId ?? `fake-${call.service}-${++sequence}-${requestId.slice(0, 8)}`;
  const result = call.action === "Publish" ? "Publish" : call.action;
  return {
    status: 200,
    body: `<${result}Response xmlns="${ns}"><${result}Result><MessageId>${messageId}</MessageId></${result}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${result}Response>`,
  };
}

/**
 * The AWS SDK's standard configuration pointed at a fake listening on `url`: dummy credentials and the per-service
 * endpoint variables, for `process.env` of an in-process test.
 */
export function fakeAwsSdkEnv(url: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: "AKIDFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_SES: url,
    AWS_ENDPOINT_URL_SNS: url,
  };
}

/** Starts the fake on `port` (0: any free port). */
export function startFakeAws(options: { port?: number; onCall?: (call: FakeAwsCall) => void } = {}): FakeAws {
  let script: (call: FakeAwsCall) => FakeAwsReply = () => ({ kind: "ok" });
  const calls: FakeAwsCall[] = [];
  const server = Bun.serve({
    port: options.port ?? 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(request) {
      const params = Object.fromEntries(new URLSearchParams(await request.text()));
      const call = toCall(params);
      calls.push(call);
      options.onCall?.(call);
      let reply = script(call);
      while (reply.kind === "delay") {
        await Bun.sleep(reply.ms);
        reply = reply.next;
      }
      const { status, body } = render(call, reply);
      return new Response(body, {
        status,
        headers: { "content-type": "text/xml", "x-amzn-requestid": crypto.randomUUID() },
      });
    },
  });
  const port = server.port as number;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    reply(next) {
      script = next;
    },
    stop: () => server.stop(true),
  };
}

if (import.meta.main) {
  const log = process.env.FAKE_AWS_LOG;
  const marker = process.env.FAKE_AWS_KILL_MARKER;
  const pidFile = process.env.FAKE_AWS_PID_FILE;
  const latencyMs = Number(process.env.FAKE_AWS_LATENCY_MS ?? 0);
  const fake = startFakeAws({
    onCall(call) {
      const to = call.email ? decodeHeader(call.email.headers.to ?? "") : (call.sms?.phoneNumber ?? "");
      // Logged before answering: a line means the provider received the message, whatever happens next.
      if (log) appendFileSync(log, `${JSON.stringify({ t: Date.now(), service: call.service, to })}\n`);
      if (marker && pidFile && to.includes(marker)) {
        const pid = Number(readFileSync(pidFile, "utf8"));
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    },
  });
  if (latencyMs > 0)
    fake.reply(() => ({ kind: "delay", ms: Math.random() * latencyMs, next: { kind: "ok" } }));
  if (process.env.FAKE_AWS_PORT_FILE) writeFileSync(process.env.FAKE_AWS_PORT_FILE, String(fake.port));
  process.on("SIGTERM", () => void fake.stop().then(() => process.exit(0)));
}
