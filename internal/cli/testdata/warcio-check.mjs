// Reads a WARC file with warcio.js (an independent reader) and prints one
// JSON line per record: its type, target, offset and length as warcio
// frames it, and whether its block and payload digests match its bytes.
// Usage: node warcio-check.mjs WARCIO_PACKAGE_DIR FILE.warc.gz
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [, , pkgDir, file] = process.argv;
const { WARCParser } = await import(pathToFileURL(join(pkgDir, "dist", "index.js")).href);

// WARC digests: "sha1:" + Base32 (RFC 4648) of the SHA-1, or hex.
function matches(digest, data) {
  const [alg, want] = digest.split(":", 2);
  const name = { sha1: "sha1", "sha-1": "sha1", sha256: "sha256", "sha-256": "sha256" }[alg.toLowerCase()];
  if (!name) return false;
  const sum = createHash(name).update(data).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0, b32 = "";
  for (const byte of sum) {
    value = (value << 8) | byte; bits += 8;
    while (bits >= 5) { b32 += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) b32 += alphabet[(value << (5 - bits)) & 31];
  while (b32.length % 8) b32 += "=";
  return want.replace(/=+$/, "").toUpperCase() === b32.replace(/=+$/, "") || want.toLowerCase() === sum.toString("hex");
}

const parser = new WARCParser(createReadStream(file), { parseHttp: false });
for await (const rec of parser) {
  const block = await rec.readFully(false);
  const out = {
    type: rec.warcType,
    target: rec.warcTargetURI || "",
    date: rec.warcDate || "",
    content_length: rec.warcContentLength,
    block_length: block.length,
  };
  const bd = rec.warcBlockDigest;
  if (bd) out.block_digest_ok = matches(bd, block);
  const pd = rec.warcPayloadDigest;
  if (pd) {
    const buf = Buffer.from(block);
    const i = buf.indexOf("\r\n\r\n");
    out.payload_digest_ok = i >= 0 && matches(pd, buf.subarray(i + 4));
  }
  out.offset = parser.offset;
  console.log(JSON.stringify(out));
}
