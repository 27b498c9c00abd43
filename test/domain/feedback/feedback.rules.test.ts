import { describe, expect, test } from "bun:test";
import { feedbackTransition } from "../../../src/domain/feedback/feedback.rules.ts";
import { isSesFeedback, parseSesFeedback } from "../../../src/domain/feedback/ses-feedback.rules.ts";
import { isSmsStatus, parseSmsStatus } from "../../../src/domain/feedback/sms-status.rules.ts";
import { sesBounce, sesComplaint, sesDelivery, smsStatus } from "../../fixtures/sns/sns-signer.ts";

describe("feedbackTransition", () => {
  test("moves sent or delivered deliveries, never back out of bounced or complained", () => {
    expect(feedbackTransition("sent", "delivered")).toBe("delivered");
    expect(feedbackTransition("sent", "bounced")).toBe("bounced");
    expect(feedbackTransition("delivered", "complained")).toBe("complained");
    expect(feedbackTransition("delivered", "delivered")).toBeNull();
    expect(feedbackTransition("bounced", "delivered")).toBeNull();
    expect(feedbackTransition("complained", "bounced")).toBeNull();
    for (const status of ["queued", "leased", "failed", "skipped", "cancelled", "unknown"] as const) {
      expect(feedbackTransition(status, "delivered")).toBeNull();
    }
  });

  test("strips addresses and numbers from provider text", () => {
    expect(parseSesFeedback(sesBounce("ses-0", "Ann@Example.com"))?.errorMessage).toBe(
      "Permanent bounce (General) 5.1.1: smtp; 550 5.1.1 <[email]>: user unknown",
    );
    expect(
      parseSmsStatus(smsStatus("sns-0", "+15551230001", "FAILURE", "Phone +1 (555) 123-0001 is opted out"))
        ?.errorMessage,
    ).toBe("Phone [phone] is opted out");
  });
});

describe("SES feedback", () => {
  test("a permanent bounce suppresses the normalised address with its subtype, without the address in the log text", () => {
    const fb = parseSesFeedback(sesBounce("ses-1", "Ann@Example.com", "Permanent", "NoEmail"));
    expect(fb).toMatchObject({
      channel: "email",
      providerMessageId: "ses-1",
      outcome: "bounced",
      errorCode: "Permanent:NoEmail",
      suppress: { contacts: ["ann@example.com"], reason: "bounce", source: "ses", detail: "NoEmail" },
    });
    expect(fb?.errorMessage).not.toContain("example.com");
  });

  test("a transient bounce marks the delivery bounced but suppresses nothing", () => {
    expect(parseSesFeedback(sesBounce("ses-2", "a@example.com", "Transient", "MailboxFull"))).toMatchObject({
      outcome: "bounced",
      suppress: null,
    });
  });

  test("any complaint suppresses; a delivery only marks delivered", () => {
    expect(parseSesFeedback(sesComplaint("ses-3", "b@example.com"))).toMatchObject({
      outcome: "complained",
      suppress: { contacts: ["b@example.com"], reason: "complaint", detail: "abuse" },
    });
    expect(parseSesFeedback(sesDelivery("ses-4", "c@example.com"))).toMatchObject({
      outcome: "delivered",
      suppress: null,
    });
  });

  test("configuration-set events (eventType) are read too; other types and junk are not feedback", () => {
    const { notificationType: _, ...event } = sesComplaint("ses-5", "d@example.com");
    expect(parseSesFeedback({ ...event, eventType: "Complaint" })).toMatchObject({ outcome: "complained" });
    expect(parseSesFeedback({ eventType: "Open", mail: { messageId: "x" } })).toBeNull();
    expect(parseSesFeedback({ notificationType: "Bounce", mail: {} })).toBeNull();
    expect(isSesFeedback(sesDelivery("x", "e@example.com"))).toBe(true);
    expect(isSesFeedback(smsStatus("x", "+15551230001", "SUCCESS", "ok"))).toBe(false);
  });
});

describe("SMS delivery status", () => {
  test("SUCCESS is delivered and carries the provider's price", () => {
    expect(
      parseSmsStatus(
        smsStatus("sns-1", "+15551230001", "SUCCESS", "Message has been accepted by phone carrier"),
      ),
    ).toMatchObject({
      channel: "sms",
      providerMessageId: "sns-1",
      outcome: "delivered",
      priceUsd: 0.00645,
      suppress: null,
    });
  });

  test("FAILURE is a bounce; an opted-out number is also suppressed", () => {
    expect(
      parseSmsStatus(
        smsStatus("sns-2", "+15551230001", "FAILURE", "Phone is currently unreachable/unavailable"),
      ),
    ).toMatchObject({
      outcome: "bounced",
      errorCode: "carrier-failure",
      suppress: null,
    });
    expect(
      parseSmsStatus(smsStatus("sns-3", "+1 555 123 0001", "FAILURE", "Phone is opted out")),
    ).toMatchObject({
      outcome: "bounced",
      errorCode: "opted-out",
      suppress: { contacts: ["+15551230001"], reason: "opt-out", source: "sns" },
    });
  });

  test("other statuses and shapes are not feedback", () => {
    expect(parseSmsStatus(smsStatus("sns-4", "+15551230001", "PENDING" as "SUCCESS", "x"))).toBeNull();
    expect(isSmsStatus({ status: "SUCCESS" })).toBe(false);
  });
});
