import { invalidArgument } from '@infermesh/errors';
import type { Segment } from '../backend.js';
import type { ChatFormatter, ChatInput, ChatTurn } from './chat.js';

const START = '<|start|>';
const MESSAGE = '<|message|>';
const END = '<|end|>';
const CHANNEL = '<|channel|>';

/**
 * OpenAI harmony (gpt-oss), from its published structure: every message is
 * `<|start|>{header}<|message|>{content}<|end|>`, and the generation prompt is `<|start|>assistant`.
 * The conversation opens with a system message (identity, knowledge cutoff, reasoning effort,
 * valid channels: `systemHeader`); the chat's own system prompts become developer messages
 * `# Instructions\n\n{content}`; past assistant turns are final-channel messages
 * (`<|start|>assistant<|channel|>final<|message|>...<|end|>`); tool results are
 * `<|start|>functions.{name} to=assistant<|channel|>commentary<|message|>...<|end|>`.
 * Segments are built directly, so content can never contain a control token.
 */
export class HarmonyChatFormatter implements ChatFormatter {
  constructor(private readonly systemHeader: string) {}

  render(chat: ChatInput): Segment[] {
    if (chat.messages.length === 0) throw invalidArgument('chat has no messages', 'messages');
    const out: Segment[] = [];
    this.message(out, 'system', this.systemHeader);
    chat.messages.forEach((turn, i) => this.turn(out, turn, i));
    if (chat.addGenerationPrompt) out.push(special(START), text('assistant'));
    return out;
  }

  private turn(out: Segment[], turn: ChatTurn, index: number): void {
    switch (turn.role) {
      case 'system':
      case 'developer':
        return this.message(out, 'developer', `# Instructions\n\n${turn.content}`);
      case 'user':
        return this.message(out, 'user', turn.content);
      case 'assistant':
        return this.message(out, 'assistant', turn.content, 'final');
      case 'tool':
        if (turn.name === undefined || turn.name === '') throw invalidArgument(`messages[${index}]: a tool message needs a name`, 'messages');
        return this.message(out, `functions.${turn.name} to=assistant`, turn.content, 'commentary');
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

const special = (token: string): Segment => ({ kind: 'special', token });
const text = (t: string): Segment => ({ kind: 'text', text: t });
