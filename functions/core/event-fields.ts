/** An event's fields read as untyped JSON: the incoming events are checked field by field, never trusted. */
export type Fields = Readonly<Record<string, unknown>>;

export const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value as an error message shows it; `missing` for none. */
export const shown = (value: unknown): string => (value === undefined ? 'missing' : JSON.stringify(value));

/** The EventBridge envelope's id, when the event has one, for a warning about an event that could not be read. */
export function envelopeId(event: unknown): unknown {
  return isFields(event) && 'id' in event ? event['id'] : undefined;
}
