import { Template } from '@huggingface/jinja';
import { invalidArgument } from '@infermesh/errors';
import type { Segment } from '../backend.js';
import type { ChatFormatter, ChatInput } from './chat.js';
import type { SpecialSplitter } from './special-splitter.js';
import { PYTHON_STRIP_FUNCTIONS, usePythonStrip } from './python-strings.js';
import { mapStrings, parseTools, type Json, type ParsedTools } from './tool-json.js';

/**
 * A Hugging Face chat_template rendered with @huggingface/jinja. The template is parsed once;
 * `bos_token`/`eos_token` come from the catalogue, so the rendered text carries the BOS and is
 * encoded without adding special tokens again. Tools and tool calls reach the template as
 * transformers' `apply_chat_template(messages, tools=...)` passes OpenAI-shaped dicts:
 * `tools` = [{type: "function", function: {name, description?, parameters?}}] (None when there
 * are none), an assistant turn's `tool_calls` = [{id?, type: "function", function: {name,
 * arguments}}] with `arguments` a parsed object, a tool turn's `tool_call_id`. Every string in
 * them is shielded like message content, so tool JSON cannot inject control tokens. String
 * `strip/lstrip/rstrip` follow Python (see `usePythonStrip`).
 */
export class JinjaChatFormatter implements ChatFormatter {
  private readonly template: Template;

  constructor(
    source: string,
    private readonly splitter: SpecialSplitter,
    private readonly tokens: { bosToken: string; eosToken: string },
  ) {
    this.template = new Template(source);
    usePythonStrip(this.template);
  }

  render(chat: ChatInput): Segment[] {
    if (chat.messages.length === 0) throw invalidArgument('chat has no messages', 'messages');
    const parsed = parseTools(chat);
    const shield = (v: Json): Json => mapStrings(v, (s) => this.splitter.shield(s));
    const messages = chat.messages.map((m, i) => {
      const msg: Record<string, unknown> = { role: m.role, content: this.splitter.shield(m.content) };
      if (m.name !== undefined && m.name !== '') msg['name'] = this.splitter.shield(m.name);
      const calls = parsed.calls[i] ?? [];
      if (calls.length > 0) {
        msg['tool_calls'] = calls.map((c) => ({
          ...(c.id === '' ? {} : { id: this.splitter.shield(c.id) }),
          type: 'function',
          function: { name: this.splitter.shield(c.name), arguments: shield(c.arguments) },
        }));
      }
      if (m.toolCallId !== undefined && m.toolCallId !== '') msg['tool_call_id'] = this.splitter.shield(m.toolCallId);
      return msg;
    });
    const tools = parsed.tools.length === 0 ? null : parsed.tools.map((t) => ({
      type: 'function',
      function: {
        name: this.splitter.shield(t.name),
        ...(t.description === '' ? {} : { description: this.splitter.shield(t.description) }),
        ...(t.parameters === undefined ? {} : { parameters: shield(t.parameters) }),
      },
    }));
    let rendered: string;
    try {
      rendered = this.template.render({
        ...PYTHON_STRIP_FUNCTIONS,
        messages,
        tools,
        documents: null,
        add_generation_prompt: chat.addGenerationPrompt,
        bos_token: this.tokens.bosToken,
        eos_token: this.tokens.eosToken,
      });
    } catch (err) {
      throw invalidArgument(`chat template error: ${reason(err, chat, parsed)}`, 'messages');
    }
    return this.splitter.split(rendered);
  }
}

/**
 * The template's complaint (its own `raise_exception` text, or the renderer's), unless it would
 * quote chat content (message text, names, tool names), in which case a generic reason is given.
 */
function reason(err: unknown, chat: ChatInput, parsed: ParsedTools): string {
  const text = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  const userStrings = [
    ...chat.messages.flatMap((m) => [m.content, m.name ?? '']),
    ...parsed.tools.flatMap((t) => [t.name, t.description]),
    ...parsed.calls.flat().map((c) => c.name),
  ];
  if (userStrings.some((s) => s.length >= 3 && text.includes(s))) return 'the chat does not fit the model\'s template';
  return text;
}
