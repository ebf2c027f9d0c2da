import { invalidArgument } from '@infermesh/errors';
import type { ChatInput, ChatTool } from './chat.js';

/** A JSON value as `JSON.parse` returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A tool with its parameters parsed; `parameters` is absent when the wire field was empty. */
export interface ParsedTool {
  name: string;
  description: string;
  parameters?: JsonObject;
}

/** A tool call with its arguments parsed. */
export interface ParsedToolCall {
  id: string;
  name: string;
  arguments: JsonObject;
}

/** Tools and tool calls of a chat, parsed once and validated; `calls[i]` belongs to `messages[i]`. */
export interface ParsedTools {
  tools: ParsedTool[];
  calls: ParsedToolCall[][];
}

/**
 * Parses every tool definition and tool call of a chat. INVALID_ARGUMENT naming the field
 * (`chat.tools[i].parameters`, `chat.messages[i].tool_calls[j].arguments`, or a missing
 * `...name`) when the JSON does not parse or is not an object; the message never quotes it.
 */
export function parseTools(chat: ChatInput): ParsedTools {
  const tools = (chat.tools ?? []).map((t, i) => parseTool(t, i));
  const calls = chat.messages.map((m, i) =>
    (m.toolCalls ?? []).map((c, j) => {
      const field = `chat.messages[${i}].tool_calls[${j}]`;
      if (c.name === '') throw invalidArgument(`${field}.name is required`, `${field}.name`);
      return { id: c.id, name: c.name, arguments: parseObject(c.arguments, `${field}.arguments`) };
    }),
  );
  return { tools, calls };
}

function parseTool(tool: ChatTool, i: number): ParsedTool {
  const field = `chat.tools[${i}]`;
  if (tool.name === '') throw invalidArgument(`${field}.name is required`, `${field}.name`);
  const out: ParsedTool = { name: tool.name, description: tool.description };
  if (tool.parameters.trim() !== '') out.parameters = parseObject(tool.parameters, `${field}.parameters`);
  return out;
}

function parseObject(text: string, field: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidArgument(`${field} is not valid JSON`, field);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${field} must be a JSON object`, field);
  return value as JsonObject;
}

/** Applies `f` to every string (keys included) of a JSON value; used to shield user text from special-token matching. */
export function mapStrings(value: Json, f: (s: string) => string): Json {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [f(k), mapStrings(v, f)]));
  }
  return value;
}

/**
 * The call id a tool turn answers, resolved to the function name of the earlier assistant call
 * with that id (OpenAI tool messages carry only the id). Undefined when no earlier call matches.
 */
export function callName(parsed: ParsedTools, before: number, toolCallId: string | undefined): string | undefined {
  if (toolCallId === undefined || toolCallId === '') return undefined;
  for (let i = before - 1; i >= 0; i--) {
    const hit = parsed.calls[i]?.find((c) => c.id === toolCallId);
    if (hit !== undefined) return hit.name;
  }
  return undefined;
}
