/**
 * @module migration/optimizations/encoder
 * What one page costs on the wire, as QEMU's RAM stream encodes it (migration/ram.c):
 * - a zero page: the 8-byte page header and one fill byte (`save_zero_page`);
 * - a data page: the header and the page (`save_normal_page`), or, with compression on multifd
 *   channels, the header and the compressed page;
 * - with XBZRLE, once the scan has wrapped around memory for the first time (QEMU enables it after
 *   the first full pass): a page found in the cache goes as an XOR + run-length delta against the
 *   cached copy (header, flag byte, 16-bit length, delta); a miss sends the full page and caches
 *   it (not in the last stage); a delta longer than the page overflows and the full page goes.
 *
 * The cache is direct-mapped by page index, `xbzrleCacheSize / pageSize` slots, as QEMU's
 * page_cache.c. The delta of a page whose writes change `writeSize` bytes (the same bytes each
 * time, as the lab's dirty.c does) is those bytes plus a zero-run and a non-zero-run length:
 * writeSize + 2 bytes (3 bytes for a one-byte change; the lab measured 3.5 on average).
 */
import { PageEncoder } from '../../memory/page-transfer.js';
import { PageImage } from '../../memory/page-image.js';
import { OptimizationOptions } from './options.js';
import { ZERO } from '../../core/doubles.js';

/** A reference to content the destination already has: a 64-bit content hash after the page header. */
export const DEDUP_REFERENCE_BYTES = 8;

/** XBZRLE's flag byte and 16-bit encoded length after the page header. */
const XBZRLE_EXTRA = 3;
/** Run lengths around a contiguous changed region in the XOR + RLE delta. */
const XBZRLE_RUN_BYTES = 2;

/** Per channel CPU throughput of level-1 compression (uncompressed input, bytes/s), and how much of the compressible share it removes. */
export const compressionModels = {
  // typical single-core level-1 figures (zlib deflate ~100 MB/s; zstd ~500 MB/s, a slightly better ratio)
  zlib: { inputRate: 100e6, effectiveness: 1.0 },
  zstd: { inputRate: 500e6, effectiveness: 1.1 },
} as const;

/** The cache arrays without XBZRLE (no cache: nothing to allocate per migration). */
const NO_TAGS = new Int32Array(0);
const NO_VERSIONS = new Uint8Array(0);

export interface XbzrleStats {
  cacheSize: number;
  /** Encoded pages and their bytes (delta bytes, without headers). */
  pages: number;
  bytes: number;
  cacheMiss: number;
  overflow: number;
}

export class QemuPageEncoder implements PageEncoder {
  readonly dataPage: number;
  readonly zeroPage: number;
  /** Full data pages sent (QEMU's ram.normal). */
  normalPages = ZERO;
  readonly xbzrle: XbzrleStats | null;
  /** XBZRLE applies once the scan has wrapped (set by the driver). */
  xbzrleActive = false;
  /** The stop-and-copy: misses are not cached any more. */
  lastStage = false;
  /** Contents the destination has received (dedup), or null when dedup is off. */
  dedupSeen: Set<number> | null = null;
  /** Pages sent as references to content the destination had. */
  dedupPages = 0;
  readonly #slots: number;
  readonly #tags: Int32Array;
  readonly #cachedVersion: Uint8Array;
  /** The image's write generations (XBZRLE: is the cached copy still the page?). */
  readonly #versions: Uint8Array;
  readonly #fullPage: number;

  constructor(
    /** The page-exact image (XBZRLE needs page versions); null for fluid memory. */
    readonly image: PageImage | null,
    readonly pageSize: number,
    readonly pageHeader: number,
    zeroPageBytes: number,
    /** Bytes a write changes in its page (the driver updates it from the workload). */
    public writeSize: number,
    /** Share of a data page that compression removes (before the algorithm's effectiveness). */
    compressibility: number,
    readonly options: OptimizationOptions,
  ) {
    this.zeroPage = zeroPageBytes;
    const compression = options.multifdChannels > 0 && options.compression !== 'none' ? compressionModels[options.compression] : null;
    const kept = compression ? 1 - Math.min(1, compressibility * compression.effectiveness) : 1;
    this.#fullPage = pageHeader + Math.ceil(pageSize * kept);
    this.dataPage = this.#fullPage;
    this.#slots = options.xbzrle ? Math.max(1, Math.floor(options.xbzrleCacheSize / pageSize)) : 0;
    this.#tags = this.#slots > 0 ? new Int32Array(this.#slots).fill(-1) : NO_TAGS;
    this.#cachedVersion = this.#slots > 0 ? new Uint8Array(this.#slots) : NO_VERSIONS;
    this.#versions = this.#slots > 0 && image !== null ? image.versions() : NO_VERSIONS;
    this.xbzrle = options.xbzrle ? { cacheSize: options.xbzrleCacheSize, pages: 0, bytes: 0, cacheMiss: 0, overflow: 0 } : null;
  }

  /** Wire bytes of page p now (0: an unchanged page found in the cache is skipped). */
  encode(p: number, zero: boolean): number {
    if (zero) return this.zeroPage;
    const seen = this.dedupSeen;
    if (seen !== null) {
      const id = this.image!.content?.[p] ?? 0;
      if (id !== 0) {
        if (seen.has(id)) {
          this.dedupPages++;
          return this.pageHeader + DEDUP_REFERENCE_BYTES;
        }
        seen.add(id);
      }
    }
    if (this.xbzrleActive && this.xbzrle) return this.#xbzrle(p);
    this.normalPages++;
    return this.#fullPage;
  }

  get uniform(): boolean {
    return this.dedupSeen === null && !(this.xbzrleActive && this.xbzrle !== null);
  }

  addNormal(pages: number): void {
    this.normalPages += pages;
  }

  /** A page sent without any encoding (post-copy). */
  plain(zero: boolean): number {
    if (zero) return this.zeroPage;
    this.normalPages++;
    return this.#fullPage;
  }

  #xbzrle(p: number): number {
    const x = this.xbzrle!;
    const slot = p % this.#slots;
    const version = this.#versions[p];
    if (this.#tags[slot] !== p) {
      x.cacheMiss++;
      if (!this.lastStage) {
        this.#tags[slot] = p;
        this.#cachedVersion[slot] = version;
      }
      this.normalPages++;
      return this.#fullPage;
    }
    if (this.#cachedVersion[slot] === version) return 0; // unchanged since cached: nothing to send
    this.#cachedVersion[slot] = version;
    const delta = Math.min(this.writeSize, this.pageSize) + XBZRLE_RUN_BYTES;
    if (delta > this.pageSize) {
      x.overflow++;
      this.normalPages++;
      return this.#fullPage;
    }
    x.pages++;
    x.bytes += delta;
    return this.pageHeader + XBZRLE_EXTRA + delta;
  }

  /**
   * The rate compression's CPU allows on the wire, bytes/s (Infinity without compression):
   * channels x input rate per channel x compressed share.
   */
  cpuWireRate(): number {
    const o = this.options;
    if (o.multifdChannels === 0 || o.compression === 'none') return Infinity;
    return o.multifdChannels * compressionModels[o.compression].inputRate * ((this.#fullPage - this.pageHeader) / this.pageSize);
  }
}
