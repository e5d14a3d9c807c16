package dev.placement.vllm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The status line and the framing headers of an HTTP/1.1 response, parsed from the bytes before the blank
 * line: the status, the body's framing ({@code Transfer-Encoding}, {@code Content-Length}) and whether the
 * server keeps the connection open.
 *
 * @param status        the status code
 * @param chunked       whether the body is chunked
 * @param contentLength the body's length, or -1 if not given
 * @param keepAlive     whether the connection may carry another request afterwards
 */
record ResponseHead(int status, boolean chunked, long contentLength, boolean keepAlive) {
    /** The longest response head accepted. */
    static final int MAX_BYTES = 64 * 1024;

    /**
     * Finds the end of a response head, the blank line.
     *
     * @return the index just after it, or -1 if the bytes do not hold it yet
     */
    static int end(byte[] bytes, int length) {
        for (int i = 3; i < length; i++) {
            if (bytes[i] == '\n' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r') {
                return i + 1;
            }
            if (bytes[i] == '\n' && bytes[i - 1] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * @param bytes  the head, ending with its blank line
     * @param length its length
     * @throws IOException if the status line is not HTTP/1.x
     */
    static ResponseHead parse(byte[] bytes, int length) throws IOException {
        String[] lines = new String(bytes, 0, length, StandardCharsets.ISO_8859_1).split("\r?\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.1 response: " + FailureDetail.oneLine(lines[0]));
        }
        int code;
        try {
            code = Integer.parseInt(status[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: " + FailureDetail.oneLine(status[1]));
        }
        boolean chunked = false;
        long contentLength = -1;
        boolean keepAlive = status[0].equals("HTTP/1.1");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "transfer-encoding" -> chunked = value.endsWith("chunked");
                case "content-length" -> contentLength = length(value);
                case "connection" -> keepAlive = value.contains("keep-alive") || keepAlive && !value.contains("close");
                default -> {
                }
            }
        }
        return new ResponseHead(code, chunked, contentLength, keepAlive);
    }

    private static long length(String value) throws IOException {
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IOException("not a Content-Length: " + FailureDetail.oneLine(value));
    }
}
