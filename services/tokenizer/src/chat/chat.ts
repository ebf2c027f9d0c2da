import type { Segment } from '../backend.js';

/** One chat turn as the domain sees it (the wire's common.ChatMessage). */
export interface ChatTurn {
  /** "system", "user", "assistant" or "tool"; templates decide what else they accept. */
  role: string;
  content: string;
  /** Author or tool name; empty or absent when none. */
  name?: string;
}

export interface ChatInput {
  messages: readonly ChatTurn[];
  /** Append the assistant header so the model answers. */
  addGenerationPrompt: boolean;
}

/**
 * Renders a chat into prompt segments. One implementation per chat format (Jinja templates,
 * harmony). Throws MeshError INVALID_ARGUMENT when the chat does not fit the format; the message
 * never quotes chat content.
 */
export interface ChatFormatter {
  render(chat: ChatInput): Segment[];
}
