import { invalidArgument } from '@infermesh/errors';
import type { Segment } from '../backend.js';
import type { ChatFormatter, ChatInput } from './chat.js';
import { renderFunctionsNamespace } from './harmony-tools.js';
import { callName, parseTools } from './tool-json.js';

/**
 * ChatML as OpenAI's chat models on cl100k/o200k count it (the format of OpenAI's chatml.md and
 * its token-counting cookbook, "gpt-4" variant): each message is
 * `<|im_start|>{name or role}<|im_sep|>{content}<|im_end|>`, and the generation prompt is
 * `<|im_start|>assistant<|im_sep|>`. Roles are not validated: any role string is a header.
 * OpenAI documents no rendering of tools for these models, so tool counts are estimates: the
 * tools are a leading `system` message `# Tools\n\n` + harmony's `functions` namespace (the same
 * TypeScript-like text, harmony-tools.ts); an assistant turn's content (if non-empty) is followed
 * by one `assistant to=functions.{name}` message per call holding its arguments text; a tool
 * turn's header is its name, else the name of the call its `toolCallId` answers, else `tool`.
 * Segments are built directly, so content can never contain a control token.
 */
export class ChatMlFormatter implements ChatFormatter {
  render(chat: ChatInput): Segment[] {
    if (chat.messages.length === 0) throw invalidArgument('chat has no messages', 'messages');
    const parsed = parseTools(chat);
    const out: Segment[] = [];
    const message = (header: string, content: string): void => {
      out.push(special('<|im_start|>'), text(header), special('<|im_sep|>'), text(content), special('<|im_end|>'));
    };
    if (parsed.tools.length > 0) message('system', `# Tools\n\n${renderFunctionsNamespace(parsed.tools)}`);
    chat.messages.forEach((m, i) => {
      const calls = parsed.calls[i] ?? [];
      const named = m.name !== undefined && m.name !== '' ? m.name : undefined;
      if (calls.length > 0) {
        if (m.content !== '') message(named ?? m.role, m.content);
        calls.forEach((c, j) => message(`${m.role} to=functions.${c.name}`, m.toolCalls![j]!.arguments.trim()));
        return;
      }
      const header = named ?? (m.role === 'tool' ? callName(parsed, i, m.toolCallId) : undefined) ?? m.role;
      message(header, m.content);
    });
    if (chat.addGenerationPrompt) out.push(special('<|im_start|>'), text('assistant'), special('<|im_sep|>'));
    return out;
  }
}

const special = (token: string): Segment => ({ kind: 'special', token });
const text = (t: string): Segment => ({ kind: 'text', text: t });
