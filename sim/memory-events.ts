import type { OutboxEvent } from '../functions/core/model.js';
import type { EventsPort } from '../functions/core/ports.js';

/** The event bus in memory: what Phoenix published, in order. */
export class MemoryEvents implements EventsPort {
  private readonly published: OutboxEvent[] = [];

  all(): readonly OutboxEvent[] {
    return this.published;
  }

  async publish(events: readonly OutboxEvent[]): Promise<void> {
    await Promise.resolve();
    this.published.push(...events);
  }
}
