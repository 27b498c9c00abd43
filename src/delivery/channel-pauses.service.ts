/**
 * The operator's view of channel pauses (an account-level provider error stops a channel for
 * HERALD_CHANNEL_PAUSE_MS): which channels are paused, and resuming one by hand once the cause is fixed, instead
 * of waiting for the pause to end. The state lives in `channel_pauses`, so the CLI and every process agree.
 */
import { CHANNELS, type Channel } from "../channels/types.ts";
import type { Deps } from "../deps.ts";
import { activePauses, type ChannelPause, deletePause } from "./channel-pauses.repo.ts";
import type { DeliveryEngine } from "./delivery-engine.ts";

/** One channel as `GET /v1/channels` and `herald channels` show it. */
export interface ChannelState {
  channel: Channel;
  /** The pause in force, or null when the channel sends. */
  paused: Omit<ChannelPause, "channel"> | null;
}

/** Both channels, with the pause each is under (as recorded by whichever process paused it). */
export async function channelStates(deps: Pick<Deps, "db" | "clock">): Promise<ChannelState[]> {
  const pauses = await activePauses(deps.db.read, deps.clock.now());
  return CHANNELS.map((channel) => {
    const pause = pauses.find((p) => p.channel === channel);
    return {
      channel,
      paused: pause
        ? { code: pause.code, message: pause.message, pausedAt: pause.pausedAt, until: pause.until }
        : null,
    };
  });
}

/**
 * Ends `channel`'s pause now. The worker in this process resumes at once; a worker in another process sees the
 * row gone within a second. Resuming a channel that is not paused changes nothing (`resumed: false`).
 */
export async function resumeChannel(
  deps: Pick<Deps, "db" | "logger"> & { delivery?: DeliveryEngine },
  channel: Channel,
  by: string,
): Promise<{ channel: Channel; resumed: boolean }> {
  // The server's own worker resumes at once (and deletes the row); without one (the CLI), deleting the row is
  // the whole resume: the server's paused worker looks for it every RESUME_CHECK_MS.
  const resumed = deps.delivery
    ? await deps.delivery[channel].resume()
    : await deps.db.write((tx) => deletePause(tx, channel));
  if (resumed) deps.logger.info("channel resume requested", { channel, by });
  return { channel, resumed };
}
