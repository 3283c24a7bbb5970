package dev.wrinklefree.runtime.gguf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A GGUF file that cannot be trusted: the message names the file, the byte offset and the field that
 * is wrong, and what was expected.
 */
public final class GgufException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final String field;

    /**
     * @param file   the file being read or written
     * @param offset byte offset of the bad field from the start of the file, or -1 when not applicable
     * @param field  what was being read (for example {@code tensor_info[3].offset})
     * @param detail what is wrong and what was expected
     */
    public GgufException(Path file, long offset, String field, String detail) {
        super(file + (offset >= 0 ? " at byte " + offset : "") + ", " + field + ": " + detail);
        this.file = file;
        this.offset = offset;
        this.field = field;
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }

    /** Byte offset of the bad field, or -1. */
    public long offset() {
        return offset;
    }

    /** The field that is wrong. */
    public String field() {
        return field;
    }
}
