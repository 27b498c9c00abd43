/**
 * A sample email in the current branding, for the console's branding page: a fixed sample notification rendered
 * as a template preview (`previewDraft`), so the preview is what a recipient would get, through the same path.
 */
import type { Deps } from "../../deps.ts";
import { type CreateTemplateInput, previewDraft } from "../templates/templates.service.ts";
import { getBranding } from "./branding.service.ts";

/** The sample notification (a draft, never stored; drafts render at version 0, apart from stored templates). */
const SAMPLE: CreateTemplateInput = {
  name: "branding-preview",
  category: "preview",
  defaultPriority: "MEDIUM",
  title: "Your repair is booked",
  message: "Hello {{ recipient.name }}, a technician will visit on Tuesday between 9:00 and 11:00.",
};

/** What the branding preview shows: the sender's name, the subject and the email's HTML. */
export interface BrandingPreview {
  fromName: string;
  subject: string;
  html: string;
}

/** The sample email as the current branding renders it (with an action button, so the accent colour shows). */
export async function previewBranding(
  deps: Pick<Deps, "db" | "caches" | "config" | "tokenSecret">,
): Promise<BrandingPreview> {
  const [branding, preview] = await Promise.all([
    getBranding(deps),
    previewDraft(deps, SAMPLE, { context: {}, actionUrl: "https://example.com/jobs/R-1042" }),
  ]);
  return { fromName: branding.fromName, subject: preview.email.subject, html: preview.email.html };
}
