/** Pre-label sends work to Annotate, or a task that keeps failing to Triage along "failed" (its onFailure pathway). */
export const failurePathSpec = {
  title: "With a failure path",
  workflow: {
    stages: [
      { title: "Start", type: "START", to: "Pre-label" },
      {
        title: "Pre-label",
        type: "AGENT",
        pathways: [
          { name: "annotate", to: "Annotate" },
          { name: "failed", to: "Triage" },
        ],
      },
      { title: "Annotate", type: "ANNOTATION", to: "Done" },
      { title: "Triage", type: "ANNOTATION", to: "Done" },
      { title: "Done", type: "DONE" },
    ],
  },
} as const;
