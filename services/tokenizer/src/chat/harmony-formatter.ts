import { invalidArgument } from '@infermesh/errors';
import type { Segment } from '../backend.js';
import type { ChatFormatter, ChatInput, ChatTurn } from './chat.js';
import { renderFunctionsNamespace } from './harmony-tools.js';
import { callName, parseTools, type ParsedTools } from './tool-json.js';

const START = '<|start|>';
const MESSAGE = '<|message|>';
const END = '<|end|>';
const CHANNEL = '<|channel|>';
const CONSTRAIN = '<|constrain|>';
const CALL = '<|call|>';
const TOOLS_CHANNEL_NOTE = "\nCalls to these tools must go to the commentary channel: 'functions'.";

/**
 * OpenAI harmony (gpt-oss), from its published structure: every message is
 * `<|start|>{header}<|message|>{content}<|end|>`, and the generation prompt is `<|start|>assistant`.
 * The conversation opens with a system message (identity, knowledge cutoff, reasoning effort,
 * valid channels: `systemHeader`, plus the "Calls to these tools must go to the commentary
 * channel: 'functions'." line when tools are given); the chat's system prompts become developer
 * messages `# Instructions\n\n{content}`. Tools go into the developer message as
 * `# Tools\n\n` + the `functions` namespace (harmony-tools.ts), after the first system prompt's
 * instructions (`\n\n` between) or alone. Past assistant turns are final-channel messages; an
 * assistant turn with tool calls renders its content (if any, and unless a later assistant turn
 * without calls exists) on the analysis channel, then each call as
 * `<|start|>assistant<|channel|>commentary to=functions.{name} <|constrain|>json<|message|>{arguments}<|call|>`
 * (arguments as the client's JSON text); tool results are
 * `<|start|>functions.{name} to=assistant<|channel|>commentary<|message|>...<|end|>`, the name
 * being the turn's own, else that of the call its `toolCallId` answers, else the latest call.
 * Segments are built directly, so content can never contain a control token.
 */
export class HarmonyChatFormatter implements ChatFormatter {
  constructor(private readonly systemHeader: string) {}

  render(chat: ChatInput): Segment[] {
    if (chat.messages.length === 0) throw invalidArgument('chat has no messages', 'messages');
    const parsed = parseTools(chat);
    const hasTools = parsed.tools.length > 0;
    const out: Segment[] = [];
    this.message(out, 'system', hasTools ? this.systemHeader + TOOLS_CHANNEL_NOTE : this.systemHeader);
    let first = 0;
    if (hasTools) {
      const tools = `# Tools\n\n${renderFunctionsNamespace(parsed.tools)}`;
      const lead = chat.messages[0]!;
      if (lead.role === 'system' || lead.role === 'developer') {
        this.message(out, 'developer', `# Instructions\n\n${lead.content}\n\n${tools}`);
        first = 1;
      } else {
        this.message(out, 'developer', tools);
      }
    }
    let lastCall: string | undefined;
    for (let i = first; i < chat.messages.length; i++) {
      lastCall = this.turn(out, chat, parsed, i, lastCall);
    }
    if (chat.addGenerationPrompt) out.push(special(START), text('assistant'));
    return out;
  }

  /** Renders messages[index]; returns the name of the latest tool call so far. */
  private turn(out: Segment[], chat: ChatInput, parsed: ParsedTools, index: number, lastCall: string | undefined): string | undefined {
    const turn: ChatTurn = chat.messages[index]!;
    switch (turn.role) {
      case 'system':
      case 'developer':
        this.message(out, 'developer', `# Instructions\n\n${turn.content}`);
        return lastCall;
      case 'user':
        this.message(out, 'user', turn.content);
        return lastCall;
      case 'assistant': {
        const calls = parsed.calls[index] ?? [];
        if (calls.length === 0) {
          this.message(out, 'assistant', turn.content, 'final');
          return lastCall;
        }
        const laterFinal = chat.messages.slice(index + 1).some((m) => m.role === 'assistant' && (m.toolCalls ?? []).length === 0);
        if (turn.content !== '' && !laterFinal) this.message(out, 'assistant', turn.content, 'analysis');
        const raw = turn.toolCalls ?? [];
        calls.forEach((c, j) => {
          out.push(special(START), text('assistant'), special(CHANNEL), text(`commentary to=functions.${c.name} `), special(CONSTRAIN));
          out.push(text('json'), special(MESSAGE), text(raw[j]!.arguments.trim()), special(CALL));
        });
        return calls[calls.length - 1]!.name;
      }
      case 'tool': {
        const name = nonEmpty(turn.name) ?? callName(parsed, index, turn.toolCallId) ?? lastCall;
        if (name === undefined) throw invalidArgument(`messages[${index}]: a tool message needs a name or the tool_call_id of an earlier call`, 'messages');
        this.message(out, `functions.${name} to=assistant`, turn.content, 'commentary');
        return lastCall;
      }
      default:
        throw invalidArgument(`messages[${index}]: role must be system, developer, user, assistant or tool`, 'messages');
    }
  }

  private message(out: Segment[], header: string, content: string, channel?: string): void {
    out.push(special(START), text(header));
    if (channel !== undefined) out.push(special(CHANNEL), text(channel));
    out.push(special(MESSAGE), text(content), special(END));
  }
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);
const special = (token: string): Segment => ({ kind: 'special', token });
const text = (t: string): Segment => ({ kind: 'text', text: t });
