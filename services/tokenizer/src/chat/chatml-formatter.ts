import { invalidArgument } from '@infermesh/errors';
import type { Segment } from '../backend.js';
import type { ChatFormatter, ChatInput } from './chat.js';

/**
 * ChatML as OpenAI's chat models on cl100k/o200k count it (the format of OpenAI's chatml.md and
 * its token-counting cookbook, "gpt-4" variant): each message is
 * `<|im_start|>{name or role}<|im_sep|>{content}<|im_end|>`, and the generation prompt is
 * `<|im_start|>assistant<|im_sep|>`. Roles are not validated: any role string is a header.
 * Segments are built directly, so content can never contain a control token.
 */
export class ChatMlFormatter implements ChatFormatter {
  render(chat: ChatInput): Segment[] {
    if (chat.messages.length === 0) throw invalidArgument('chat has no messages', 'messages');
    const out: Segment[] = [];
    for (const m of chat.messages) {
      const header = m.name !== undefined && m.name !== '' ? m.name : m.role;
      out.push(special('<|im_start|>'), text(header), special('<|im_sep|>'), text(m.content), special('<|im_end|>'));
    }
    if (chat.addGenerationPrompt) out.push(special('<|im_start|>'), text('assistant'), special('<|im_sep|>'));
    return out;
  }
}

const special = (token: string): Segment => ({ kind: 'special', token });
const text = (t: string): Segment => ({ kind: 'text', text: t });
