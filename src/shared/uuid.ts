const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for any 8-4-4-4-12 hex string. Encord UUIDs do not always carry RFC version and variant
 * nibbles, so this is deliberately looser than RFC 4122.
 */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
