import type { GlobalMode } from '../functions/core/model.js';
import type { SettingsPort } from '../functions/core/ports.js';

/** The account's mode as an operator switches it at run time; `onChange` hears every switch (the simulator's referee). */
export class SimSettings implements SettingsPort {
  private mode: GlobalMode;

  constructor(
    mode: GlobalMode = 'live',
    private readonly onChange: (mode: GlobalMode) => void = () => undefined,
  ) {
    this.mode = mode;
  }

  setMode(mode: GlobalMode): void {
    this.mode = mode;
    this.onChange(mode);
  }

  async globalMode(): Promise<GlobalMode> {
    await Promise.resolve();
    return this.mode;
  }
}
