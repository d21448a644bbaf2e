import { describe, expect, it } from "@effect/vitest"
import { isDocumented, jsdocCoverage } from "../../test-utils/jsdocCoverage.js"

describe("the published API's documentation", () => {
  it("gives every export of every public module a summary, @since and @category", () => {
    const exports = jsdocCoverage()
    expect(exports.length).toBeGreaterThan(300)
    expect(exports.filter((e) => !isDocumented(e)).map((e) => `@rebound/${e.pkg}/${e.module} ${e.name}`)).toEqual([])
  })
})
