import { createRoute } from "@hono/zod-openapi";
import { requireScope } from "../../http/auth.ts";
import { bearer, commonErrors, jsonContent } from "../../http/schemas.ts";
import { ChannelList, ChannelParams, ResumeResult } from "./channels.schemas.ts";

const base = { tags: ["channels"], security: bearer, middleware: [requireScope("admin")] };

export const list = createRoute({
  ...base,
  method: "get",
  path: "/v1/channels",
  summary: "Email and SMS: whether an account-level provider error has paused them",
  responses: { 200: jsonContent(ChannelList, "Both channels"), ...commonErrors },
});

export const resume = createRoute({
  ...base,
  method: "post",
  path: "/v1/channels/{channel}/resume",
  summary: "Resume a paused channel now, once the provider account is fixed",
  description:
    "Ends the pause an account-level provider error started (HERALD_CHANNEL_PAUSE_MS), in every process within a second. Deliveries waiting in the queue are sent again; if the account is still refused, the next send pauses the channel again. A channel that is not paused is left as it is (`resumed: false`).",
  request: { params: ChannelParams },
  responses: { 200: jsonContent(ResumeResult, "Resumed, or was not paused"), ...commonErrors },
});
