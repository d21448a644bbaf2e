// DynamoDB capacity accounting: what each operation costs (1 unit per item, see Capacity.ts), how a batch is split
// into the part that fits and the part handed back as unprocessed, and how that part is merged into the upstream's
// answer. Pure functions over the awsJson1.0 bodies.

type Json = Readonly<Record<string, unknown>>

const record = (u: unknown): Json => typeof u === "object" && u !== null && !Array.isArray(u) ? u as Json : {}
const list = (u: unknown): ReadonlyArray<unknown> => Array.isArray(u) ? u : []

export type Kind = "read" | "write"

export interface Demand {
  readonly kind: Kind
  /** Units wanted per table, in request order. */
  readonly tables: ReadonlyArray<readonly [table: string, units: number]>
  readonly batch: boolean
}

const single: Readonly<Record<string, Kind>> = {
  GetItem: "read",
  Query: "read",
  Scan: "read",
  PutItem: "write",
  UpdateItem: "write",
  DeleteItem: "write"
}

/** What an operation costs, or undefined when it is not metered (CreateTable, DescribeTable, …). */
export const demandOf = (operation: string, json: unknown): Demand | undefined => {
  const body = record(json)
  const kind = single[operation]
  if (kind !== undefined) {
    return typeof body.TableName === "string" ? { kind, tables: [[body.TableName, 1]], batch: false } : undefined
  }
  const requestItems = Object.entries(record(body.RequestItems))
  if (operation === "BatchWriteItem") {
    return { kind: "write", batch: true, tables: requestItems.map(([table, items]) => [table, list(items).length]) }
  }
  if (operation === "BatchGetItem") {
    return {
      kind: "read",
      batch: true,
      tables: requestItems.map(([table, entry]) => [table, list(record(entry).Keys).length])
    }
  }
  return undefined
}

export interface Split {
  /** The request body to forward: only what was granted. */
  readonly forward: Json
  /** `UnprocessedItems` (BatchWriteItem) or `UnprocessedKeys` (BatchGetItem) to add to the answer. */
  readonly unprocessed: Json
  readonly unprocessedCount: number
}

/** Keeps the first `granted` items (or keys) of each table; the rest becomes unprocessed. */
export const splitBatch = (operation: string, json: unknown, granted: ReadonlyMap<string, number>): Split => {
  const body = record(json)
  const forward: Record<string, unknown> = {}
  const unprocessed: Record<string, unknown> = {}
  let unprocessedCount = 0
  for (const [table, entry] of Object.entries(record(body.RequestItems))) {
    const n = granted.get(table) ?? 0
    const items = operation === "BatchWriteItem" ? list(entry) : list(record(entry).Keys)
    const wrap = (part: ReadonlyArray<unknown>) =>
      operation === "BatchWriteItem" ? part : { ...record(entry), Keys: part }
    // DynamoDB rejects a table with an empty list, so a table with nothing granted is left out of the request.
    if (n > 0) forward[table] = wrap(items.slice(0, n))
    if (n < items.length) {
      unprocessed[table] = wrap(items.slice(n))
      unprocessedCount += items.length - n
    }
  }
  return { forward: { ...body, RequestItems: forward }, unprocessed, unprocessedCount }
}

/** Adds the unprocessed part to the upstream's own `UnprocessedItems` / `UnprocessedKeys`. */
export const mergeUnprocessed = (operation: string, answer: unknown, unprocessed: Json): Json => {
  const body = record(answer)
  const field = operation === "BatchWriteItem" ? "UnprocessedItems" : "UnprocessedKeys"
  const merged: Record<string, unknown> = { ...record(body[field]) }
  for (const [table, ours] of Object.entries(unprocessed)) {
    const theirs = merged[table]
    merged[table] = theirs === undefined ?
      ours :
      operation === "BatchWriteItem" ?
      [...list(theirs), ...list(ours)] :
      { ...record(ours), Keys: [...list(record(theirs).Keys), ...list(record(ours).Keys)] }
  }
  return { ...body, [field]: merged }
}
