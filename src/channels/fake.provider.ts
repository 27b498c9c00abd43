/**
 * Scriptable in-memory providers for tests and benchmarks: they record every call (with the clock's time)
 * and answer with whatever the script says, so a test can make the third SMS time out or every email throttle.
 * Plain objects implementing the same interfaces as SES, SNS and the outbox.
 */
import type { Clock } from "../clock.ts";
import type { Channel, OutgoingEmail, OutgoingSms, Providers, SendReceipt } from "./types.ts";

/** One recorded provider call. */
export type FakeCall =
  | { channel: "email"; at: number; message: OutgoingEmail }
  | { channel: "sms"; at: number; message: OutgoingSms };

/** Decides the answer to a call: return a receipt (or undefined for a generated one), or throw a ProviderError. */
export type FakeScript = (
  call: FakeCall,
  signal: AbortSignal,
) => SendReceipt | undefined | Promise<SendReceipt | undefined>;

/** Fake providers plus their call log and script. */
export interface FakeProviders extends Providers {
  readonly calls: FakeCall[];
  /** Replaces the script (the default accepts everything). */
  script(script: FakeScript): void;
  /** Calls on one channel. */
  callsOn(channel: Channel): FakeCall[];
}

/** Fake email and SMS providers on `clock`. `record: false` keeps no log (for benchmarks). */
export function createFakeProviders(clock: Clock, options: { record?: boolean } = {}): FakeProviders {
  const calls: FakeCall[] = [];
  const record = options.record ?? true;
  let current: FakeScript = () => undefined;
  let sequence = 0;

  async function handle(call: FakeCall, signal: AbortSignal): Promise<SendReceipt> {
    if (record) calls.push(call);
    const receipt = await current(call, signal);
    return receipt ?? { providerMessageId: `fake-${call.channel}-${++sequence}` };
  }

  return {
    calls,
    email: {
      name: "fake",
      sendEmail: (message, signal) => handle({ channel: "email", at: clock.now(), message }, signal),
    },
    sms: {
      name: "fake",
      sendSms: (message, signal) => handle({ channel: "sms", at: clock.now(), message }, signal),
    },
    script(script) {
      current = script;
    },
    callsOn: (channel) => calls.filter((c) => c.channel === channel),
  };
}
