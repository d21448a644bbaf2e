import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../vitest.shared.js"

// One file that packs, installs with npm (from the registry, through npm's cache) and compiles: 2.3 minutes measured
// in a fresh-clone CI run on this project's 2-core machine, 4 at a load average of 12; the timeouts leave room.
export default mergeConfig(
  shared,
  defineProject({ test: { name: "packaging", testTimeout: 600_000, hookTimeout: 600_000 } })
)
