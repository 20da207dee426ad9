/**
 * Checks real responses against the OpenAPI document the app serves, so that the schemas the web
 * client's types are generated from say what the handlers really return:
 *
 *   const check = new Conformance(doc);
 *   check.response('GET', '/instances/{id}', res.status, res.body);
 *   expect(check.problems).toEqual([]);
 *
 * The schema language is the subset @nestjs/swagger writes (OpenAPI 3.0: $ref, allOf/oneOf,
 * nullable, enum, object/array/string/integer/number/boolean). A property the body carries but the
 * schema does not declare is a problem too (unless the schema allows additional properties): a
 * generated type would not know it.
 */

export interface SchemaObject {
  $ref?: string;
  type?: string;
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: boolean | SchemaObject;
  items?: SchemaObject;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
}

export interface OpenApiDocumentLike {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: SchemaObject }> }> }>
  >;
  components?: { schemas?: Record<string, SchemaObject> };
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export class Conformance {
  readonly problems: string[] = [];
  /** "GET /instances/{id} 200", for each response checked. */
  readonly checked = new Set<string>();

  constructor(private readonly doc: OpenApiDocumentLike) {}

  /** The documented path template a concrete path matches, e.g. /instances/{id} for /instances/0f…. */
  template(method: string, path: string): string | undefined {
    const bare = path.split('?')[0];
    const candidates = Object.keys(this.doc.paths).filter((template) => {
      if (!this.doc.paths[template][method.toLowerCase()]) return false;
      const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
      return pattern.test(bare);
    });
    // A literal segment wins over a parameter (/reference/partners over /reference/{kind}/{code}).
    return candidates.sort((a, b) => a.split('{').length - b.split('{').length)[0];
  }

  /**
   * Checks one response: its status is documented, and its body matches the documented schema
   * (JSON), or its media type is one the operation documents (HTML, PDF).
   */
  response(method: string, path: string, status: number, body: unknown, mediaType = 'application/json'): void {
    const template = this.template(method, path);
    const where = `${method} ${template ?? path} ${status}`;
    if (!template) {
      this.problems.push(`${where}: no documented operation`);
      return;
    }
    this.checked.add(where);
    const documented = this.doc.paths[template][method.toLowerCase()].responses?.[String(status)];
    if (!documented) {
      this.problems.push(`${where}: status not documented`);
      return;
    }
    if (status === 204) return;
    const schema = documented.content?.[mediaType]?.schema;
    if (!schema) {
      this.problems.push(`${where}: no schema documented for ${mediaType}`);
      return;
    }
    if (mediaType !== 'application/json') return;
    this.problems.push(...this.validate(schema, body, where));
  }

  private resolve(schema: SchemaObject): SchemaObject {
    let current = schema;
    for (let depth = 0; current.$ref && depth < 10; depth++) {
      const name = current.$ref.replace('#/components/schemas/', '');
      const target = this.doc.components?.schemas?.[name];
      if (!target) return {};
      current = { ...target, nullable: schema.nullable || target.nullable };
    }
    return current;
  }

  validate(raw: SchemaObject, value: unknown, at: string): string[] {
    if (raw.$ref && !this.doc.components?.schemas?.[raw.$ref.replace('#/components/schemas/', '')])
      return [`${at}: ${raw.$ref} is not a schema of the document`];
    const schema = this.resolve(raw);
    if (value === null) return schema.nullable ? [] : [`${at}: null, but the schema is not nullable`];
    if (schema.allOf) return schema.allOf.flatMap((s) => this.validate(s, value, at));
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (alternatives) {
      const results = alternatives.map((s) => this.validate(s, value, at));
      return results.some((r) => r.length === 0) ? [] : [`${at}: matches none of its alternatives`, ...results.flat()];
    }
    if (schema.enum && !schema.enum.includes(value))
      return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
    const type = schema.type ?? (schema.properties ? 'object' : undefined);
    switch (type) {
      case 'string':
        if (typeof value !== 'string') return [`${at}: expected a string, got ${JSON.stringify(value)}`];
        if (schema.format === 'date-time' && !ISO_DATE_TIME.test(value)) return [`${at}: not a date-time: ${value}`];
        return [];
      case 'integer':
        return Number.isInteger(value) ? [] : [`${at}: expected an integer, got ${JSON.stringify(value)}`];
      case 'number':
        return typeof value === 'number' ? [] : [`${at}: expected a number, got ${JSON.stringify(value)}`];
      case 'boolean':
        return typeof value === 'boolean' ? [] : [`${at}: expected a boolean, got ${JSON.stringify(value)}`];
      case 'array':
        if (!Array.isArray(value)) return [`${at}: expected an array, got ${typeof value}`];
        return schema.items ? value.flatMap((item, i) => this.validate(schema.items!, item, `${at}[${i}]`)) : [];
      case 'object':
        return this.validateObject(schema, value, at);
      default:
        return [];
    }
  }

  private validateObject(schema: SchemaObject, value: unknown, at: string): string[] {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return [`${at}: expected an object, got ${JSON.stringify(value)}`];
    const record = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const key of schema.required ?? [])
      if (!(key in record)) problems.push(`${at}: required property "${key}" is missing`);
    for (const [key, item] of Object.entries(record)) {
      const property = schema.properties?.[key];
      if (property) problems.push(...this.validate(property, item, `${at}.${key}`));
      else if (typeof schema.additionalProperties === 'object')
        problems.push(...this.validate(schema.additionalProperties, item, `${at}.${key}`));
      else if (schema.additionalProperties !== true) problems.push(`${at}: property "${key}" is not in the schema`);
    }
    return problems;
  }
}
