/**
 * The body of POST requests.json, in either of the spec's encodings (application/x-www-form-urlencoded, as the spec
 * defines it, or multipart/form-data) or as JSON, and its check into a submission: a request with a point, or one
 * with only an address to be located by hand. Every refusal is an Open311Error naming the parameter.
 */
import type { Context } from 'hono';
import { TAXONOMY } from '../contract/taxonomy.ts';
import { CHANNELS, MAX_REPORTER, MAX_TEXT, type Channel } from '../domain/report-input.ts';
import type { LocatedRequest, PendingRequest } from '../services/open311-intake.ts';
import { badRequest, notFound311 } from './errors.ts';
import { show } from './params.ts';

export const POST_FIELDS = [
  'api_key', 'jurisdiction_id', 'service_code', 'lat', 'long', 'address_string', 'address_id', 'email', 'device_id',
  'account_id', 'first_name', 'last_name', 'phone', 'description', 'media_url', 'channel',
] as const;
type PostField = (typeof POST_FIELDS)[number];
export type PostParams = Partial<Record<PostField, string>>;

/** The largest POST body under /open311 (form or JSON). */
export const MAX_POST_BYTES = 64 * 1024;
export const MAX_ADDRESS = 500;
export const MAX_MEDIA_URL = 2000;
/** email, device_id, account_id, address_id. */
export const MAX_ID_FIELD = 200;
export const MAX_PHONE = 50;

/**
 * The recognised parameters of the body, whatever its encoding, as flat strings. Empty values are dropped (an empty
 * optional argument is an absent one); other names — `attribute[…]` (no service defines attributes), other servers'
 * extensions — are ignored.
 */
