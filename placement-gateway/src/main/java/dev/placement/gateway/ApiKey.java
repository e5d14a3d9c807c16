package dev.placement.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A secret bearer key: one the gateway accepts from its clients ({@code Authorization: Bearer <key>}), or the one
 * it sends upstream. The key never appears in {@link #toString()}, in exception messages or in logs; it is
 * compared in constant time (the SHA-256 digests of both sides are compared with
 * {@link MessageDigest#isEqual(byte[], byte[])}, so neither the content nor the length leaks through timing).
 *
 * <p>Equality is identity: two instances of the same key are not {@code equals}. Immutable and thread-safe.
 */
public final class ApiKey {
    /** RFC 6750's b64token characters: what may follow {@code Bearer }. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    private static final int MIN_LENGTH = 8;
    private static final int MAX_LENGTH = 4096;

    private final String secret;
    private final byte[] digest;

    private ApiKey(String secret) {
        this.secret = secret;
        this.digest = sha256(secret);
    }

    /**
     * A key from its text.
     *
     * @param key the key: 8 to 4096 of the characters a bearer token may hold ({@code A-Z a-z 0-9 - . _ ~ + /},
     *            then {@code =} padding); not null
     * @return the key
     * @throws IllegalArgumentException if the key is not such a token (the message does not repeat it)
     * @throws NullPointerException     if the key is null
     */
    public static ApiKey of(String key) {
        Objects.requireNonNull(key, "an API key must not be null");
        if (key.length() < MIN_LENGTH || key.length() > MAX_LENGTH || !TOKEN.matcher(key).matches()) {
            throw new IllegalArgumentException("an API key must be " + MIN_LENGTH + " to " + MAX_LENGTH
                    + " characters of A-Z a-z 0-9 - . _ ~ + / (then = padding); the one given (" + key.length()
                    + " characters) is not");
        }
        return new ApiKey(key);
    }

    /**
     * Whether a presented key is this one, in time that does not depend on where or whether they differ.
     *
     * @param presented the key a client sent, or null
     * @return whether it is this key; false for null
     */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    /** @return the key itself, for the upstream {@code Authorization} header only */
    String secret() {
        return secret;
    }

    /** @return {@code ApiKey[redacted]}: never the key */
    @Override
    public String toString() {
        return "ApiKey[redacted]";
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e); // every JVM has it
        }
    }
}
