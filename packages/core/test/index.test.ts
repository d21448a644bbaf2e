import { describe, expect, it } from "@effect/vitest"
import * as Core from "@rebound/core"
import * as path from "node:path"
import { packageContract, publishContract } from "../../../test-utils/packageContract.js"

describe("@rebound/core entry", () => {
  const contract = packageContract(path.join(__dirname, ".."))

  it("maps every public module to an exports subpath and re-exports it from the entry", () => {
    expect(contract.problems).toEqual([])
    expect(contract.modules).toEqual(contract.sourceModules)
    expect(contract.reexported).toEqual(contract.sourceModules)
  })

  it("exposes each module namespace at runtime", () => {
    expect(Object.keys(Core).sort()).toEqual(contract.sourceModules)
  })

  it("publishes a manifest fit for npm", () => {
    expect(publishContract(path.join(__dirname, "..")).problems).toEqual([])
  })
})
