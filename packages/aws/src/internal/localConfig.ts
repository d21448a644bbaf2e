import { CallError } from "@rebound/core"
import type * as AwsCall from "../AwsCall.js"

/**
 * A call the SDK refused before sending anything, because this process is not configured to reach AWS: no region, an
 * invalid region, no credentials. It is a `FatalError` (retrying cannot help) whose message says what is missing and
 * where to set it — not `FatalError … (unknown)` with the reason hidden in `detail`.
 */
class LocalConfigurationError extends CallError.FatalError {
  override get message(): string {
    return `${this.service}.${this.operation} was not sent: ${explanations[this.code] ?? this.code}`
  }
}

const explanations: Readonly<Record<string, string>> = {
  RegionMissing: "no AWS region is configured. Set the service's `region` option, AWS_REGION, or `region` in the " +
    "shared config file (~/.aws/config) for the profile in use. Retrying will not help.",
  RegionInvalid: "the configured AWS region is not valid (the SDK's reason is in `detail`). Check the `region` " +
    "option, AWS_REGION, or `region` in the shared config file. Retrying will not help.",
  CredentialsProviderError: "no AWS credentials could be loaded (the SDK's provider chain found none; its reason is " +
    "in `detail`). Set the `credentials` option, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile " +
    "(AWS_PROFILE) with credentials. Retrying will not help.",
  TokenProviderError: "no bearer token could be loaded for the profile's SSO session (the SDK's reason is in " +
    "`detail`). Sign in again (`aws sso login`) or choose another profile. Retrying will not help."
}

/** The code of a local configuration error the SDK raised, if it is one. */
const localCode = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null || "$metadata" in error) return undefined
  const { message, name } = error as { readonly name?: unknown; readonly message?: unknown }
  if (name === "CredentialsProviderError" || name === "TokenProviderError") return name
  if (name === "Error" && typeof message === "string") {
    if (message === "Region is missing") return "RegionMissing"
    if (message.startsWith("Region not accepted")) return "RegionInvalid"
  }
  return undefined
}

/**
 * Turns a local configuration error raised by the SDK into a `FatalError` whose message says what to configure;
 * anything else is returned unchanged.
 * @internal
 */
export const explainLocal = (
  error: unknown,
  service: string,
  operation: string,
  resource: string | undefined
): unknown => {
  const code = localCode(error)
  if (code === undefined) return error
  const message = (error as { readonly message?: unknown }).message
  return new LocalConfigurationError({
    service,
    operation,
    resource,
    code,
    reason: code.startsWith("Region") ? "configuration" : "auth",
    detail: typeof message === "string" ? message : undefined,
    cause: error
  })
}

/**
 * The client as rebound's call shell sees it: the same `send`, with local configuration errors explained.
 * @internal
 */
export const explainingClient = (
  service: string,
  client: AwsCall.SdkClient,
  operationOf: (command: object) => string,
  resourceOf: (service: string, input: unknown) => string | undefined
): AwsCall.SdkClient => ({
  send: (command, options) =>
    client.send(command, options).catch((error: unknown) => {
      const c = command as unknown as { readonly input?: unknown }
      throw explainLocal(error, service, operationOf(c), resourceOf(service, c.input))
    }),
  // The client's own middleware stack: the call shell adds its attempt headers there.
  middlewareStack: (client as { readonly middlewareStack?: unknown }).middlewareStack
})
