import { describe, expect, it } from "@effect/vitest"
import { Console, Effect } from "effect"
import { run } from "../src/demo.js"

describe("pnpm demo", () => {
  it.live(
    "runs the three scenarios against the lab under injected faults and verifies every piece of data",
    () =>
      Effect.gen(function*() {
        const lines: Array<string> = []
        const original = yield* Console.consoleWith(Effect.succeed)
        const rows = yield* run({ seed: 2026, real: false, quiet: true }).pipe(
          Effect.withConsole({
            ...original,
            log: (...xs: ReadonlyArray<unknown>) => Effect.sync(() => lines.push(xs.join(" ")))
          })
        )
        expect(rows.map((r) => r.ok)).toEqual([true, true, true])
        expect(rows.reduce((n, r) => n + r.retries, 0)).toBeGreaterThan(0)
        expect(rows[2]!.throttles).toBeGreaterThan(0)
        expect(lines[0]).toContain("seed 2026")
        expect(lines.some((l) => l.includes("Every piece of data arrived intact."))).toBe(true)
      }),
    120_000
  )
})
