/**
 * Response formats. A GeoReport v2 client names the format by the resource's extension (`services.xml`,
 * `requests/12.json`); every resource answers both, and every answer — success or error — says `charset=utf-8`, as
 * the spec requires. Each kind of response has its XML element names (see xml.ts).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Locale } from './mapping.ts';
import { toXml } from './xml.ts';

export const FORMATS = ['json', 'xml'] as const;
export type Format = (typeof FORMATS)[number];

export const CONTENT_TYPE: Readonly<Record<Format, string>> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** The XML document element and item element of each kind of response. */
export const DOCUMENTS = {
  services: ['services', 'service'],
  serviceDefinition: ['service_definition', null],
  requests: ['service_requests', 'request'],
  errors: ['errors', 'error'],
  discovery: ['discovery', null],
} as const satisfies Record<string, readonly [string, string | null]>;
export type DocumentKind = keyof typeof DOCUMENTS;

/** 'requests.xml' → { name: 'requests', format: 'xml' }; null when the name has no known extension. */
export function splitResource(file: string): { name: string; format: Format } | null {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? { name: m[1], format: m[2] as Format } : null;
}

/** The format a path asks for (an error's format follows the resource's): XML for `.xml`, else JSON. */
export function formatOfPath(path: string): Format {
  return path.endsWith('.xml') ? 'xml' : 'json';
}

export interface ReplyOptions {
  status?: ContentfulStatusCode;
  headers?: Record<string, string>;
  /** The language the body is written in (Content-Language; the answer varies with Accept-Language). */
  locale?: Locale | null;
}

/** A response body in the asked format. */
export function reply(c: Context, format: Format, kind: DocumentKind, body: unknown, options: ReplyOptions = {}): Response {
  const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPE[format], ...options.headers };
  if (options.locale) {
    headers['Content-Language'] = options.locale === 'zh' ? 'zh-CN' : 'en';
    headers.Vary = 'Accept-Language';
  }
  const [root, item] = DOCUMENTS[kind];
  const text = format === 'json' ? JSON.stringify(body) : toXml(root, item, body);
  return c.body(text, options.status ?? 200, headers);
}
