/**
 * The CSP sources that let one rendered email keep its own inline styles inside the console's preview frame.
 *
 * An `<iframe srcdoc>` has no response of its own: its document inherits the console's Content-Security-Policy,
 * whose `style-src 'self'` drops every `style` attribute and `<style>` element, and email bodies are styled with
 * little else. The console's policy cannot be loosened for the frame alone, so the preview page's policy names
 * the hashes of exactly this email's styles: the page itself gains nothing it does not already show (its own
 * markup has no inline style), and no other style can run in either document.
 */
import { createHash } from "node:crypto";

/** The named character references Liquid's `escape` and common HTML produce in attribute values. */
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * An attribute value as the browser's DOM holds it (the hash covers that, not the source text). Numeric
 * references and the five XML names are decoded; a value with another named reference is hashed as written,
 * so at worst that one style stays blocked.
 */
function decodeAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code =
        ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * The `'sha256-…'` sources of every distinct `style` attribute value and `<style>` element in `html`, in the
 * order they first appear. Attribute hashes only take effect with `'unsafe-hashes'` in the same directive.
 */
export function inlineStyleSources(html: string): string[] {
  const styles: string[] = [];
  new HTMLRewriter()
    .on("[style]", {
      element(el) {
        styles.push(decodeAttribute(el.getAttribute("style") ?? ""));
      },
    })
    .on("style", {
      element() {
        styles.push("");
      },
      text(chunk) {
        styles[styles.length - 1] += chunk.text;
      },
    })
    .transform(html);
  return [...new Set(styles.map(sha256))];
}

/**
 * The CSP source that lets a previewed email show its image at `url` (the branding logo): the URL's origin when it
 * is https with a plain host name, else null. A header value must not carry what the URL parser lets through in a
 * host (a `;` would start a directive of its own).
 */
export function imageSource(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" || !/^[a-z0-9.-]+$/i.test(parsed.hostname)) return null;
  return parsed.origin;
}
