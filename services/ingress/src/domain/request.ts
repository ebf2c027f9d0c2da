import { createHash } from 'node:crypto';
import { invalidArgument } from '@infermesh/errors';
import type { events } from '@infermesh/proto';

/** A chat turn as the domain sees it. */
export interface ChatTurn {
  role: string;
  content: string;
  name?: string;
  /** Calls an assistant turn made; `arguments` is JSON-object text. */
  toolCalls?: ChatToolCall[];
  /** On a "tool" turn: the call it answers. */
  toolCallId?: string;
}

export interface ChatToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A function the model may call; `parameters` is its JSON Schema as JSON text ('' for none). */
export interface ChatTool {
  name: string;
  description: string;
  parameters: string;
}

/** A generation request after the wire (gRPC or HTTP) has been translated. */
export interface GenerateInput {
  model: string;
  /** Exactly one of prompt and chat is set. */
  prompt?: string;
  chat?: ChatTurn[];
  /** Tools offered to the model (chat only), rendered by its chat template. */
  tools?: ChatTool[];
  /** undefined: the default, min(defaultMaxTokens, remaining context). */
  maxTokens?: number;
  seed?: bigint;
  /** Stop strings, matched by the tokenizer's streaming detokenizer across token boundaries. */
  stop?: string[];
  api: events.Api;
  stream: boolean;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool', 'developer']);
const MAX_MODEL_NAME = 256;
/** The tokenizer's limits on stop strings (tokenizer.v1 DetokenizeStreamRequest.stop). */
const MAX_STOPS = 16;
const MAX_STOP_LENGTH = 256;

/**
 * Checks what can be checked before tokenizing. Messages name the offending parameter and never
 * quote user content.
 */
export function validateInput(input: GenerateInput): void {
  if (input.model === '') throw invalidArgument('model is required', 'model');
  if (input.model.length > MAX_MODEL_NAME) throw invalidArgument(`model name is longer than ${MAX_MODEL_NAME} characters`, 'model');
  if (input.prompt !== undefined && input.chat !== undefined) throw invalidArgument('give either a prompt or chat messages, not both', 'prompt');
  if (input.chat !== undefined) {
    if (input.chat.length === 0) throw invalidArgument('messages must contain at least one message', 'messages');
    input.chat.forEach((m, i) => {
      if (!ROLES.has(m.role)) throw invalidArgument(`messages[${i}].role must be one of system, user, assistant, tool, developer`, 'messages');
    });
    if (input.chat.every((m) => m.content === '' && (m.toolCalls ?? []).length === 0)) throw invalidArgument('messages are all empty', 'messages');
  } else if (input.prompt === undefined || input.prompt === '') {
    throw invalidArgument('prompt must not be empty', 'prompt');
  }
  if (input.stop !== undefined) {
    if (input.stop.length > MAX_STOPS) throw invalidArgument(`stop may hold at most ${MAX_STOPS} strings`, 'stop');
    if (input.stop.some((s) => s.length === 0 || s.length > MAX_STOP_LENGTH)) throw invalidArgument(`each stop string must be 1 to ${MAX_STOP_LENGTH} characters`, 'stop');
  }
  if (input.maxTokens !== undefined && (!Number.isInteger(input.maxTokens) || input.maxTokens < 1)) {
    throw invalidArgument(`max_tokens must be a positive integer, got ${String(input.maxTokens)}`, 'max_tokens');
  }
}

/** SHA-256 of the prompt (or of the canonical JSON of the chat): what events record instead of text. */
export function promptDigest(input: GenerateInput): Uint8Array {
  const h = createHash('sha256');
  if (input.chat !== undefined) h.update(JSON.stringify([input.chat.map((m) => [m.role, m.content, m.name ?? '', m.toolCalls ?? [], m.toolCallId ?? '']), input.tools ?? []]));
  else h.update(input.prompt ?? '');
  return h.digest();
}
