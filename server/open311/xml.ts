/**
 * GeoReport v2 XML. The spec defines the JSON form as the Spark-convention mapping of its XML, so one converter
 * gives every XML document from the JSON body: a list is the root element holding one element per item
 * (`<services><service>…`, `<service_requests><request>…`, `<errors><error>…`), an object is the root element's
 * children, and a nested array becomes its plural element holding singular ones (`<attributes><attribute>`,
 * `<values><value>`, `<endpoints><endpoint>`, `<formats><format>`). null is an empty element (`<account_id/>`),
 * booleans are `true`/`false`. Text that XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/F) is
 * replaced by U+FFFD, so every document parses. fast-xml-parser's builder does the escaping.
 */
import { XMLBuilder } from 'fast-xml-parser';

/** Element of each item of a nested array, by the array's name. */
const ITEM_ELEMENT: Readonly<Record<string, string>> = {
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

// Everything outside XML 1.0's Char production.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const builder = new XMLBuilder({ ignoreAttributes: true, processEntities: true, suppressEmptyNode: false, format: false });

/** What the builder takes: text, null (an empty element), child elements by name, or repeated elements as arrays. */
type Node = string | null | { [name: string]: Node | Node[] };

export function xmlText(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD');
}

function convert(value: unknown, name: string): Node {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return xmlText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const item = ITEM_ELEMENT[name];
    if (!item) throw new Error(`no XML element name for the items of ${name}`);
    return { [item]: value.map((v) => convert(v, item)) };
  }
  const out: { [name: string]: Node } = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== undefined) out[k] = convert(v, k);
  }
  return out;
}

/**
 * The XML document of a response body: `root` is the document element; `item` the element of each entry when the
 * body is a list (the spec's responses are lists of requests, services or errors).
 */
export function toXml(root: string, item: string | null, body: unknown): string {
  let tree: Node;
  if (Array.isArray(body)) {
    if (!item) throw new Error(`no XML element name for the items of ${root}`);
    tree = { [item]: body.map((v) => convert(v, item)) };
  } else {
    tree = convert(body, root);
  }
  return `${XML_DECLARATION}${builder.build({ [root]: tree }) as string}`;
}
