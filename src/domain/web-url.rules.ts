/**
 * Links Herald puts in messages (a notification's `actionUrl`) must open a web page: `javascript:`, `data:` or
 * other schemes in an email's link are an attack on the person who clicks, so only http(s) is accepted, and
 * anything stored before that rule is dropped where it would become a link.
 */
export function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}
