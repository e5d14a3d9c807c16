/**
 * An {@link dev.placement.api.LlmClient} for the Gemini API's {@code generateContent}:
 * {@link dev.placement.llm.gemini.GeminiLlmClient}. Wire records and the error-body reader are package-private.
 */
package dev.placement.llm.gemini;
