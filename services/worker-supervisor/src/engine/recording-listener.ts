import type { SequenceListener, SequenceResult } from './sequence.js';

/**
 * A SequenceListener that keeps everything it is told; for tests and virtual-time studies.
 * `startedAt`/`finishedAt` are read from `now` (the engine's clock) when the events arrive.
 */
export class RecordingListener implements SequenceListener {
  cachedPromptTokens: number | undefined;
  readonly tokens: number[] = [];
  result: SequenceResult | undefined;
  startedCount = 0;
  finishedCount = 0;
  startedAt: number | undefined;
  firstTokenAt: number | undefined;
  finishedAt: number | undefined;

  constructor(private readonly now: () => number = () => 0) {}

  onStarted(cachedPromptTokens: number): void {
    this.startedCount++;
    this.cachedPromptTokens = cachedPromptTokens;
    this.startedAt = this.now();
  }

  onTokens(tokenIds: readonly number[]): void {
    if (this.tokens.length === 0) this.firstTokenAt = this.now();
    this.tokens.push(...tokenIds);
  }

  onFinished(result: SequenceResult): void {
    this.finishedCount++;
    this.result = result;
    this.finishedAt = this.now();
  }

  get done(): boolean {
    return this.result !== undefined;
  }
}
