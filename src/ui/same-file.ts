/**
 * Whether two Blobs the page posted to its worker are the same chosen file.
 * A Blob is cloned by each `postMessage`, so the worker gets a new object per
 * message and identity alone never holds: a `File` is known by its name, size,
 * type and time of last modification, which change when it is saved again; a
 * Blob that is no `File` only by identity.
 *
 * @example
 * ```ts
 * sameFile(prepareMessage.file, runMessage.file); // true: the file chosen once, posted twice
 * ```
 */
export function sameFile(a: Blob, b: Blob): boolean {
  if (a === b) return true;
  if (!(a instanceof File) || !(b instanceof File)) return false;
  return a.name === b.name && a.size === b.size && a.type === b.type && a.lastModified === b.lastModified;
}
