import { CallError } from "@rebound/core"
import type * as Client from "../Client.js"
import * as ClientModule from "../Client.js"
import type * as Rng from "../Rng.js"

/** One-way network delay |N(mean, sd)| in whole microseconds. @internal */
export const networkDelay = (stream: Rng.Stream, meanMillis: number, sdMillis: number): number =>
  Math.round(Math.abs(stream.normal(meanMillis, sdMillis)) * 1000)

const common = { service: "Simulated", operation: "Call" } as const

/**
 * The failures the modelled services return. One instance each, shared by every call: the simulator never mutates
 * them, and building an `Error` per failure would dominate the run time.
 * @internal
 */
export const failures = {
  throttled: new CallError.ThrottlingError({
    ...common,
    code: "ProvisionedThroughputExceededException",
    httpStatus: 400
  }),
  unavailable: new CallError.TransientError({
    ...common,
    code: "ServiceUnavailable",
    httpStatus: 503,
    reason: "server",
    ambiguous: false
  }),
  conflict: new CallError.TransientError({
    ...common,
    code: "VersionConflict",
    detail: "the row's version changed between the read and the write",
    httpStatus: 409,
    reason: "server",
    ambiguous: false
  }),
  timeout: new CallError.TransientError({
    ...common,
    code: "TimeoutError",
    detail: "the client stopped waiting for the response",
    reason: "timeout",
    ambiguous: true
  })
} as const

/** The default instances: each its own SDK client, with its own guard state. @internal */
export const ownGuards: Client.MakeClient = (queue, policy, jitter) => ClientModule.make(queue, policy, jitter)
