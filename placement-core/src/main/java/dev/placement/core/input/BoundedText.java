package dev.placement.core.input;

import dev.placement.api.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads an input file as text, bounded: never more than a limit into memory, and strictly UTF-8, so that a
 * stray binary or huge file is named as such rather than parsed. Every problem is one
 * {@link InvalidInputException} naming the file. Only regular files are read: a directory, a device such as
 * {@code /dev/zero} or a FIFO (which would block until a writer opens it) is refused before it is opened.
 * Every CLI file read goes through here. Stateless and thread-safe.
 */
public final class BoundedText {
    private BoundedText() {
    }

    /**
     * Reads a whole input file as UTF-8 text, refusing anything that is not a regular file of at most
     * {@code maxBytes} bytes.
     *
     * @param file     the file
     * @param maxBytes the most it may hold
     * @param tooLarge what to do about a larger file, for its message
     * @param expected what the file should hold, for the message on a file that is not text
     * @return its text
     * @throws InvalidInputException if it is missing, unreadable, larger than {@code maxBytes} or not UTF-8
     */
    public static String read(Path file, int maxBytes, String tooLarge, String expected) {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new InvalidInputException(source, null, "is a directory; expected a file holding " + expected);
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new InvalidInputException(source, null, "is not a regular file (a device, FIFO or socket); "
                    + "expected a file holding " + expected);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(maxBytes + 1);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(source, null, "file not found");
        } catch (AccessDeniedException e) {
            throw new InvalidInputException(source, null, "cannot be read: permission denied");
        } catch (FileSystemException e) {
            // Its message repeats the path, which can be long enough to push the reason out of the line.
            throw new InvalidInputException(source, null, "cannot be read: "
                    + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()));
        } catch (IOException e) {
            throw new InvalidInputException(source, null, "cannot be read: " + e.getMessage());
        }
        if (bytes.length > maxBytes) {
            throw new InvalidInputException(source, null, "larger than " + maxBytes + " bytes; " + tooLarge);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(source, null, "is not UTF-8 text; expected " + expected);
        }
    }
}
