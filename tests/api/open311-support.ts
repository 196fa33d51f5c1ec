/**
 * What the Open311 tests share: the GeoReport v2 JSON Schemas (tests/fixtures/open311-schema/, registered with ajv
 * under their file names) and the checks of a response in either format.
 *
 * - JSON: valid against its schema, and no item carries a field the schema does not define (the schemas allow
 *   extra fields, so a misspelt name would otherwise pass).
 * - XML: parsed with a real XML parser (fast-xml-parser), the document element and item elements named as the spec
 *   names them, each item's child elements among the schema's properties (required ones present), and the content
 *   equal to the JSON answer under the spec's Spark mapping (a nested array is a plural element of singular ones,
 *   null an empty element).
 * - Both: `charset=utf-8` in the Content-Type.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

const SCHEMA_DIR = join(process.cwd(), 'tests', 'fixtures', 'open311-schema');
export const JSON_TYPE = 'application/json; charset=utf-8';
export const XML_TYPE = 'text/xml; charset=utf-8';

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const schemas = new Map<string, AnySchemaObject>();
for (const f of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'))) {
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as AnySchemaObject;
  schemas.set(f, schema);
  ajv.addSchema(schema, f);
}
const validators = new Map<string, ValidateFunction>();

/** The array schemas' items refer to their element schemas by file name. */
const ITEM_SCHEMA: Record<string, string> = { 'services.json': 'service.json', 'requests.json': 'request.json' };

/** The schema of one item of a response (the element schema of a list, or the document's own). */
function itemSchema(schemaFile: string): AnySchemaObject {
  const s = schemas.get(ITEM_SCHEMA[schemaFile] ?? schemaFile)!;
  return (s.type === 'array' ? (s.items as AnySchemaObject) : s) ?? s;
}
const propertiesOf = (s: AnySchemaObject) => Object.keys((s.properties ?? {}) as Record<string, unknown>);
const requiredOf = (s: AnySchemaObject) => (s.required ?? []) as string[];

export function expectValid(schemaFile: string, body: unknown): void {
  let v = validators.get(schemaFile);
  if (!v) validators.set(schemaFile, (v = ajv.getSchema(schemaFile)!));
  const ok = v(body);
  expect(ok, `${schemaFile}: ${ajv.errorsText(v.errors)}`).toBe(true);
  const allowed = propertiesOf(itemSchema(schemaFile));
  for (const item of Array.isArray(body) ? body : [body]) {
    expect(typeof item === 'object' && item !== null && !Array.isArray(item)).toBe(true);
    for (const k of Object.keys(item as object)) expect(allowed, `${schemaFile}: field ${k}`).toContain(k);
  }
}

/** Each response's XML document element, item element (for lists) and schema. */
export const XML_DOCUMENTS = {
  services: { root: 'services', item: 'service', schema: 'services.json' },
  serviceDefinition: { root: 'service_definition', item: null, schema: 'service-definition.json' },
  requests: { root: 'service_requests', item: 'request', schema: 'requests.json' },
  postResponse: { root: 'service_requests', item: 'request', schema: 'post-response.json' },
  tokens: { root: 'service_requests', item: 'request', schema: 'tokens.json' },
  errors: { root: 'errors', item: 'error', schema: 'errors.json' },
  discovery: { root: 'discovery', item: null, schema: 'discovery.json' },
} as const;
export type XmlDocument = keyof typeof XML_DOCUMENTS;

/** The element of each item of a nested array (GeoReport v2's plural ⇊ / singular ↴ pairs). */
const ITEM_ELEMENT: Record<string, string> = { attributes: 'attribute', values: 'value', endpoints: 'endpoint', formats: 'format' };

// Every element as an array of its occurrences, text as text: the structure is checked, not guessed.
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, isArray: () => true });

type XmlNode = string | { [name: string]: XmlNode[] };

/** The one occurrence of an element. */
function only(node: XmlNode, name: string, where: string): XmlNode {
  expect(typeof node === 'object' && node !== null, `${where}: element content`).toBe(true);
  const list = (node as Record<string, XmlNode[]>)[name];
  expect(list, `${where}: <${name}>`).toBeDefined();
  expect(list, `${where}: <${name}> once`).toHaveLength(1);
  return list[0];
}

