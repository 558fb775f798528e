// Reading generated YAML in tests without a type for every kind: a document is plain data, and
// `field` walks a dotted path through it.
import { parseAllDocuments } from "yaml";

export type Doc = Readonly<Record<string, unknown>>;

export function yamlDocuments(text: string): Doc[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Doc);
}

/** `field(doc, "spec.template.spec.containers.0.image")`; undefined where the path ends. */
export function field(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
