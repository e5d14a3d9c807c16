/**
 * What Placement knows about models and GPUs without asking the cluster.
 *
 * <p>{@link dev.placement.core.catalog.ModelCatalog} holds models by Hugging Face id, each read from its
 * published {@code config.json} (bundled under {@code models/}, with {@code SOURCES.md} saying where each came
 * from); {@link dev.placement.core.catalog.ModelConfigs} reads any other model's {@code config.json}.
 * GPUs by name, with the source of each figure, are in {@link dev.placement.api.GpuCatalog}. Both are
 * immutable and thread-safe; bad input raises {@link dev.placement.api.InvalidInputException} naming the
 * file or option, the field and the value.
 */
package dev.placement.core.catalog;

