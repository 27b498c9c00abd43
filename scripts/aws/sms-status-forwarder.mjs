/**
 * AWS Lambda handler (Node.js 20 runtime, whose AWS SDK v3 provides @aws-sdk/client-sns) that forwards Amazon SNS
 * SMS delivery status to Herald. SNS does not publish SMS status to a topic: it writes one JSON record per SMS to
 * CloudWatch Logs (`sns/<region>/<account>/DirectPublishToPhoneNumber` and `.../Failure`). A subscription filter
 * on each log group invokes this function, which publishes every record, unchanged, to the topic named by the
 * TOPIC_ARN environment variable; Herald's webhook subscribes to that topic and parses the records.
 */
import { gunzipSync } from "node:zlib";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";

/**
 * The log records in a CloudWatch Logs subscription event (`awslogs.data`: base64 of gzipped JSON). The control
 * message CloudWatch Logs sends when a filter is created, to check the destination, carries none.
 */
export function recordsOf(event) {
  const payload = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8"));
  if (payload.messageType !== "DATA_MESSAGE") return [];
  return payload.logEvents.map((logEvent) => logEvent.message);
}

// Made on first use, so importing the module (as the tests do) needs no AWS region or credentials.
let sns;

/** The Lambda entry point: publishes each log record of `event` to TOPIC_ARN, in order. */
export async function handler(event) {
  const topicArn = process.env.TOPIC_ARN;
  if (!topicArn) throw new Error("TOPIC_ARN is not set");
  sns ??= new SNSClient({});
  for (const message of recordsOf(event)) {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
  }
}
