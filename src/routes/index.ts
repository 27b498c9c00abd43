import { createRouter } from "../http/router.ts";
import type { ServerDeps } from "../server-deps.ts";
import { alertRoutes } from "./alerts/index.ts";
import { brandingRoutes } from "./branding/index.ts";
import { channelRoutes } from "./channels/index.ts";
import { deliveryRoutes } from "./deliveries/index.ts";
import { eventRuleRoutes } from "./event-rules/index.ts";
import { eventRoutes } from "./events/index.ts";
import { inboxRoutes } from "./inbox/index.ts";
import { meRoutes } from "./me/index.ts";
import { notificationRoutes } from "./notifications/index.ts";
import { outboxRoutes } from "./outbox/index.ts";
import { preferenceRoutes } from "./preferences/index.ts";
import { recipientRoutes } from "./recipients/index.ts";
import { reportRoutes } from "./reports/index.ts";
import { settingsRoutes } from "./settings/index.ts";
import { suppressionRoutes } from "./suppressions/index.ts";
import { templateRoutes } from "./templates/index.ts";

/** Every /v1 resource, mounted in one place. */
export function v1Routes(deps: ServerDeps) {
  return createRouter()
    .route("/", recipientRoutes(deps))
    .route("/", notificationRoutes(deps))
    .route("/", preferenceRoutes(deps))
    .route("/", inboxRoutes(deps))
    .route("/", meRoutes(deps))
    .route("/", eventRoutes(deps))
    .route("/", eventRuleRoutes(deps))
    .route("/", templateRoutes(deps))
    .route("/", brandingRoutes(deps))
    .route("/", deliveryRoutes(deps))
    .route("/", channelRoutes(deps))
    .route("/", outboxRoutes(deps))
    .route("/", settingsRoutes(deps))
    .route("/", suppressionRoutes(deps))
    .route("/", alertRoutes(deps))
    .route("/", reportRoutes(deps));
}
