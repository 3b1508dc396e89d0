/** Where a command writes: stdout for its result, stderr for everything said along the way. */
export interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}
