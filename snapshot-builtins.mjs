// The part of a Node 20 startup-snapshot blob that holds V8's code cache of Node's own built-in
// modules, and a copy of a blob that keeps only some of them (snapshot.mjs, the build's last step).
//
// `node --build-snapshot` appends the code cache of every built-in module (about 320, 2.5-3 MB) to
// the blob, and a started node reads the whole blob into memory and copies it again before it runs
// anything: a few milliseconds of every start on this part alone. Yet a node started from the blob
// compiles only the built-in modules the snapshot's heap does not already hold (a command's worker
// threads, the ES-module loader the report's packages need, a few more): the other entries are never
// read. A module whose entry is gone still loads, compiled from its source, as without a cache.
//
// The code cache is the blob's last field (Node's SnapshotData::ToBlob: metadata, V8's startup data,
// the isolate's and environment's data, then the code cache): a count, then per module its id and
// its bytes, each a length (8 bytes, little-endian) and the contents. The fields before it are not
// parsed here: the code cache is found as the chain of entries that ends exactly at the blob's end,
// and a blob where no such chain of plausible entries is found is left as it is. The build then runs
// the trimmed blob once and falls back to the whole one if node refuses it.

/** Fewer entries than this is not Node's list of its own modules. */
const MIN_ENTRIES = 100;

/**
 * The built-in code cache of a blob: where it starts (its count) and its entries (module id, the
 * entry's byte range [from, to) in the blob), or undefined when the blob has no recognisable one.
 * @param {Buffer} blob
 */
export function builtinCodeCache(blob) {
  const size = (at) => (at + 8 <= blob.length ? Number(blob.readBigUInt64LE(at)) : -1);
  const entriesFrom = (start) => {
    const count = size(start);
    if (count < MIN_ENTRIES || count > 10000) return undefined;
    const entries = [];
    const ids = new Set();
    let at = start + 8;
    for (let i = 0; i < count; i++) {
      const idLength = size(at);
      if (idLength < 1 || idLength > 200) return undefined;
      const id = blob.toString('latin1', at + 8, at + 8 + idLength);
      if (!/^[\w/.-]+$/.test(id) || ids.has(id)) return undefined;
      const bytes = size(at + 8 + idLength);
      const to = at + 16 + idLength + bytes;
      if (bytes < 0 || to > blob.length) return undefined;
      ids.add(id);
      entries.push({ id, from: at, to });
      at = to;
    }
    return at === blob.length ? entries : undefined;
  };
  // from the end backwards: the count sits 8 bytes before the first entry's id length
  for (let start = blob.length - 16; start >= 0; start--) {
    const idLength = size(start + 8);
    if (idLength < 1 || idLength > 200) continue;
    const entries = entriesFrom(start);
    if (entries) return { start, entries };
  }
  return undefined;
}

/**
 * A copy of `blob` whose built-in code cache keeps only the modules in `keep` (ids), or undefined
 * when the blob has no recognisable code cache.
 * @param {Buffer} blob
 * @param {Set<string>} keep
 */
export function keepBuiltinCodeCache(blob, keep) {
  const found = builtinCodeCache(blob);
  if (!found) return undefined;
  const kept = found.entries.filter((e) => keep.has(e.id));
  const count = Buffer.alloc(8);
  count.writeBigUInt64LE(BigInt(kept.length));
  return Buffer.concat([blob.subarray(0, found.start), count, ...kept.map((e) => blob.subarray(e.from, e.to))]);
}
