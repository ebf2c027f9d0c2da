import { invalidArgument } from '@infermesh/errors';
import type { ChatTool, ChatToolCall, ChatTurn } from '../domain/request.js';

/**
 * Readers of OpenAI request bodies. Each names the parameter it rejects; sampling parameters the
 * simulated engine does not use (temperature, top_p, ...) are accepted and ignored, as engines do.
 */
export type Json = Record<string, unknown>;

export function asObject(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidArgument('the request body must be a JSON object');
  return body as Json;
}

export function requiredString(body: Json, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v === '') throw invalidArgument(`${key} is required and must be a non-empty string`, key);
  return v;
}

export function optionalInt(body: Json, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidArgument(`${key} must be an integer`, key);
  return v;
}

export function optionalBool(body: Json, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalidArgument(`${key} must be a boolean`, key);
  return v;
}

/** `n` other than 1 would need several sequences per request; rejected rather than silently ignored. */
export function rejectUnsupported(body: Json): void {
  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) throw invalidArgument('only n=1 is supported', 'n');
}

/** The prompt of /v1/completions: a string, or an array holding exactly one string. */
export function completionPrompt(body: Json): string {
  const p = body['prompt'];
  if (typeof p === 'string') return p;
  if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') return p[0];
  if (Array.isArray(p) && p.length > 1) throw invalidArgument('only one prompt per request is supported', 'prompt');
  throw invalidArgument('prompt is required and must be a string', 'prompt');
}

/** The messages of /v1/chat/completions; content may be a string or an array of text parts. */
export function chatMessages(body: Json): ChatTurn[] {
  const msgs = body['messages'];
  if (!Array.isArray(msgs)) throw invalidArgument('messages is required and must be an array', 'messages');
  return msgs.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw invalidArgument(`messages[${i}] must be an object`, 'messages');
    const m = raw as Json;
    if (typeof m['role'] !== 'string') throw invalidArgument(`messages[${i}].role must be a string`, 'messages');
    const turn: ChatTurn = { role: m['role'], content: messageContent(m['content'], i) };
    if (typeof m['name'] === 'string') turn.name = m['name'];
    if (m['tool_calls'] !== undefined && m['tool_calls'] !== null) turn.toolCalls = toolCalls(m['tool_calls'], i);
    if (typeof m['tool_call_id'] === 'string') turn.toolCallId = m['tool_call_id'];
    return turn;
  });
}

function messageContent(content: unknown, i: number): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        const p = part as Json;
        if (p?.['type'] !== 'text' || typeof p['text'] !== 'string') throw invalidArgument(`messages[${i}].content: only text parts are supported`, 'messages');
        return p['text'];
      })
      .join('');
  }
  throw invalidArgument(`messages[${i}].content must be a string or an array of text parts`, 'messages');
}

/** OpenAI `stop`: a string or an array of strings; null or absent means none. */
export function stopStrings(body: Json): string[] | undefined {
  const v = body['stop'];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw invalidArgument('stop must be a string or an array of strings', 'stop');
}

/** OpenAI `messages[i].tool_calls`: `[{id, type: "function", function: {name, arguments}}]`. */
function toolCalls(raw: unknown, i: number): ChatToolCall[] {
  if (!Array.isArray(raw)) throw invalidArgument(`messages[${i}].tool_calls must be an array`, 'messages');
  return raw.map((c: unknown, j) => {
    const fn = (c as Json | null)?.['function'] as Json | undefined;
    if (typeof fn?.['name'] !== 'string') throw invalidArgument(`messages[${i}].tool_calls[${j}].function.name must be a string`, 'messages');
    const args = fn['arguments'];
    const id = (c as Json)['id'];
    return { id: typeof id === 'string' ? id : '', name: fn['name'], arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) };
  });
}

/** OpenAI `tools`: `[{type: "function", function: {name, description?, parameters?}}]`. */
export function chatTools(body: Json): ChatTool[] | undefined {
  const raw = body['tools'];
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw invalidArgument('tools must be an array', 'tools');
  return raw.map((t: unknown, i) => {
    const fn = (t as Json | null)?.['function'] as Json | undefined;
    if ((t as Json | null)?.['type'] !== 'function' || typeof fn?.['name'] !== 'string') throw invalidArgument(`tools[${i}] must be {"type": "function", "function": {"name": ...}}`, 'tools');
    const description = fn['description'];
    const parameters = fn['parameters'];
    return { name: fn['name'], description: typeof description === 'string' ? description : '', parameters: parameters === undefined || parameters === null ? '' : JSON.stringify(parameters) };
  });
}