/** The children of an element holding items (an empty element holds none). */
function items(node: XmlNode, item: string, where: string): XmlNode[] {
  if (node === '') return [];
  expect(typeof node, `${where}: children`).toBe('object');
  expect(Object.keys(node as object), `${where}: only <${item}> children`).toEqual([item]);
  return (node as Record<string, XmlNode[]>)[item];
}

/** An element's content against the JSON value it maps (Spark convention). */
function expectSame(node: XmlNode, json: unknown, where: string): void {
  if (json === null || json === undefined) return void expect(node, `${where}: empty element for null`).toBe('');
  if (Array.isArray(json)) {
    const name = where.slice(where.lastIndexOf('/') + 1);
    const item = ITEM_ELEMENT[name];
    expect(item, `${where}: an array the spec names items for`).toBeDefined();
    const list = items(node, item, where);
    expect(list, `${where}: ${item} count`).toHaveLength(json.length);
    json.forEach((v, i) => expectSame(list[i], v, `${where}/${item}`));
    return;
  }
  if (typeof json === 'object') {
    expect(typeof node, `${where}: children`).toBe('object');
    expect(Object.keys(node as object).sort(), `${where}: child elements`).toEqual(Object.keys(json as object).sort());
    for (const [k, v] of Object.entries(json as object)) expectSame(only(node, k, where), v, `${where}/${k}`);
    return;
  }
  expect(node, `${where}: text`).toBe(String(json));
}

/** Element names of an XML item against the schema: known ones only, required ones present. */
function expectElementNames(node: XmlNode, schema: AnySchemaObject, where: string): void {
  const names = typeof node === 'object' ? Object.keys(node) : [];
  const allowed = propertiesOf(schema);
  for (const n of names) expect(allowed, `${where}: element <${n}>`).toContain(n);
  for (const r of requiredOf(schema)) expect(names, `${where}: required <${r}>`).toContain(r);
  // Nested arrays of objects (service attributes, discovery endpoints): their items' names too.
  for (const n of names) {
    const prop = ((schema.properties ?? {}) as Record<string, AnySchemaObject>)[n];
    const inner = prop?.type === 'array' ? (prop.items as AnySchemaObject | undefined) : undefined;
    if (!inner?.properties) continue;
    for (const child of items(only(node, n, where), ITEM_ELEMENT[n], `${where}/${n}`)) expectElementNames(child, inner, `${where}/${n}/${ITEM_ELEMENT[n]}`);
  }
}

/**
 * Checks an XML answer: well formed, declared UTF-8, named as the spec names the document and its items, element
 * names from the document's schema, and (when given) the same content as the JSON answer. Returns the items (or the
 * document element) as parsed.
 */
export function expectXml(text: string, kind: XmlDocument, json?: unknown): XmlNode[] {
  const doc = XML_DOCUMENTS[kind];
  expect(text.startsWith('<?xml version="1.0" encoding="utf-8"?>'), text.slice(0, 80)).toBe(true);
  expect(XMLValidator.validate(text), text.slice(0, 200)).toBe(true);
  const parsed = parser.parse(text) as Record<string, XmlNode[]>;
  const roots = Object.keys(parsed).filter((k) => k !== '?xml');
  expect(roots, 'document element').toEqual([doc.root]);
  expect(parsed[doc.root]).toHaveLength(1);
  const top = parsed[doc.root][0];
  const schema = itemSchema(doc.schema);
  if (doc.item === null) {
    expectElementNames(top, schema, doc.root);
    if (json !== undefined) expectSame(top, json, doc.root);
    return [top];
  }
  const list = items(top, doc.item, doc.root);
  list.forEach((n, i) => expectElementNames(n, schema, `${doc.root}/${doc.item}[${i}]`));
  if (json !== undefined) {
    expect(Array.isArray(json)).toBe(true);
    expect(list).toHaveLength((json as unknown[]).length);
    (json as unknown[]).forEach((v, i) => expectSame(list[i], v, `${doc.root}/${doc.item}[${i}]`));
  }
  return list;
}

/** A text element's value in a parsed item. */
export function textOf(node: XmlNode, name: string): string {
  return only(node, name, name) as string;
}
