import { describe, expect, it } from "@effect/vitest"
import * as Redis from "@rebound/redis"
import * as path from "node:path"
import { packageContract } from "../../../test-utils/packageContract.js"

describe("@rebound/redis entry", () => {
  const contract = packageContract(path.join(__dirname, ".."))

  it("maps every public module to an exports subpath and re-exports it from the entry", () => {
    expect(contract.problems).toEqual([])
    expect(contract.modules).toEqual(contract.sourceModules)
    expect(contract.reexported).toEqual(contract.sourceModules)
  })

  it("exposes each module namespace at runtime", () => {
    expect(Object.keys(Redis).sort()).toEqual(contract.sourceModules)
  })
})
