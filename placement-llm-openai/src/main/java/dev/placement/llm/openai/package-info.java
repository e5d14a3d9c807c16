/**
 * An {@link dev.placement.api.LlmClient} for OpenAI Chat Completions and OpenAI-compatible servers (vLLM,
 * Ollama, llama.cpp): {@link dev.placement.llm.openai.OpenAiLlmClient}. Wire records and the error-body reader
 * are package-private.
 */
package dev.placement.llm.openai;
