import type { Segment } from '../backend.js';

/** One function call made by an assistant turn (the wire's common.ToolCall). */
export interface ChatToolCall {
  /** Caller-chosen id, repeated by the answering tool turn's `toolCallId`; may be empty. */
  id: string;
  name: string;
  /** The arguments as JSON object text; parsed (and rejected if malformed) by the formatter. */
  arguments: string;
}

/** A function the model may call (the wire's common.Tool). */
export interface ChatTool {
  name: string;
  /** Empty when none. */
  description: string;
  /** JSON Schema of the arguments as JSON object text; empty when the function takes none. */
  parameters: string;
}

/** One chat turn as the domain sees it (the wire's common.ChatMessage). */
export interface ChatTurn {
  /** "system", "user", "assistant" or "tool"; templates decide what else they accept. */
  role: string;
  content: string;
  /** Author or tool name; empty or absent when none. */
  name?: string;
  /** Calls made by an assistant turn; absent or empty when none. */
  toolCalls?: readonly ChatToolCall[];
  /** For a "tool" turn: the id of the call it answers; empty or absent when none. */
  toolCallId?: string;
}

export interface ChatInput {
  messages: readonly ChatTurn[];
  /** Append the assistant header so the model answers. */
  addGenerationPrompt: boolean;
  /** Functions the model may call; absent or empty for none. */
  tools?: readonly ChatTool[];
}

/**
 * Renders a chat into prompt segments. One implementation per chat format (Jinja templates,
 * harmony). Throws MeshError INVALID_ARGUMENT when the chat does not fit the format (including
 * malformed tool JSON, naming the field); the message never quotes chat content.
 */
export interface ChatFormatter {
  render(chat: ChatInput): Segment[];
}
