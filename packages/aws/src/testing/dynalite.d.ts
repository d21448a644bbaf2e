// dynalite 4.0.0 ships no types (and @types/dynalite does not exist); this covers what the lab uses.
declare module "dynalite" {
  import type * as http from "node:http"

  interface DynaliteOptions {
    /** Milliseconds tables stay CREATING / DELETING / UPDATING (default 500). */
    readonly createTableMs?: number
    readonly deleteTableMs?: number
    readonly updateTableMs?: number
    readonly maxItemSizeKb?: number
    /** A LevelDB directory; in memory when absent. */
    readonly path?: string
    readonly ssl?: boolean
    readonly verbose?: boolean
    readonly debug?: boolean
  }

  /** An `http.Server` whose `close` also closes the database (waiting up to 30 s for pending operations). */
  function dynalite(options?: DynaliteOptions): http.Server

  export = dynalite
}
