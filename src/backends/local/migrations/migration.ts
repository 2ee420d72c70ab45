/** One schema step. Migrations are numbered and only ever appended; never edit a shipped one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
