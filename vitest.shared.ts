import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { ViteUserConfig } from "vitest/config"

const root = path.dirname(fileURLToPath(import.meta.url))
const packages = ["core", "aws", "redis", "examples", "simulator"] as const

// Tests run against the sources: `@rebound/x` → packages/x/src/index.ts, `@rebound/x/testing` → its testing kit,
// `@rebound/x/Module` → packages/x/src/Module.ts. No build is needed before `pnpm test`.
const alias = packages.flatMap((name) => {
  const src = path.join(root, "packages", name, "src")
  return [
    { find: new RegExp(`^@rebound/${name}$`), replacement: path.join(src, "index.ts") },
    { find: new RegExp(`^@rebound/${name}/testing$`), replacement: path.join(src, "testing", "index.ts") },
    { find: new RegExp(`^@rebound/${name}/(.+)$`), replacement: path.join(src, "$1.ts") }
  ]
})

export const shared: ViteUserConfig = {
  resolve: { alias },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { concurrent: false }
  }
}
