/** The services rebound knows by name, keyed in lower case. */
const known: ReadonlyMap<string, string> = new Map([
  ["dynamodb", "DynamoDB"],
  ["s3", "S3"],
  ["lambda", "Lambda"]
])

/**
 * The canonical spelling of a service name: `"lambda"`, `"LAMBDA"` and `"Lambda"` are all `"Lambda"`, so rules keyed
 * by service (classification, idempotency, resources) cannot miss because of case. Other names are kept as given.
 * @internal
 */
export const canonical = (name: string): string => known.get(name.toLowerCase()) ?? name
