import { defineConfig } from "vitest/config"

// `.ci/run` sets VITEST_JSON_REPORT to collect machine-readable results next to the usual console output.
const jsonReport = process.env.VITEST_JSON_REPORT

export default defineConfig({
  test: {
    projects: ["packages/*", "packaging"],
    ...(jsonReport ? { reporters: ["default", "json"], outputFile: { json: jsonReport } } : {})
  }
})
