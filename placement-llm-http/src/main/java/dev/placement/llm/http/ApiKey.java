package dev.placement.llm.http;

import dev.placement.api.InvalidInputException;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An API key and the name it was given by (a builder field or an environment variable), so that a client can say
 * which key it sends without showing it. {@link #toString()} shows the name only.
 *
 * @param name  {@code "apiKey"} for a key set on a builder, else the environment variable it came from; not blank
 * @param value the key, stripped; not blank
 */
public record ApiKey(String name, String value) {

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Checks both parts and strips the value.
     *
     * @param name  where the key came from: {@code "apiKey"} or an environment variable; not blank
     * @param value the key; not blank; stored stripped
     */
    public ApiKey {
        if (name == null || name.isBlank() || value == null || value.isBlank()) {
            throw new IllegalArgumentException("an API key needs a name and a value");
        }
        value = value.strip();
    }

    /**
     * The key a caller named for a base URL, which may go to any host (subject to
     * {@link LlmHttpTransport#requireKeySafeToSend}): one set on the builder, else the one in the variable the
     * builder named.
     *
     * @param builderKey  the key set on the builder, or {@code null}
     * @param variable    the variable named for the key, or {@code null}
     * @param environment where the variable is read; not null
     * @param baseUrl     where the key would go, for the message
     * @return the named key, or {@code null} if the caller named none
     * @throws InvalidInputException if the named variable is unset or blank
     */
    public static ApiKey named(String builderKey, String variable, Map<String, String> environment, String baseUrl) {
        Objects.requireNonNull(environment, "environment");
        if (builderKey != null && !builderKey.isBlank()) {
            return new ApiKey("apiKey", builderKey);
        }
        if (variable == null) {
            return null;
        }
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("environment", variable, "is not set, but was named as the key to send "
                    + "to " + baseUrl + "; set it, or name another variable");
        }
        return new ApiKey(variable, value);
    }

    /**
     * @param name a candidate environment variable name; may be null
     * @return whether it is one: letters, digits and underscores, not starting with a digit
     */
    public static boolean isVariableName(String name) {
        return name != null && VARIABLE_NAME.matcher(name).matches();
    }

    @Override
    public String toString() {
        return "ApiKey[" + name + "]";
    }
}
