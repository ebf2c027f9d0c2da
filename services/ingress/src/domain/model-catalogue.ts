import { notFound } from '@infermesh/errors';
import type { tokenizer } from '@infermesh/proto';
import type { TokenizerClient } from './ports.js';

/**
 * The served models, as the tokenizer's catalogue defines them, cached for `ttlMs`. A refresh
 * failure keeps serving the last good list (the tokenizer being briefly away must not make every
 * model "unknown").
 */
export class ModelCatalogue {
  private models = new Map<string, tokenizer.ModelSpec>();
  private fetchedAt = 0;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly client: TokenizerClient,
    private readonly ttlMs: number,
  ) {}

  async list(): Promise<tokenizer.ModelSpec[]> {
    await this.refresh();
    return [...this.models.values()];
  }

  /** The model's spec; NOT_FOUND when the mesh does not serve it. */
  async get(id: string): Promise<tokenizer.ModelSpec> {
    await this.refresh();
    const spec = this.models.get(id);
    if (spec === undefined) {
      throw Object.assign(notFound(`the model '${id.slice(0, 128)}' does not exist or is not served here`), {});
    }
    return spec;
  }

  private async refresh(): Promise<void> {
    if (Date.now() - this.fetchedAt < this.ttlMs && this.models.size > 0) return;
    this.inflight ??= this.client
      .listModels({}, { timeoutMs: 2000 })
      .then((res) => {
        this.models = new Map(res.models.map((m) => [m.id, m]));
        this.fetchedAt = Date.now();
      })
      .catch((err: unknown) => {
        if (this.models.size === 0) throw err;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    await this.inflight;
  }
}
