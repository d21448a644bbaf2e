/**
 * Which S3, DynamoDB and Lambda operations are safe to repeat after an **ambiguous** failure — one where the request
 * may already have run (a reset after it was written, a response timeout, most 5xx). rebound retries ambiguous
 * failures only for operations this table calls idempotent, unless the caller says otherwise per call; throttling and
 * failures that prove nothing was sent are retried regardless.
 *
 * | service | idempotent | not idempotent |
 * | --- | --- | --- |
 * | DynamoDB | reads (`GetItem`, `BatchGetItem`, `Query`, `Scan`, `Describe*`, `List*`), `PutItem`, `DeleteItem`, `BatchWriteItem`, `UpdateItem` whose update only sets values, `TransactWriteItems` / `ExecuteTransaction` with a `ClientRequestToken` (rebound pins one) | `UpdateItem` with `ADD`, arithmetic (`a = a + :n`) or `list_append`; `ExecuteStatement` (PartiQL may update) |
 * | S3 | reads (`GetObject`, `HeadObject`, `List*`), `PutObject`, `DeleteObject(s)`, `CopyObject`, `UploadPart`, `CompleteMultipartUpload`, `AbortMultipartUpload` | `CreateMultipartUpload` (each call opens a new upload), `CreateBucket`, anything else |
 * | Lambda | `Invoke` with `InvocationType: "DryRun"`, `Get*`, `List*` | `Invoke` (`RequestResponse` runs the function; `Event` queues it again), anything else |
 *
 * Operations not listed follow their name: `Get*`, `List*`, `Describe*`, `Head*` are idempotent; anything else is not.
 * A `PutItem` with a condition is idempotent in effect, but its retry may fail the condition because the first attempt
 * did write: rebound reports that failure as it is.
 *
 * Idempotency tokens are fixed before the first attempt (`ClientRequestToken` of `TransactWriteItems` and
 * `ExecuteTransaction`), so every retry reuses the same token and DynamoDB applies the transaction once.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/idempotency.js"

/**
 * Whether an operation with this input may be repeated after an ambiguous failure.
 *
 * @example
 * ```ts
 * import { Idempotency } from "@rebound/aws"
 *
 * Idempotency.isIdempotent("DynamoDB", "UpdateItem", { UpdateExpression: "SET #s = :s" }) // true
 * Idempotency.isIdempotent("DynamoDB", "UpdateItem", { UpdateExpression: "ADD visits :one" }) // false
 * Idempotency.isIdempotent("Lambda", "Invoke", { FunctionName: "f" }) // false
 * ```
 *
 * @since 0.1.0
 * @category idempotency
 */
export const isIdempotent: (service: string, operation: string, input: unknown) => boolean = internal.isIdempotent

/**
 * The input with idempotency tokens filled in where the operation takes one and the caller left it empty.
 *
 * @example
 * ```ts
 * import { Idempotency } from "@rebound/aws"
 * import type { TransactWriteItemsCommandInput } from "@aws-sdk/client-dynamodb"
 *
 * const input: TransactWriteItemsCommandInput = { TransactItems: [] }
 * const pinned = Idempotency.pinTokens("DynamoDB", "TransactWriteItems", input, "order-7-checkout")
 * console.log(pinned.ClientRequestToken) // "order-7-checkout": every retry sends the same token
 * ```
 *
 * @since 0.1.0
 * @category idempotency
 */
export const pinTokens: <I>(service: string, operation: string, input: I, token: string) => I = internal.pinTokens
