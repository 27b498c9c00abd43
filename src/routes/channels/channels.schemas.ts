import { z } from "@hono/zod-openapi";
import { Channel, EpochMs } from "../../http/schemas.ts";

export const ChannelParams = z.object({
  channel: Channel.openapi({ param: { name: "channel", in: "path" }, example: "email" }),
});

const ChannelPause = z
  .object({
    code: z.string().openapi({ example: "account-sending-paused" }),
    message: z.string(),
    pausedAt: EpochMs,
    until: EpochMs.openapi({ description: "When the channel resumes on its own" }),
  })
  .openapi("ChannelPause");

export const ChannelState = z
  .object({ channel: Channel, paused: ChannelPause.nullable() })
  .openapi("ChannelState");

export const ChannelList = z.object({ items: z.array(ChannelState) }).openapi("ChannelList");

export const ResumeResult = z
  .object({
    channel: Channel,
    resumed: z.boolean().openapi({ description: "False when the channel was not paused (nothing changed)" }),
  })
  .openapi("ChannelResumeResult");
