import { canonical } from "./serviceName.js"

type Input = Readonly<Record<string, unknown>>

const asInput = (u: unknown): Input => (typeof u === "object" && u !== null ? u as Input : {})

const byName = (operation: string) => /^(Get|List|Describe|Head)/.test(operation)

/** `SET a = :v`, `REMOVE a`, `DELETE s :v` repeat safely; `ADD`, `a = a + :n` and `list_append` do not. */
const updateIsIdempotent = (input: Input): boolean => {
  const expression = input.UpdateExpression
  if (typeof expression === "string") {
    if (/\bADD\b/i.test(expression) || /list_append\s*\(/i.test(expression)) return false
    // an arithmetic SET: `name = operand + operand` or `- operand`
    if (/=\s*[^,]*[+-]/.test(expression.replace(/\bif_not_exists\s*\([^)]*\)/gi, "x"))) return false
    return true
  }
  const updates = input.AttributeUpdates
  if (typeof updates === "object" && updates !== null) {
    return !Object.values(updates as Record<string, { readonly Action?: string }>).some((u) => u.Action === "ADD")
  }
  return true
}

const dynamodb: Record<string, (input: Input) => boolean> = {
  GetItem: () => true,
  BatchGetItem: () => true,
  Query: () => true,
  Scan: () => true,
  TransactGetItems: () => true,
  PutItem: () => true,
  DeleteItem: () => true,
  BatchWriteItem: () => true,
  UpdateItem: updateIsIdempotent,
  TransactWriteItems: (input) => typeof input.ClientRequestToken === "string",
  ExecuteTransaction: (input) => typeof input.ClientRequestToken === "string",
  ExecuteStatement: () => false,
  BatchExecuteStatement: () => false
}

const s3: Record<string, (input: Input) => boolean> = {
  GetObject: () => true,
  HeadObject: () => true,
  HeadBucket: () => true,
  ListObjects: () => true,
  ListObjectsV2: () => true,
  ListBuckets: () => true,
  ListParts: () => true,
  ListMultipartUploads: () => true,
  PutObject: () => true,
  DeleteObject: () => true,
  DeleteObjects: () => true,
  CopyObject: () => true,
  UploadPart: () => true,
  UploadPartCopy: () => true,
  CompleteMultipartUpload: () => true,
  AbortMultipartUpload: () => true,
  CreateMultipartUpload: () => false,
  CreateBucket: () => false
}

const lambda: Record<string, (input: Input) => boolean> = {
  Invoke: (input) => input.InvocationType === "DryRun",
  InvokeAsync: () => false,
  InvokeWithResponseStream: () => false
}

const tables: Record<string, Record<string, (input: Input) => boolean>> = { DynamoDB: dynamodb, S3: s3, Lambda: lambda }

/** @internal */
export const isIdempotent = (service: string, operation: string, input: unknown): boolean => {
  const rule = tables[canonical(service)]?.[operation]
  return rule !== undefined ? rule(asInput(input)) : byName(operation)
}

const tokenFields: Record<string, Record<string, string>> = {
  DynamoDB: { TransactWriteItems: "ClientRequestToken", ExecuteTransaction: "ClientRequestToken" }
}

/** Whether the operation takes an idempotency token the caller left empty. @internal */
export const needsToken = (service: string, operation: string, input: unknown): boolean => {
  const field = tokenFields[canonical(service)]?.[operation]
  if (field === undefined) return false
  const current = asInput(input)[field]
  return !(typeof current === "string" && current.length > 0)
}

/** @internal */
export const pinTokens = <I>(service: string, operation: string, input: I, token: string): I => {
  const field = tokenFields[canonical(service)]?.[operation]
  if (field === undefined) return input
  const current = asInput(input)[field]
  return typeof current === "string" && current.length > 0 ? input : { ...input, [field]: token }
}
