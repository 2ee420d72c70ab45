/** One schema step. Migrations are numbered and only ever appended; never edit a shipped one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * True when this code reads a store that lacks this step correctly (an index only makes
   * queries faster). Commands that only read open such a store without migrating it; any other
   * missing step makes them ask for a command that writes, which upgrades the store.
   */
  readonly readCompatible?: boolean;
}
