// The AWS SDK warns on Node 20 that releases after January 2027 will need Node 22; the versions here are pinned.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

import { command } from "../demo.js"
import { runCli } from "../internal/cli.js"

runCli(command, { name: "rebound demo", version: "0.1.0" })
