import type { ChatInput, ChatTool, ChatTurn } from '../chat/chat.js';
import type { ReferenceChat } from './python-reference.js';

// Test support: the chats the parity test renders, in the domain's form, and their translation
// into what transformers' apply_chat_template receives for the same OpenAI-shaped request.

const WEATHER: ChatTool = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  parameters: '{"type": "object", "properties": {"city": {"type": "string", "description": "City name, e.g. Zürich"}, ' +
    '"unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"}, "days": {"type": "integer"}}, "required": ["city"]}',
};
const TIME: ChatTool = { name: 'current_time', description: '', parameters: '' };
const TRANSLATE: ChatTool = {
  name: 'translate',
  description: 'Translate text.',
  parameters: '{"type":"object","properties":{"text":{"type":"string"},"to":{"type":"array","items":{"type":"string"}}},"required":["text","to"]}',
};

const call = (id: string, name: string, args: string): ChatTurn => ({ role: 'assistant', content: '', toolCalls: [{ id, name, arguments: args }] });

/** Chats without tools (the original five) and with tools: definitions only, one call round trip, parallel calls. */
export function parityChats(longProse: string): ChatInput[] {
  return [
    { messages: [{ role: 'user', content: 'Hello!' }], addGenerationPrompt: true },
    { messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'What is 2+2?' }], addGenerationPrompt: true },
    {
      messages: [
        { role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'Name a colour.' },
        { role: 'assistant', content: 'Bleu.' }, { role: 'user', content: 'Another, with an emoji 🎨 and 日本語?' },
      ],
      addGenerationPrompt: true,
    },
    { messages: [{ role: 'user', content: 'def f(x):\n    return x  # code\n\n\n' }, { role: 'assistant', content: 'spaced  out  ' }], addGenerationPrompt: false },
    { messages: [{ role: 'user', content: longProse }], addGenerationPrompt: true },
    // tools defined, no call yet
    { messages: [{ role: 'system', content: 'Use tools when useful.' }, { role: 'user', content: 'Weather in Zürich?' }], tools: [WEATHER, TIME], addGenerationPrompt: true },
    // one call and its result, then the model answers
    {
      messages: [
        { role: 'user', content: 'How warm is it in 東京?' },
        call('call_1', 'get_weather', '{"city": "東京", "unit": "celsius"}'),
        { role: 'tool', content: '{"temperature": 21, "sky": "clear"}', toolCallId: 'call_1' },
      ],
      tools: [WEATHER],
      addGenerationPrompt: true,
    },
    // parallel calls (nested arguments), two results, a final answer, no generation prompt
    {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hi in French and German, and what time is it?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          toolCalls: [
            { id: 'a', name: 'translate', arguments: '{"text":"hi","to":["fr","de"]}' },
            { id: 'b', name: 'current_time', arguments: '{}' },
          ],
        },
        { role: 'tool', content: '["salut", "hallo"]', toolCallId: 'a' },
        { role: 'tool', content: '12:00', toolCallId: 'b' },
        { role: 'assistant', content: 'Salut / Hallo; it is noon.' },
      ],
      tools: [TRANSLATE, TIME, WEATHER],
      addGenerationPrompt: false,
    },
  ];
}

/**
 * The same chat as transformers receives it from an OpenAI-shaped request: tools as
 * {type: "function", function: {name, description?, parameters?}}, calls as {id, type, function:
 * {name, arguments}} with arguments parsed to a dict (what the Llama 3.1 and gpt-oss templates
 * need; Qwen3 takes either), tool turns with tool_call_id. Mirrors jinja-formatter.ts.
 */
export function toReference(chat: ChatInput): ReferenceChat {
  const out: ReferenceChat = {
    messages: chat.messages.map((m) => {
      const msg: Record<string, unknown> = { role: m.role, content: m.content };
      if (m.name !== undefined && m.name !== '') msg['name'] = m.name;
      if (m.toolCalls !== undefined && m.toolCalls.length > 0) {
        msg['tool_calls'] = m.toolCalls.map((c) => ({
          ...(c.id === '' ? {} : { id: c.id }),
          type: 'function',
          function: { name: c.name, arguments: JSON.parse(c.arguments) as unknown },
        }));
      }
      if (m.toolCallId !== undefined && m.toolCallId !== '') msg['tool_call_id'] = m.toolCallId;
      return msg;
    }),
    add_generation_prompt: chat.addGenerationPrompt,
  };
  if (chat.tools !== undefined && chat.tools.length > 0) {
    out.tools = chat.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description === '' ? {} : { description: t.description }),
        ...(t.parameters === '' ? {} : { parameters: JSON.parse(t.parameters) as unknown }),
      },
    }));
  }
  return out;
}
