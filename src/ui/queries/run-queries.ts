// The runs the store recorded, as the dashboard's pages read them (the CLI's `runs` reads the same).
export * from "../../backends/local/run-queries.js";
