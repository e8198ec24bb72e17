// Registers the custom search attributes on a namespace; idempotent.
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { searchAttributeDefinitions } from './search-attributes.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;
const protoType = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as const;

export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = searchAttributeDefinitions.filter((d) => !known.has(d.name));
  if (missing.length > 0) await addSearchAttributes(connection, namespace, missing);
  return missing.map((d) => d.name);
}

/** Adds the attributes without listing first (the Java test server cannot list them). */
export async function addSearchAttributes(
  connection: Connection,
  namespace: string,
  definitions: ReadonlyArray<(typeof searchAttributeDefinitions)[number]> = searchAttributeDefinitions,
): Promise<void> {
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(definitions.map((d) => [d.name, protoType[d.type]])),
  });
}
