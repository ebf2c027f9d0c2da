import { Template } from '@huggingface/jinja';
import { invalidArgument } from '@infermesh/errors';
import type { Segment } from '../backend.js';
import type { ChatFormatter, ChatInput } from './chat.js';
import type { SpecialSplitter } from './special-splitter.js';

/**
 * A Hugging Face chat_template rendered with @huggingface/jinja. The template is parsed once;
 * `bos_token`/`eos_token` come from the catalogue, so the rendered text carries the BOS and is
 * encoded without adding special tokens again.
 */
export class JinjaChatFormatter implements ChatFormatter {
  private readonly template: Template;

  constructor(
    source: string,
    private readonly splitter: SpecialSplitter,
    private readonly tokens: { bosToken: string; eosToken: string },
  ) {
    this.template = new Template(source);
  }

  render(chat: ChatInput): Segment[] {
    if (chat.messages.length === 0) throw invalidArgument('chat has no messages', 'messages');
    const messages = chat.messages.map((m) => {
      const msg: Record<string, string> = { role: m.role, content: this.splitter.shield(m.content) };
      if (m.name !== undefined && m.name !== '') msg['name'] = m.name;
      return msg;
    });
    let rendered: string;
    try {
      rendered = this.template.render({
        messages,
        add_generation_prompt: chat.addGenerationPrompt,
        bos_token: this.tokens.bosToken,
        eos_token: this.tokens.eosToken,
      });
    } catch (err) {
      throw invalidArgument(`chat template error: ${reason(err, chat)}`, 'messages');
    }
    return this.splitter.split(rendered);
  }
}

/**
 * The template's complaint (its own `raise_exception` text, or the renderer's), unless it would
 * quote chat content, in which case a generic reason is given instead.
 */
function reason(err: unknown, chat: ChatInput): string {
  const text = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  const quotesUser = chat.messages.some((m) => (m.content.length >= 3 && text.includes(m.content)) || (m.name !== undefined && m.name.length >= 3 && text.includes(m.name)));
  if (quotesUser) return 'the chat does not fit the model\'s template';
  return text;
}
