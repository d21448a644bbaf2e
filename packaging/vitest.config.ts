import { defineProject, mergeConfig } from "vitest/config"
import { shared } from "../vitest.shared.js"

// One file that packs, installs with npm (from the registry, through npm's cache) and compiles: minutes, not seconds.
export default mergeConfig(
  shared,
  defineProject({ test: { name: "packaging", testTimeout: 300_000, hookTimeout: 300_000 } })
)
