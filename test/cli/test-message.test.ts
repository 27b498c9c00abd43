/**
 * `herald test-email` / `herald test-sms` through the real CLI dispatcher, the real AWS SDK and the providers
 * the configuration picks, against the local fake SES/SNS endpoint.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import type { CliIo } from "../../src/cli/command.ts";
import { runCli } from "../../src/cli.ts";
import { fakeAwsSdkEnv, startFakeAws } from "../helpers/fake-aws.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const fake = startFakeAws();
afterAll(() => fake.stop());

// The SDK's standard configuration: dummy credentials and the per-service endpoint variables.
Object.assign(process.env, fakeAwsSdkEnv(fake.url));

const dbPath = join(tempDir(), "herald.db");
const awsEnv = {
  DATABASE_URL: `file:${dbPath}`,
  HERALD_LOG_LEVEL: "silent",
  HERALD_EMAIL_PROVIDER: "ses",
  HERALD_SMS_PROVIDER: "sns",
  HERALD_EMAIL_FROM: "alerts@herald.example.com",
  HERALD_PROVIDER_TIMEOUT_MS: "2000",
};

async function herald(args: string[], env: Record<string, string> = awsEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false };
  const code = await runCli(args, io, env);
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("herald test-email", () => {
  test("sends one email through SES and prints the provider's message id", async () => {
    fake.calls.length = 0;
    fake.reply(() => ({ kind: "ok", messageId: "0100018f-ses-test-id" }));
    const res = await herald(["test-email", "ops@example.com"]);
    expect(res).toMatchObject({ code: 0, stdout: "0100018f-ses-test-id" });
    expect(fake.calls).toHaveLength(1);
    const [call] = fake.calls;
    expect(call?.action).toBe("SendRawEmail");
    expect(call?.email?.headers.to).toContain("ops@example.com");
    expect(call?.email?.headers.from).toContain("alerts@herald.example.com");
    expect(call?.email?.text).toContain("test email from Herald");
  });

  test("a permanent rejection prints the classified error, without the address, and exits 1", async () => {
    fake.reply(() => ({
      kind: "error",
      status: 400,
      code: "MessageRejected",
      message:
        "Email address is not verified. The following identities failed the check in region US-EAST-1: ops@example.com",
    }));
    const res = await herald(["test-email", "ops@example.com"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain(
      "failed: permanent (message-rejected; provider code MessageRejected, HTTP 400)",
    );
    expect(res.stderr).toContain("Email address is not verified");
    expect(res.stderr).not.toContain("ops@example.com");
  });

  test("with the outbox provider the message is captured, not sent", async () => {
    fake.calls.length = 0;
    const outboxEnv = { DATABASE_URL: `file:${join(tempDir(), "outbox.db")}`, HERALD_LOG_LEVEL: "silent" };
    const res = await herald(["test-email", "ops@example.com"], outboxEnv);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain("captured in the outbox");
    const client = createClient({ url: outboxEnv.DATABASE_URL });
    const rows = (await client.execute("SELECT id, channel FROM outbox_messages")).rows;
    client.close();
    expect(rows).toEqual([expect.objectContaining({ id: res.stdout, channel: "email" })]);
    expect(fake.calls).toHaveLength(0);
  });

  test("arguments are validated (exit 64) before anything is sent", async () => {
    fake.calls.length = 0;
    for (const args of [
      ["test-email"],
      ["test-email", "not-an-address"],
      ["test-email", "a@example.com", "b@example.com"],
    ]) {
      expect((await herald(args)).code).toBe(64);
    }
    expect(fake.calls).toHaveLength(0);
  });
});

describe("herald test-sms", () => {
  test("sends one SMS through SNS and prints the provider's message id", async () => {
    fake.calls.length = 0;
    fake.reply(() => ({ kind: "ok", messageId: "sns-test-id-1" }));
    const res = await herald(["test-sms", "+15555550100"]);
    expect(res).toMatchObject({ code: 0, stdout: "sns-test-id-1" });
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.sms).toMatchObject({ phoneNumber: "+15555550100" });
    expect(fake.calls[0]?.sms?.message).toContain("test message");
  });

  test("a permanent rejection prints the classified error, without the number, and exits 1", async () => {
    fake.reply(() => ({
      kind: "error",
      status: 400,
      code: "InvalidParameter",
      message: "Invalid parameter: PhoneNumber Reason: +15555550100 is not valid",
    }));
    const res = await herald(["test-sms", "+15555550100"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      "failed: permanent (invalid-parameter; provider code InvalidParameter, HTTP 400)",
    );
    expect(res.stderr).not.toContain("5555550100");
  });

  test("an account problem says nothing can be sent until an operator acts", async () => {
    fake.reply(() => ({
      kind: "error",
      status: 403,
      code: "AuthorizationError",
      message: "User is not authorized to perform SNS:Publish",
    }));
    const res = await herald(["test-sms", "+15555550100"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("failed: account (authorization-error");
  });

  test("arguments are validated (exit 64) before anything is sent", async () => {
    fake.calls.length = 0;
    for (const args of [
      ["test-sms"],
      ["test-sms", "5555550100"],
      ["test-sms", "+0123"],
      ["test-sms", "+15555550100", "+15555550101"],
    ]) {
      expect((await herald(args)).code).toBe(64);
    }
    expect(fake.calls).toHaveLength(0);
  });
});
