/**
 * Security headers on every response, through hono's secureHeaders with a Content-Security-Policy that allows our
 * own origin only, plus what the map needs:
 *
 * - `worker-src 'self' blob:` — MapLibre starts its tile workers from a blob: URL;
 * - `img-src 'self' data: blob:` — map sprites, deck.gl's icon atlases and canvas snapshots are data:/blob: images;
 * - `connect-src 'self'` — the API, the live stream and the basemap's own layers (MapLibre fetches them);
 * - `style-src 'self'` — the stylesheets come from our origin; MapLibre, deck.gl and Solid set element styles through
 *   the CSSOM (element.style), which the policy does not govern, so no inline styles need allowing;
 * - `frame-ancestors` — who may embed the pages: our own origin by default; a command centre that shows /wall
 *   inside its own screen software names that origin in GEZHI_FRAME_ANCESTORS.
 *
 * An external basemap style (VITE_GEZHI_STYLE_URL or ?style=) needs its origins in GEZHI_CSP_EXTRA_ORIGINS, which
 * are added to connect-src, img-src and font-src. Strict-Transport-Security is left to the TLS-terminating proxy:
 * this server speaks plain HTTP.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

export interface SecurityHeaderOptions {
  /** CSP frame-ancestors sources, e.g. ["'self'", 'https://screens.example.org']. */
  frameAncestors: string[];
  /** Further origins for connect-src, img-src and font-src (an external basemap). */
  extraOrigins: string[];
}

const SOURCE = /^('self'|'none'|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?|\*\.[A-Za-z0-9.-]+)$/;

/** A space- or comma-separated source list from the environment; a bad entry stops start-up with its name. */
function sourceList(name: string, raw: string | undefined, fallback: string[]): string[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  const items = raw.split(/[\s,]+/).filter(Boolean).map((s) => (s === 'self' || s === 'none' ? `'${s}'` : s));
  const bad = items.filter((s) => !SOURCE.test(s));
  if (bad.length) throw new Error(`${name}: not a CSP source: ${bad.join(' ')} (use 'self', 'none' or origins such as https://wall.example.org)`);
  return items;
}

/** GEZHI_FRAME_ANCESTORS (default 'self') and GEZHI_CSP_EXTRA_ORIGINS (default none). */
export function securityHeadersFromEnv(env: NodeJS.ProcessEnv = process.env): SecurityHeaderOptions {
  return {
    frameAncestors: sourceList('GEZHI_FRAME_ANCESTORS', env.GEZHI_FRAME_ANCESTORS, ["'self'"]),
    extraOrigins: sourceList('GEZHI_CSP_EXTRA_ORIGINS', env.GEZHI_CSP_EXTRA_ORIGINS, []),
  };
}

export function securityHeaders(options: SecurityHeaderOptions): MiddlewareHandler {
  const extra = options.extraOrigins;
  // X-Frame-Options cannot name another origin; where frame-ancestors does, the older header must stay away.
  const onlySelf = options.frameAncestors.every((s) => s === "'self'" || s === "'none'");
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:', ...extra],
      fontSrc: ["'self'", 'data:', ...extra],
      connectSrc: ["'self'", 'data:', 'blob:', ...extra],
      workerSrc: ["'self'", 'blob:'],
      childSrc: ["'self'", 'blob:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: options.frameAncestors,
    },
    xFrameOptions: onlySelf ? (options.frameAncestors.includes("'none'") ? 'DENY' : 'SAMEORIGIN') : false,
    referrerPolicy: 'same-origin',
    strictTransportSecurity: false,
    // Embedding the wall in another origin's page must not be blocked by the resource policy either.
    crossOriginResourcePolicy: onlySelf ? 'same-origin' : 'cross-origin',
    crossOriginOpenerPolicy: 'same-origin',
  });
}
