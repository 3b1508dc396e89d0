/** A binary min-heap: the fleet's pending events come out in time order without sorting the whole queue. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(item, items[parent] as T)) break;
      items[index] = items[parent] as T;
      index = parent;
    }
    items[index] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && this.before(items[right] as T, items[left] as T) ? right : left;
      if (!this.before(items[child] as T, last)) break;
      items[index] = items[child] as T;
      index = child;
    }
    items[index] = last;
    return top;
  }
}

/** Items in time order; items with one time come out in the order they went in. */
export class TimeQueue<T extends { readonly at: number }> {
  private sequence = 0;
  private readonly heap = new MinHeap<{ readonly item: T; readonly sequence: number }>(
    (a, b) => a.item.at < b.item.at || (a.item.at === b.item.at && a.sequence < b.sequence),
  );

  constructor(items: Iterable<T> = []) {
    for (const item of items) this.push(item);
  }

  peek(): T | undefined {
    return this.heap.peek()?.item;
  }

  push(item: T): void {
    this.sequence += 1;
    this.heap.push({ item, sequence: this.sequence });
  }

  pop(): T | undefined {
    return this.heap.pop()?.item;
  }
}
