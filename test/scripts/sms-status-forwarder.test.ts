import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { recordsOf } from "../../scripts/aws/sms-status-forwarder.mjs";
import { isSmsStatus, parseSmsStatus } from "../../src/domain/feedback/sms-status.rules.ts";
import { smsStatus } from "../fixtures/sns/sns-signer.ts";

/** A CloudWatch Logs subscription event as Lambda receives it: the JSON batch, gzipped, base64-encoded. */
function subscriptionEvent(payload: object) {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString("base64") } };
}

const success = JSON.stringify(
  smsStatus(
    "8e2b3c4d-1111-5222-8333-944455566677",
    "+15551230042",
    "SUCCESS",
    "Message has been accepted by phone carrier",
  ),
);
const failure = JSON.stringify(
  smsStatus("8e2b3c4d-1111-5222-8333-944455566678", "+15551230043", "FAILURE", "Phone is opted out"),
);

describe("sms-status forwarder", () => {
  test("yields each log record of a data message unchanged, in order, in the form Herald's webhook parses", () => {
    const event = subscriptionEvent({
      messageType: "DATA_MESSAGE",
      owner: "123456789012",
      logGroup: "sns/us-east-1/123456789012/DirectPublishToPhoneNumber",
      logStream: "2b6a0e2c-4c83-4d87-bf36-example",
      subscriptionFilters: ["herald-sms-status"],
      logEvents: [
        { id: "37564913938838402380", timestamp: 1768478400000, message: success },
        { id: "37564913938838402381", timestamp: 1768478400100, message: failure },
      ],
    });
    const records = recordsOf(event);
    expect(records).toEqual([success, failure]);
    const parsed = records.map((r) => JSON.parse(r) as unknown);
    expect(parsed.every(isSmsStatus)).toBe(true);
    expect(parseSmsStatus(parsed[1])).toMatchObject({
      providerMessageId: "8e2b3c4d-1111-5222-8333-944455566678",
    });
  });

  test("yields nothing for the control message CloudWatch Logs sends when a filter is created", () => {
    const event = subscriptionEvent({
      messageType: "CONTROL_MESSAGE",
      owner: "CloudwatchLogs",
      logGroup: "",
      logStream: "",
      subscriptionFilters: [],
      logEvents: [
        { id: "", timestamp: 1768478400000, message: "CWL CONTROL MESSAGE: Checking health of destination" },
      ],
    });
    expect(recordsOf(event)).toEqual([]);
  });
});
