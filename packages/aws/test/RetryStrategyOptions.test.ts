import { describe, expect, it } from "@effect/vitest"
import { RetryStrategy } from "@rebound/aws"
import { InvalidOption, Presets, type RetryPolicy } from "@rebound/core"
import { Effect } from "effect"

/** The field `RetryStrategy.make` names when it refuses its input; `"accepted"` when it does not. */
const refused = (policy: unknown, options: unknown): string => {
  try {
    RetryStrategy.make(policy as RetryPolicy.RetryPolicy, options as RetryStrategy.Options)
  } catch (error) {
    if (InvalidOption.isInvalidOptionError(error)) {
      expect(error.constructorName).toBe("RetryStrategy.make")
      return error.field
    }
    throw error
  }
  return "accepted"
}

describe("RetryStrategy.make", () => {
  it("refuses bad input when it is built, naming the field, not at the first request", () => {
    const policy = Presets.awsJs2026
    expect(refused(policy, { service: "DynamoDB" })).toBe("accepted")
    expect(refused({ name: "mine", maxAttempts: 3 }, { service: "DynamoDB" })).toBe("policy")
    expect(refused(policy, undefined)).toBe("options")
    expect(refused(policy, {})).toBe("service")
    expect(refused(policy, { service: "" })).toBe("service")
    expect(refused(policy, { service: "DynamoDB", idempotnet: true })).toBe("idempotnet")
    expect(refused(policy, { service: "DynamoDB", idempotent: "yes" })).toBe("idempotent")
    expect(refused(policy, { service: "DynamoDB", guardScope: "" })).toBe("guardScope")
    expect(refused(policy, { service: "DynamoDB", runtime: {} })).toBe("runtime")
    expect(refused(policy, { service: "DynamoDB", rules: { codes: { SlowDown: "throtling" } } })).toBe(
      "rules.codes.SlowDown"
    )
    expect(refused(policy, { service: "DynamoDB", rules: { code: {} } })).toBe("rules.code")
  })

  it.effect("takes a runtime built by Effect", () =>
    Effect.gen(function*() {
      const runtime = yield* Effect.runtime<never>()
      expect(refused(Presets.awsJs2026, { service: "S3", runtime, guardScope: "shared", idempotent: true })).toBe(
        "accepted"
      )
    }))
})
