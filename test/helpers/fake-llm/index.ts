/**
 * A scriptable fake LLM: one real HTTP server speaking the OpenAI Chat Completions,
 * Anthropic Messages and Ollama /api/chat wire protocols, for integration tests and benchmarks.
 */
export { startFakeLlm } from './server.js';
export { textReply, toolCallReply, DEFAULT_TEXT } from './script.js';
export type { FakeLlm, FakeModelLists, FakeResponse, FakeStep, ModelSpec, Provider, RecordedRequest, Responder } from './types.js';
