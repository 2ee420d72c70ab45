/**
 * Request sizes (docs/encord-protocol.md §5 and §9): the SDK's bundle limits, with the agents runner's
 * smaller chunks for saves and priorities.
 */
export const encordLimits = {
  labelRowsPerGet: 1000,
  labelRowsPerCreate: 1000,
  metadataPerList: 1000,
  labelRowsPerSave: 100,
  prioritiesPerRequest: 100,
  actionsPerRequest: 1000,
  storageItemsPerRequest: 1000,
} as const;
