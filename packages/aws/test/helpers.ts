import { Lab } from "@rebound/aws/testing"
import { RetryPolicy } from "@rebound/core"

/** Millisecond delays, so integration tests over real HTTP stay fast. */
export const fast = RetryPolicy.make({
  name: "fast",
  maxAttempts: 4,
  base: "2 millis",
  cap: "20 millis",
  throttling: { base: "5 millis" },
  retryAfter: { maxExtra: "10 millis", maxDelay: "50 millis" }
})

/** A lab with rebound's services, shared by a test file. */
export const labWithServices = (options?: Lab.Options, services?: Lab.ServiceOptions) =>
  Lab.layerWithServices(options, { policy: fast, ...services })
