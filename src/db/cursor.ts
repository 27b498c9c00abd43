import { AppError } from "../errors.ts";

/** Opaque cursors: the last id of the previous page, base64url-encoded. */
export const encodeCursor = (id: string) => Buffer.from(id).toString("base64url");
/** Decodes a cursor, refusing anything that is not one of ours. */
export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) {
    throw new AppError("validation-failed", "cursor is not valid", {
      errors: [{ path: "cursor", message: "not a cursor from this API" }],
    });
  }
  return id;
}
