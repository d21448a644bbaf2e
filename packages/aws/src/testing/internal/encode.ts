// Fault → wire response, exactly as each AWS protocol encodes errors (LOCAL-AWS-LAB.md §4.2 and §5.5):
// DynamoDB awsJson1.0 (`__type` with a namespace), S3 restXml (`<Error><Code>`, no body on HEAD), Lambda restJson1
// (`x-amzn-errortype` and `{"Type","message",…}`).
import * as Duration from "effect/Duration"
import * as http from "node:http"
import type * as Fault from "../Fault.js"

export interface Wire {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const contentTypes: Readonly<Record<Fault.Service, string>> = {
  dynamodb: "application/x-amz-json-1.0",
  s3: "application/xml",
  lambda: "application/json"
}

const throttleCodes: Readonly<Record<Fault.Service, string>> = {
  dynamodb: "ProvisionedThroughputExceededException",
  s3: "SlowDown",
  lambda: "TooManyRequestsException"
}

const messages: Readonly<Record<string, string>> = {
  ProvisionedThroughputExceededException:
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
  ThrottlingException: "Rate of requests exceeds the allowed throughput.",
  RequestLimitExceeded: "Throughput exceeds the current throughput limit for your account.",
  SlowDown: "Please reduce your request rate.",
  TooManyRequestsException: "Rate Exceeded.",
  InternalServerError: "Internal server error",
  InternalError: "We encountered an internal error. Please try again.",
  ServiceUnavailable: "Service is unable to handle request.",
  ServiceException: "Lambda encountered an internal error.",
  EC2UnexpectedException:
    "Lambda received an unexpected EC2 client exception while setting up for the Lambda function.",
  EC2ThrottledException:
    "Lambda was throttled by Amazon EC2 during Lambda function initialization using the execution role provided for the Lambda function.",
  KMSAccessDeniedException:
    "Lambda was unable to decrypt the environment variables because KMS access was denied. Check the Lambda function's KMS permissions."
}

const serverErrorCode = (service: Fault.Service, status: Fault.ServerError["status"]): string => {
  switch (service) {
    case "dynamodb":
      return status === 500 ? "InternalServerError" : "ServiceUnavailable"
    case "s3":
      return status === 500 ? "InternalError" : "ServiceUnavailable"
    case "lambda":
      return status === 502 ? "EC2UnexpectedException" : "ServiceException"
  }
}

const hintHeaders = (hints: Fault.Hints): Record<string, string> => ({
  ...(hints.retryAfter !== undefined ?
    { "retry-after": String(Math.ceil(Duration.toSeconds(hints.retryAfter))) } :
    {}),
  ...(hints.amzRetryAfter !== undefined ?
    { "x-amz-retry-after": String(Math.round(Duration.toMillis(hints.amzRetryAfter))) } :
    {})
})

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** The headers that carry the request id, per service. */
export const requestIdHeaders = (service: Fault.Service, requestId: string): Record<string, string> =>
  service === "s3" ?
    { "x-amz-request-id": requestId, "x-amz-id-2": Buffer.from(requestId).toString("base64") } :
    { "x-amzn-requestid": requestId }

/** A service error: status, code, message, and extra members (Lambda's `Reason`). */
export const serviceError = (
  service: Fault.Service,
  error: { readonly status: number; readonly code: string; readonly message?: string | undefined },
  context: { readonly method: string; readonly requestId: string; readonly extra?: Readonly<Record<string, string>> }
): Wire => {
  const message = error.message ?? messages[error.code] ?? error.code
  const ids = requestIdHeaders(service, context.requestId)
  const headers = { ...ids, "content-type": contentTypes[service] }
  switch (service) {
    case "dynamodb": {
      const namespace = error.code === "ThrottlingException" ?
        "com.amazon.coral.availability" :
        "com.amazonaws.dynamodb.v20120810"
      return {
        status: error.status,
        headers,
        body: JSON.stringify({ __type: `${namespace}#${error.code}`, message })
      }
    }
    case "s3":
      return {
        status: error.status,
        headers,
        // S3 sends no body for HEAD; the SDK then names the error after the status.
        body: context.method === "HEAD" ?
          "" :
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(error.code)}</Code><Message>${
            xmlEscape(message)
          }</Message><RequestId>${context.requestId}</RequestId><HostId>${ids["x-amz-id-2"] ?? ""}</HostId></Error>`
      }
    case "lambda":
      return {
        status: error.status,
        headers: { ...headers, "x-amzn-errortype": error.code },
        body: JSON.stringify({ Type: error.status >= 500 ? "Service" : "User", message, ...context.extra })
      }
  }
}

/** Encodes a responding fault for the service behind the proxy. */
export const encode = (
  service: Fault.Service,
  fault: Fault.Responding,
  context: { readonly method: string; readonly requestId: string }
): Wire => {
  const hints = hintHeaders(fault)
  const withHints = (wire: Wire): Wire => ({ ...wire, headers: { ...wire.headers, ...hints } })
  switch (fault._tag) {
    case "Throttle": {
      const code = fault.code ?? throttleCodes[service]
      const status = service === "dynamodb" ? 400 : service === "s3" ? 503 : 429
      const extra = service === "lambda" ?
        { Reason: fault.reason ?? "ReservedFunctionConcurrentInvocationLimitExceeded" } :
        undefined
      return withHints(serviceError(service, { status, code }, { ...context, ...(extra ? { extra } : {}) }))
    }
    case "ServerError":
      return withHints(
        serviceError(
          service,
          { status: fault.status, code: fault.code ?? serverErrorCode(service, fault.status) },
          context
        )
      )
    case "HtmlPage": {
      const title = `${fault.status} ${http.STATUS_CODES[fault.status] ?? "Error"}`
      return withHints({
        status: fault.status,
        headers: { "content-type": "text/html" },
        body: context.method === "HEAD" ?
          "" :
          `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`
      })
    }
    case "Synthetic":
      return withHints({
        status: fault.status,
        headers: {
          ...requestIdHeaders(service, context.requestId),
          "content-type": fault.contentType ?? contentTypes[service],
          ...fault.headers
        },
        body: fault.body
      })
  }
}