export async function readPostParams(c: Context): Promise<PostParams> {
  const type = (c.req.header('Content-Type') ?? 'application/x-www-form-urlencoded').toLowerCase();
  const raw: Record<string, unknown> = {};
  if (/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/.test(type)) {
    const text = await c.req.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw badRequest(`body: not valid JSON (${(err as Error).message.slice(0, 120)})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('body: send a JSON object of the Open311 parameters');
    Object.assign(raw, parsed);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    const params = new URLSearchParams(await c.req.text());
    for (const k of new Set(params.keys())) {
      const all = params.getAll(k);
      raw[k] = all.length === 1 ? all[0] : all;
    }
  } else if (type.startsWith('multipart/form-data')) {
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody({ all: true });
    } catch (err) {
      // A missing boundary or a body that is not the multipart it claims is the client's mistake.
      throw badRequest(`body: not valid multipart/form-data (${(err as Error).message.slice(0, 120)})`);
    }
    for (const [k, v] of Object.entries(form)) raw[k] = v;
  } else {
    throw badRequest(`body: send application/x-www-form-urlencoded (the spec's encoding), multipart/form-data or application/json, not ${type.slice(0, 60)}`);
  }
  const out: PostParams = {};
  const errors: string[] = [];
  for (const k of POST_FIELDS) {
    const v = raw[k];
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
    else if (typeof v === 'string') out[k] = v;
    else errors.push(`${k}: must be given once, as a ${k === 'lat' || k === 'long' ? 'number' : 'string'}`);
  }
  if (errors.length) throw badRequest(errors);
  return out;
}

/** A checked submission: a point (a case is written at once) or only an address (kept to be located by hand). */
export type Open311Submission = { located: true; request: LocatedRequest } | { located: false; request: PendingRequest };

const NUMBER_RE = /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/;

/** '张' + '三' → '张三'; 'Jane' + 'Doe' → 'Jane Doe'. */
export function reporterName(first: string | undefined, last: string | undefined): string {
  const f = (first ?? '').trim();
  const l = (last ?? '').trim();
  if (!f || !l) return f || l;
  const cjk = /[\u3400-\u9fff]/;
  return cjk.test(f) || cjk.test(l) ? `${l}${f}` : `${f} ${l}`;
}

/** An http(s) URL, normalised (non-ASCII percent-encoded, so it is a URI), or an error text. */
export function checkMediaUrl(raw: string): { ok: true; url: string } | { ok: false; detail: string } {
  const trimmed = raw.trim();
  if (trimmed.length > MAX_MEDIA_URL) return { ok: false, detail: `must be at most ${MAX_MEDIA_URL} characters` };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, detail: `must be an absolute http or https URL, got ${show(raw)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, detail: `must be an http or https URL, got ${show(raw)}` };
  if (url.href.length > MAX_MEDIA_URL) return { ok: false, detail: `must be at most ${MAX_MEDIA_URL} characters once encoded` };
  return { ok: true, url: url.href };
}

/**
 * Checks a submission. Open311 submissions are 12345-hotline reports (channel 'hotline') unless the `channel`
 * extension parameter names another of our channels, and demands (诉求). The location is lat/long, or — as the spec
 * allows — only address_string and/or address_id: such a request is kept to be located by hand (this server does
 * not geocode). Without a description the service name stands in for the report's text (our reports always carry
 * text). A service_code that names no service is the spec's 404; every other fault is a 400 naming each parameter.
 */
export function checkPost(p: PostParams): Open311Submission {
  if (p.service_code !== undefined && p.service_code.trim() !== '' && !TAXONOMY.byCode.has(p.service_code)) {
    throw notFound311(`service_code: no service ${show(p.service_code)}; GET services.json lists them`);
  }
  const errors: string[] = [];
  const category = p.service_code?.trim() ? p.service_code : '';
  if (!category) errors.push('service_code: is required');

  const coord = (name: 'lat' | 'long', limit: number): number | undefined => {
    const v = p[name];
    if (v === undefined || v.trim() === '') return undefined;
    if (!NUMBER_RE.test(v) || !(Math.abs(Number(v)) <= limit)) {
      errors.push(`${name}: must be a number of WGS-84 degrees within ±${limit}, got ${show(v)}`);
      return undefined;
    }
    return Number(v);
  };
  const lat = coord('lat', 90);
  const lon = coord('long', 180);
  const hasLat = p.lat !== undefined && p.lat.trim() !== '';
  const hasLon = p.long !== undefined && p.long.trim() !== '';
  const addressString = p.address_string?.trim() || null;
  const addressId = p.address_id?.trim() || null;
  if (!hasLat && !hasLon) {
    if (!addressString && !addressId) errors.push('lat/long: are required unless address_string or address_id names the place');
  } else if (!hasLat) errors.push('lat: is required with long');
  else if (!hasLon) errors.push('long: is required with lat');
  if (addressString && addressString.length > MAX_ADDRESS) errors.push(`address_string: must be at most ${MAX_ADDRESS} characters`);

  let channel: Channel = 'hotline';
  if (p.channel !== undefined) {
    if ((CHANNELS as readonly string[]).includes(p.channel)) channel = p.channel as Channel;
    else errors.push(`channel: must be one of ${CHANNELS.join(', ')}, got ${show(p.channel)}`);
  }
  const description = (p.description ?? '').trim();
  if (description.length > MAX_TEXT) errors.push(`description: must be at most ${MAX_TEXT} characters`);
  const reporter = reporterName(p.first_name, p.last_name);
  if (reporter.length > MAX_REPORTER) errors.push(`first_name/last_name: together at most ${MAX_REPORTER} characters`);
  for (const name of ['account_id', 'email', 'device_id', 'address_id'] as const) {
    if ((p[name]?.length ?? 0) > MAX_ID_FIELD) errors.push(`${name}: must be at most ${MAX_ID_FIELD} characters`);
  }
  if ((p.phone?.length ?? 0) > MAX_PHONE) errors.push(`phone: must be at most ${MAX_PHONE} characters`);
  let mediaUrl: string | null = null;
  if (p.media_url !== undefined && p.media_url.trim() !== '') {
    const checked = checkMediaUrl(p.media_url);
    if (checked.ok) mediaUrl = checked.url;
    else errors.push(`media_url: ${checked.detail}`);
  }
  if (errors.length) throw badRequest(errors);

  const text = description || TAXONOMY.byCode.get(category)!.name;
  const opt = (v: string | undefined) => v?.trim() || null;
  if (lat !== undefined && lon !== undefined) {
    return {
      located: true,
      request: {
        report: { category, text, lon, lat, channel, kind: 'demand', priority: 'normal', reporter }, mediaUrl, addressString,
        email: opt(p.email), phone: opt(p.phone),
      },
    };
  }
  return {
    located: false,
    request: {
      serviceCode: category, text, addressString, addressId, mediaUrl, channel, reporter,
      email: opt(p.email), phone: opt(p.phone), deviceId: opt(p.device_id), accountId: opt(p.account_id),
    },
  };
}
