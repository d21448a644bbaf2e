import type * as AwsError from "../AwsError.js"

/**
 * Credential material a service may echo in an error message (an `InvalidSignatureException` quotes the canonical
 * request, security token header included) or a caller may put in one.
 */
const secretPatterns: ReadonlyArray<RegExp> = [
  // SigV4 `Authorization` header values, whole.
  /AWS4-HMAC-SHA256[^\n'"]*/g,
  // `Credential=AKIA…/20261129/…`, `Signature=…` (header or presigned query), `X-Amz-Security-Token=…`.
  /\b(Credential|Signature|X-Amz-Credential|X-Amz-Signature|X-Amz-Security-Token)=[^\s,&'"]+/gi,
  // `x-amz-security-token:…` / `authorization: …` lines of a canonical request, and the same as JSON or XML fields.
  /\b(x-amz-security-token|authorization|sessionToken|secretAccessKey|SignatureProvided|StringToSign(Bytes)?|CanonicalRequest(Bytes)?)\s*["']?\s*[:=>]\s*["']?[^\s'"<,}]+/gi,
  // Access key ids (long-term `AKIA…`, temporary `ASIA…`).
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g,
  // SigV4 signatures and payload hashes: 64 hex digits.
  /\b[0-9a-f]{64}\b/gi
]

/** Removes credential material from a text, keeping the rest readable. @internal */
export const scrub = (text: string): string =>
  secretPatterns.reduce((acc, pattern) => acc.replace(pattern, "[redacted]"), text)

const str = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)
const num = (u: unknown): number | undefined => (typeof u === "number" ? u : undefined)

/** The stack's frames only: its first lines repeat the message, which may carry secrets. */
const framesOf = (stack: unknown): string =>
  typeof stack === "string" ? stack.split("\n").filter((line) => /^\s+at /.test(line)).join("\n") : ""

/**
 * A summary of an error thrown by the SDK or the network, safe to render anywhere: its name, code, fault, metadata
 * (status, request ids, attempts) and stack frames, and a summary of its own cause. The service's message stays out
 * (it is the failure's `detail`, with credentials scrubbed), and so do `$response`, request echoes and members the
 * service returned (`AWSAccessKeyId`, `StringToSign`, `Token-0`, …).
 * @internal
 */
export class ErrorSummary extends Error implements AwsError.ErrorSummary {
  readonly code: string | undefined
  readonly $fault: string | undefined
  readonly $metadata: AwsError.ErrorSummary["$metadata"]
  constructor(fields: {
    readonly name: string
    readonly message: string
    readonly code: string | undefined
    readonly $fault: string | undefined
    readonly $metadata: AwsError.ErrorSummary["$metadata"]
    readonly cause: unknown
    readonly frames: string
  }) {
    super(fields.message, fields.cause === undefined ? undefined : { cause: fields.cause })
    this.name = fields.name
    this.code = fields.code
    this.$fault = fields.$fault
    this.$metadata = fields.$metadata
    this.stack = `${fields.name}: ${fields.message}${fields.frames.length > 0 ? `\n${fields.frames}` : ""}`
  }
}

/**
 * The errors summaries were made of, keyed by summary: no renderer can walk a `WeakMap` (not even `util.inspect` with
 * `showHidden`), and a failure copied by the retry machinery keeps the same summary as its cause.
 */
const originals = new WeakMap<ErrorSummary, unknown>()

/** The error a summary was made of. @internal */
export const sdkErrorOfSummary = (summary: unknown): unknown =>
  summary instanceof ErrorSummary ? originals.get(summary) : undefined

interface Raw {
  readonly name?: unknown
  readonly code?: unknown
  readonly syscall?: unknown
  readonly message?: unknown
  readonly stack?: unknown
  readonly cause?: unknown
  readonly $fault?: unknown
  readonly $metadata?: Readonly<Record<string, unknown>>
}

const metadataOf = (raw: Raw): AwsError.ErrorSummary["$metadata"] => {
  const m = raw.$metadata
  if (typeof m !== "object" || m === null) return undefined
  const out = {
    httpStatusCode: num(m.httpStatusCode),
    requestId: str(m.requestId),
    extendedRequestId: str(m.extendedRequestId),
    cfId: str(m.cfId),
    attempts: num(m.attempts),
    totalRetryDelay: num(m.totalRetryDelay)
  }
  return Object.fromEntries(
    Object.entries(out).filter(([, v]) => v !== undefined)
  ) as AwsError.ErrorSummary["$metadata"]
}

/**
 * A summary of `error` and its cause chain (at most 10 deep), or `undefined` when it is not an object: a thrown string
 * or number may be a payload.
 * @internal
 */
export const summarize = (error: unknown, depth = 0): ErrorSummary | undefined => {
  if (typeof error !== "object" || error === null || depth > 10) return undefined
  if (error instanceof ErrorSummary) return error
  const raw = error as Raw
  const name = str(raw.name) ?? "Error"
  const code = str(raw.code)
  const metadata = metadataOf(raw)
  const status = metadata?.httpStatusCode
  const facts = [
    status !== undefined ? `HTTP ${status}` : undefined,
    metadata?.requestId !== undefined ? `request id ${metadata.requestId}` : undefined
  ].filter((s) => s !== undefined)
  // Node's own system errors ("connect ECONNREFUSED 127.0.0.1:8000") say where, never what was sent.
  const own = str(raw.syscall) !== undefined ? str(raw.message) : undefined
  const message = own !== undefined ?
    scrub(own) :
    facts.length > 0 ?
    `${facts.join(", ")} (the service's message is the failure's \`detail\`)` :
    code ?? name
  const summary = new ErrorSummary({
    name,
    message,
    code,
    $fault: str(raw.$fault),
    $metadata: metadata,
    cause: summarize(raw.cause, depth + 1),
    frames: framesOf(raw.stack)
  })
  originals.set(summary, error)
  return summary
}
