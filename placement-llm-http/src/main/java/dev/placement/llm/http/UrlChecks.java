package dev.placement.llm.http;

import dev.placement.api.InvalidInputException;

import java.net.URI;
import java.net.URISyntaxException;

/** The bodies of {@link LlmHttpTransport}'s static checks for provider builders; documented there. */
final class UrlChecks {

    private UrlChecks() {
    }

    static URI httpUrl(String url, String source, String field, String example) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidInputException(source, field, "'" + url + "' is not a URL (" + e.getReason()
                    + "); expected for example " + example);
        }
        if (uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
            throw new InvalidInputException(source, field, "'" + url + "' is not an http(s) URL; expected for "
                    + "example " + example);
        }
        return uri;
    }

    static void requireHeaderSafe(String secret, String source, String field) {
        if (secret == null) {
            return;
        }
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new InvalidInputException(source, field, "the key has a space, control or non-ASCII "
                        + "character at position " + (i + 1) + " of " + secret.length()
                        + "; copy the key again without it");
            }
        }
    }
}
