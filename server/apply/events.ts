// Progress events per apply (for SSE and the CLI), fed by every journal entry and probe round.
import { EventEmitter } from 'node:events';
import type { ApplyEvent } from './types.js';

export class ApplyEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emit(e: ApplyEvent): void {
    this.emitter.emit(e.applyId, e);
  }

  subscribe(id: string, listener: (e: ApplyEvent) => void): () => void {
    this.emitter.on(id, listener);
    return () => this.emitter.off(id, listener);
  }
}
