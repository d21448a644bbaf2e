// Reads vitest's JSON report and prints the one line CI recognises: `N passed, N failed`.
// A test file that failed to load counts as one failure; a missing report counts as a failure of the whole run.
import * as fs from "node:fs"

const file = process.argv[2]
let passed = 0
let failed = 0
if (file && fs.existsSync(file)) {
  const report = JSON.parse(fs.readFileSync(file, "utf8"))
  passed = report.numPassedTests ?? 0
  failed = report.numFailedTests ?? 0
  for (const result of report.testResults ?? []) {
    if (result.status === "failed" && (result.assertionResults ?? []).length === 0) failed += 1
  }
} else {
  failed = 1
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 && passed > 0 ? 0 : 1)
