package dev.placement.llm.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * The {@link LlmCallListener}s of one transport, told in turn; one that throws is logged at WARN and neither the
 * call nor the other listeners notice. Immutable and thread-safe.
 */
final class CallListeners {
    // Logged under the transport's name, the one users set log levels for.
    private static final Logger LOG = LoggerFactory.getLogger(LlmHttpTransport.class);

    private final List<LlmCallListener> listeners;

    CallListeners(List<LlmCallListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    boolean isEmpty() {
        return listeners.isEmpty();
    }

    void request(LlmCallContext context) {
        tell("onRequest", l -> l.onRequest(context));
    }

    void retry(LlmRetry retry) {
        tell("onRetry", l -> l.onRetry(retry));
    }

    void response(LlmCallResponse response) {
        tell("onResponse", l -> l.onResponse(response));
    }

    void error(LlmCallError error) {
        tell("onError", l -> l.onError(error));
    }

    void circuit(CircuitTransition transition) {
        tell("onCircuitStateChange", l -> l.onCircuitStateChange(transition));
    }

    private void tell(String method, Consumer<LlmCallListener> call) {
        for (LlmCallListener l : listeners) {
            try {
                call.accept(l);
            } catch (Exception e) {
                LOG.warn("LLM call listener {} failed in {}: {}", l.getClass().getName(), method, e.toString());
            }
        }
    }
}
