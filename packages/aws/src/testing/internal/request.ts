import * as crypto from "node:crypto"
import type * as http from "node:http"
import type * as Fault from "../Fault.js"

/** What the proxy knows about a request: enough to match rules and write the log, never credentials or bodies. */
export interface RequestInfo {
  readonly service: Fault.Service
  readonly method: string
  readonly operation: string
  readonly resource: string | undefined
  /** S3 only: the bucket and the key (or a list's prefix), for prefix rules and capacity. */
  readonly bucket: string | undefined
  readonly key: string | undefined
  /** From `amz-sdk-request: attempt=N`, when the client sent it. */
  readonly sdkAttempt: number | undefined
  /** Identifies identical requests (method, URL, body) so repeats can be numbered. */
  readonly fingerprint: string
  /** DynamoDB only: the parsed JSON body. */
  readonly json: unknown
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const parseJson = (body: Buffer): unknown => {
  try {
    return body.length === 0 ? undefined : JSON.parse(body.toString("utf8"))
  } catch {
    return undefined
  }
}

const record = (u: unknown): Readonly<Record<string, unknown>> | undefined =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? u as Record<string, unknown> : undefined

/** `TableName`, or the first table of `RequestItems` (batch operations). */
export const tableOf = (json: unknown): string | undefined => {
  const body = record(json)
  if (typeof body?.TableName === "string") return body.TableName
  const items = record(body?.RequestItems)
  return items ? Object.keys(items)[0] : undefined
}

const s3Operation = (method: string, hasKey: boolean, query: URLSearchParams, copySource: boolean): string => {
  if (!hasKey) {
    switch (method) {
      case "PUT":
        return "CreateBucket"
      case "DELETE":
        return "DeleteBucket"
      case "HEAD":
        return "HeadBucket"
      case "POST":
        return query.has("delete") ? "DeleteObjects" : "PostBucket"
      case "GET":
        return query.get("list-type") === "2" ?
          "ListObjectsV2" :
          query.has("uploads") ?
          "ListMultipartUploads" :
          query.has("location") ?
          "GetBucketLocation" :
          "ListObjects"
    }
    return "Unknown"
  }
  const upload = query.has("uploadId")
  switch (method) {
    case "PUT":
      return query.has("partNumber") && upload ?
        (copySource ? "UploadPartCopy" : "UploadPart") :
        copySource ?
        "CopyObject" :
        "PutObject"
    case "GET":
      return upload ? "ListParts" : "GetObject"
    case "HEAD":
      return "HeadObject"
    case "DELETE":
      return upload ? "AbortMultipartUpload" : "DeleteObject"
    case "POST":
      return query.has("uploads") ? "CreateMultipartUpload" : upload ? "CompleteMultipartUpload" : "PostObject"
  }
  return "Unknown"
}

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/

/**
 * A Lambda `FunctionName` as it appears in the Invoke path (a name, `name:qualifier`, a partial ARN
 * `123456789012:function:name[:qualifier]` or a full ARN) → the name and the qualifier in it, if any.
 */
export const parseFunctionName = (raw: string): { readonly name: string; readonly qualifier: string | undefined } => {
  let decoded = raw
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    // Not encoded after all; function names never contain "%".
  }
  const parts = decoded.split(":")
  const at = parts.indexOf("function")
  if (at >= 0 && at + 1 < parts.length) return { name: parts[at + 1]!, qualifier: parts[at + 2] }
  if (parts.length === 2) return { name: parts[0]!, qualifier: parts[1] }
  return { name: decoded, qualifier: undefined }
}

/** The Invoke path's function name, or undefined when the path is not an Invoke. */
export const invokedFunction = (method: string, path: string) => {
  const match = method === "POST" ? invokePath.exec(path) : null
  return match ? parseFunctionName(match[1]!) : undefined
}

const decodePath = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Classifies a request the way the rules and the log see it. The body has been read completely. */
export const classify = (service: Fault.Service, req: http.IncomingMessage, body: Buffer): RequestInfo => {
  const method = req.method ?? "GET"
  const url = new URL(req.url ?? "/", "http://lab.invalid")
  const attemptHeader = /attempt=(\d+)/.exec(header(req, "amz-sdk-request") ?? "")
  const sdkAttempt = attemptHeader ? Number(attemptHeader[1]) : undefined
  const fingerprint = crypto.createHash("sha256").update(`${service}\0${method}\0${req.url ?? ""}\0`).update(body)
    .digest("base64")
  const base = { service, method, sdkAttempt, fingerprint, bucket: undefined, key: undefined, json: undefined }
  switch (service) {
    case "dynamodb": {
      const target = header(req, "x-amz-target")
      const json = parseJson(body)
      return { ...base, json, operation: target?.split(".").pop() ?? "Unknown", resource: tableOf(json) }
    }
    case "s3": {
      // Path-style only: the lab's clients set forcePathStyle.
      const [bucketSegment = "", ...keySegments] = url.pathname.slice(1).split("/")
      const bucket = bucketSegment === "" ? undefined : decodePath(bucketSegment)
      const objectKey = keySegments.length > 0 && keySegments.join("/") !== "" ?
        decodePath(keySegments.join("/")) :
        undefined
      const key = objectKey ?? (url.searchParams.get("prefix") || undefined)
      const operation = bucket === undefined && method === "GET" ?
        "ListBuckets" :
        s3Operation(method, objectKey !== undefined, url.searchParams, header(req, "x-amz-copy-source") !== undefined)
      const resource = bucket === undefined ? undefined : key === undefined ? bucket : `${bucket}/${key}`
      return { ...base, operation, resource, bucket, key }
    }
    case "lambda": {
      const fn = invokedFunction(method, url.pathname)
      return { ...base, operation: fn ? "Invoke" : "Unknown", resource: fn?.name }
    }
  }
}

/** Does a rule's `resource` match? S3 resources are `bucket` or `bucket/keyPrefix`; the others match exactly. */
export const resourceMatches = (info: RequestInfo, wanted: string | undefined): boolean => {
  if (wanted === undefined) return true
  if (info.service !== "s3") return info.resource === wanted
  const slash = wanted.indexOf("/")
  if (slash < 0) return info.bucket === wanted
  return info.bucket === wanted.slice(0, slash) && (info.key ?? "").startsWith(wanted.slice(slash + 1))
}
