/**
 * The LLM placement agent: prompts ({@link dev.placement.core.llm.PromptTemplate}), the tolerant answer parser
 * and validator behind {@link dev.placement.core.llm.LlmPlacementAgent}, and the
 * {@link dev.placement.core.llm.GuardedPlacementAgent} that checks an LLM's answer against the solver before
 * it may reach the cluster. Providers implement {@link dev.placement.api.LlmClient} in their own modules.
 */
package dev.placement.core.llm;
