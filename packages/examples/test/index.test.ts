import { describe, expect, it } from "@effect/vitest"
import { examples } from "@rebound/examples"
import * as fs from "node:fs"
import * as path from "node:path"

describe("examples catalogue", () => {
  const root = path.join(__dirname, "..")
  const readme = fs.readFileSync(path.join(root, "..", "..", "README.md"), "utf8")

  it("lists only files that exist, each linked from the README", () => {
    for (const example of examples) {
      expect(fs.existsSync(path.join(root, example.file)), example.file).toBe(true)
      expect(readme, `README links ${example.file}`).toContain(`packages/examples/${example.file}`)
    }
  })

  it("is the README's promise: every example the README links is in the catalogue", () => {
    const linked = new Set([...readme.matchAll(/packages\/examples\/(src\/[\w/.-]+\.ts)/g)].map((m) => m[1]))
    expect([...linked].sort()).toEqual(examples.map((e) => e.file).sort())
  })
})
