/** Types of the forwarder Lambda (plain JavaScript, so it deploys as a single file). */

/** A CloudWatch Logs subscription event: base64 of the gzipped JSON batch. */
export interface CloudWatchLogsEvent {
  awslogs: { data: string };
}

/** The log records (`logEvents[].message`) of a subscription event; none for a control message. */
export function recordsOf(event: CloudWatchLogsEvent): string[];

/** Publishes each record of `event` to the topic in the TOPIC_ARN environment variable. */
export function handler(event: CloudWatchLogsEvent): Promise<void>;
